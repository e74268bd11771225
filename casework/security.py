"""Security wired in one place: headers, server-side session checks (idle timeout, lifetime,
forms kept across the end of a session), forced password change, safe ``next`` URLs
(STYLE.md 9). The session records themselves are in casework/auth/sessions.py."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from casework.access import wants_json
from casework.auth import sessions
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
_PASSWORD_CHANGE_ALLOWED = {"auth.change_password", "auth.logout", "static", "main.set_language",
                            "auth.keep_alive", "auth.session_status"}
# Endpoints a user who must set up the second factor may still reach.
_ENROLMENT_ALLOWED = _PASSWORD_CHANGE_ALLOWED | {"auth.two_factor_enrol"}


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
    # ``is_anonymous`` reads no column: a view that committed has expired the user, and
    # ``is_authenticated`` (``active``) would load them again, with their roles.
    if not current_user.is_anonymous:
        # Pages with personal data must not stay in shared browser or proxy caches.
        response.headers["Cache-Control"] = "no-store"
    return response


_SESSION_END_MESSAGES = {
    "idle": _l("Your session ended after 30 minutes without activity. Please log in again."),
    "lifetime": _l("Your session reached its longest allowed length of %(hours)s hours. "
                   "Please log in again."),
    "logout": None,  # a copy of a cookie from before a logout gets the ordinary login page
}
_SESSION_ENDED = _l("Your session has ended. Please log in again.")

# A form posted into an ended session is kept only when the same person can log in again and
# save it; never after a logout, a deactivation or a lockout.
_KEEPABLE_REASONS = {"idle", "lifetime", "password_changed", "password_reset"}
_NOT_KEPT_ENDPOINTS = {"auth.login", "auth.logout", "auth.change_password", "auth.keep_alive",
                       "auth.second_factor", "auth.two_factor_enrol", "auth.sso_callback",
                       "auth.kept_form", "auth.discard_kept_form", "main.set_language"}
# Reading the time left must not count as activity.
_NOT_ACTIVITY = {"auth.session_status"}


def _check_session():
    """Check this request's server-side session; a session found over starts a clean one."""
    if request.endpoint == "static":
        return None
    current_user._get_current_object()  # runs the user loader (casework.auth.sessions)
    ended = g.pop("ended_session", None)
    if ended is not None:
        return _session_over(ended)
    row = sessions.current_session()
    if row is None:
        return None
    changed = request.endpoint not in _NOT_ACTIVITY and sessions.touch(row)
    if request.method == "POST" and request.form.get("kept_form") and session.get("_kept"):
        # The kept form is being saved again: it is not needed any more.
        sessions.drop_kept_form(session.pop("_kept"))
        changed = True
    if changed:
        db.session.commit()
    return None


def session_time_left() -> dict:
    """Seconds left in this session (for the warning in base.html)."""
    row = sessions.current_session()
    if row is not None:
        return sessions.time_left(row)
    config = current_app.config
    return {"idle_seconds": config["SESSION_IDLE_MINUTES"] * 60,
            "lifetime_seconds": int(config["SESSION_LIFETIME_HOURS"] * 3600)}


def _session_over(row):
    """The cookie named a session that is over: audit, start anonymous, keep a posted form."""
    from casework.auth.operations import record_session_expired

    g.ended_row = row
    if g.pop("session_just_ended", False):
        if row.ended_reason in ("idle", "lifetime"):
            record_session_expired(row.user, row.ended_reason)
        db.session.commit()
    restart_session(ended=row)
    message = _SESSION_END_MESSAGES.get(row.ended_reason, _SESSION_ENDED)
    if message is not None:
        flash(str(message) % {"hours": f"{current_app.config['SESSION_LIFETIME_HOURS']:g}"},
              "warning")
        g.session_end_flashed = True  # the login redirect adds no second message
    return keep_post_after_expiry()


def restart_session(ended=None) -> None:
    """A fresh cookie session (login, logout, a session found over) that keeps only the
    language; after a timeout it remembers which session ended, so that a form posted from a
    page of that session can be kept for the same user."""
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    if ended is not None:
        session["_ended"] = ended.id
    session.permanent = True


def _ended_session():
    from casework.auth.models import UserSession

    row = g.get("ended_row")
    if row is None and session.get("_ended"):
        row = db.session.get(UserSession, session["_ended"])
    return row if row is not None and row.ended_at is not None else None


def _local_referrer() -> str | None:
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if is_safe_next(path) else None


def keep_post_after_expiry():
    """For a form posted after its session ended: keep what was typed for the same user and send
    the browser to the login page. None when there is nothing to keep.

    Called when a session is found over, on a CSRF failure (the token belonged to the session
    that ended) and when a login is needed.
    """
    if request.method != "POST" or request.endpoint in _NOT_KEPT_ENDPOINTS or wants_json():
        return None
    ended = _ended_session()
    if ended is None or ended.ended_reason not in _KEEPABLE_REASONS:
        return None
    action = request.full_path.rstrip("?")
    sessions.drop_kept_form(session.get("_kept"))  # one kept form per browser, the latest
    key = sessions.keep_form(ended.user_id, action=action, back=_local_referrer(),
                             pairs=request.form.items(multi=True))
    if key is None:
        return None
    db.session.commit()
    session["_kept"] = key
    flash(_("What you entered has been kept: log in again to save it."), "info")
    g.session_end_flashed = True
    return redirect(url_for("auth.login"))


def keep_after_csrf_failure():
    """A CSRF failure because the session had ended keeps the form (see above)."""
    if request.method != "POST":
        return None
    current_user._get_current_object()
    ended = g.pop("ended_session", None)
    if ended is not None:
        return _session_over(ended)
    return keep_post_after_expiry()


def _enforce_password_change():
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and not session.get("_sso")  # logged in through the provider: no password in use
        and request.endpoint not in _PASSWORD_CHANGE_ALLOWED
    ):
        flash(_("Please choose a new password before you continue."), "info")
        return redirect(url_for("auth.change_password"))
    return None


def _enforce_second_factor():
    """Enrolment at first login: a user whose roles require a second factor and who has none
    sets it up before any other page works."""
    from casework.auth.twofactor import needs_enrolment

    if (
        current_user.is_authenticated
        # The API answers to tokens; casework.api.core refuses those of a user who must enrol.
        and not request.path.startswith("/api/")
        and request.endpoint not in _ENROLMENT_ALLOWED
        and needs_enrolment(current_user)
    ):
        if wants_json():
            return {"error": "two_factor_enrolment_required"}, 403
        flash(_("Your role requires two-factor login. Set it up before you continue."), "info")
        return redirect(url_for("auth.two_factor_enrol"))
    return None


def init_app(app) -> None:
    """Register the hooks on ``app``."""
    app.before_request(_check_session)
    app.before_request(_enforce_password_change)
    app.before_request(_enforce_second_factor)
    app.after_request(_set_security_headers)
    app.add_template_global(session_time_left)
