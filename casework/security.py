"""Security wired in one place: headers, session idle timeout, forced password change,
safe ``next`` URLs and login rate limiting (STYLE.md 9)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from casework.extensions import db

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Endpoints a user who must change their password may still reach.
_PASSWORD_CHANGE_ALLOWED = {"auth.change_password", "auth.logout", "static", "main.set_language"}


def is_safe_next(target: str | None) -> bool:
    """True only for a path on this site: no scheme, no host, no protocol-relative URL."""
    if not target:
        return False
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") \
        and not target.startswith("//")


def _set_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if current_user.is_authenticated:
        # Pages with personal data must not stay in shared browser or proxy caches.
        response.headers["Cache-Control"] = "no-store"
    return response


def _enforce_idle_timeout():
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = time.time()
    last_seen = session.get("_seen")
    idle_limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    if last_seen is not None and now - last_seen > idle_limit:
        from casework.auth.operations import record_session_expired

        record_session_expired(current_user._get_current_object())
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("Your session ended after 30 minutes without activity. Please log in again."),
              "warning")
        return redirect(url_for("auth.login", next=request.full_path
                                if request.method == "GET" else None))
    session["_seen"] = now
    return None


def _enforce_password_change():
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in _PASSWORD_CHANGE_ALLOWED
    ):
        flash(_("Please choose a new password before you continue."), "info")
        return redirect(url_for("auth.change_password"))
    return None


def init_app(app) -> None:
    """Register the hooks on ``app``."""
    app.before_request(_enforce_idle_timeout)
    app.before_request(_enforce_password_change)
    app.after_request(_set_security_headers)
