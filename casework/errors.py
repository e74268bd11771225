"""Error pages and JSON error bodies in the user's language; never a bare 500."""

from __future__ import annotations

from flask import jsonify, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from casework.access import wants_json
from casework.extensions import db

TITLES = {
    400: _l("The request could not be processed"),
    401: _l("Please log in"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("What you sent is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}

MESSAGES = {
    400: _l("Please check what you entered and try again."),
    401: _l("You need to log in to use this page."),
    403: _l("Your role does not allow you to use this page."),
    404: _l("The page does not exist or you do not have access to it."),
    405: _l("This address does not accept this kind of request."),
    413: _l("What you sent is too large. Please shorten the text or send a smaller file."),
    429: _l("Too many attempts from your address. Please wait a few minutes and try again."),
    500: _l("The error has been recorded. Please try again later."),
}

CSRF_MESSAGE = _l(
    "The form's security token is missing or has expired. Please reload the page and try again."
)


def render_error(code: int, message=None):
    """An error response: JSON for API clients, the error page for browsers."""
    message = str(message or MESSAGES.get(code, MESSAGES[500]))
    title = str(TITLES.get(code, TITLES[500]))
    if wants_json():
        return jsonify({"error": {"status": code, "title": title, "message": message}}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _rollback() -> None:
    """Nothing half-written: whatever the failed request changed is rolled back (and a
    session whose transaction the database has aborted is usable again for the error page)."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; the page must still render
        db.session.remove()


def _own_description(error: HTTPException) -> str | None:
    """The message given to ``abort(code, description=...)``, not Werkzeug's English default."""
    if error.description and error.description != type(error).description:
        return error.description
    return None


def init_app(app) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        _rollback()
        from casework.security import keep_after_csrf_failure

        # A form whose session ended while it was being filled in is kept, not refused.
        kept = keep_after_csrf_failure()
        if kept is not None:
            return kept
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if isinstance(error, InternalServerError):
            return internal_error(error)
        _rollback()
        return render_error(error.code, _own_description(error))

    @app.errorhandler(Exception)
    def internal_error(error):
        _rollback()
        app.logger.exception("Unhandled error", exc_info=getattr(error, "original_exception",
                                                                 error))
        try:
            return render_error(500)
        except Exception:  # noqa: BLE001 - the error page itself failed: plain text
            app.logger.exception("The error page failed")
            return str(MESSAGES[500]), 500, {"Content-Type": "text/plain; charset=utf-8"}
