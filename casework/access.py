"""Access checks as small functions and decorators (deny by default)."""

from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_login import current_user


def wants_json() -> bool:
    """True for API clients: they get JSON errors instead of HTML pages and redirects."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > \
        request.accept_mimetypes["text/html"]


def role_required(*roles: str):
    """Let the request through only for a logged-in, active user holding one of ``roles``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from flask import current_app

                return current_app.login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
