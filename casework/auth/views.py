"""Login, logout and password change pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from casework.auth import operations, sessions
from casework.auth.forms import LoginForm, PasswordChangeForm
from casework.extensions import db, limiter
from casework.security import is_safe_next, restart_session

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    # Only failed attempts count against the per-address limit.
    return bool(g.get("failed_attempt"))


# One limit for the login and the password change: both are guesses of a password.
_password_guesses = limiter.shared_limit(_login_limit, scope="password-guesses",
                                         methods=["POST"], deduct_when=_failed)


@bp.route("/login", methods=["GET", "POST"])
@_password_guesses
def login():
    """Log in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        nxt = request.args.get("next")
        if nxt and not is_safe_next(nxt):
            flash(_("The address to continue to was not on this site and was ignored."),
                  "warning")
            nxt = None
        form.next.data = nxt
    if request.method == "GET":
        return render_template("auth/login.html", form=form)
    if not form.validate():
        g.failed_attempt = True
        return render_template("auth/login.html", form=form), 400
    try:
        user = operations.attempt_login(form.email.data, form.password.data)
    except operations.LoginRefused as refused:
        db.session.commit()  # the failed attempt and any lockout are kept
        g.failed_attempt = True
        form.password.data = ""
        return render_template("auth/login.html", form=form, error=refused.message), 401
    kept = session.get("_kept")
    sessions.start_session(user)
    db.session.commit()
    # A fresh session at login: nothing from before the login survives (session fixation).
    restart_session()
    login_user(user, remember=False)
    kept_page = _carry_kept_form(kept, user)
    if user.must_change_password:
        return redirect(url_for("auth.change_password"))
    if kept_page:
        return redirect(kept_page)
    nxt = form.next.data
    if nxt and not is_safe_next(nxt):
        flash(_("The address to continue to was not on this site and was ignored."), "warning")
        nxt = None
    return redirect(nxt or url_for("main.index"))


def _carry_kept_form(key: str | None, user) -> str | None:
    """Carry a form kept before the login into the new session, only for its own user."""
    if not key:
        return None
    row = sessions.kept_form(key, user)
    db.session.commit()  # a form kept for someone else is deleted now
    if row is None:
        return None
    session["_kept"] = key
    return url_for("auth.kept_form")


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out (a POST with a CSRF token, so other sites cannot log users out)."""
    operations.record_logout(current_user._get_current_object())
    sessions.end_session(sessions.current_session(), "logout")
    db.session.commit()
    restart_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@_password_guesses
def change_password():
    """Change one's own password (forced at first login for users created by an admin)."""
    form = PasswordChangeForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            user = current_user._get_current_object()
            try:
                operations.change_password(user, form.current.data, form.new.data)
            except operations.WrongCurrentPassword as refused:
                db.session.commit()  # the failed attempt and any lockout are kept
                g.failed_attempt = True
                if refused.locked:
                    restart_session()
                    flash(str(refused.message), "warning")
                    return redirect(url_for("auth.login"))
                form.current.errors = [str(refused.message)]
                status = 400
            except operations.OperationRefused as refused:
                form.new.errors = [str(refused.message)]
                status = 400
            else:
                # Every session of the user has ended: this browser continues in a new one.
                kept = session.get("_kept")
                sessions.start_session(user)
                db.session.commit()
                restart_session()
                login_user(user, remember=False)
                flash(_("Your password has been changed."), "success")
                return redirect(_carry_kept_form(kept, user) or url_for("main.index"))
        else:
            status = 400
    return render_template("auth/password.html", form=form), status


@bp.route("/session/status")
@login_required
def session_status():
    """Seconds left before the session ends (for the warning); does not count as activity."""
    return jsonify(sessions.time_left(sessions.current_session()))


@bp.route("/session/keep-alive", methods=["POST"])
@login_required
def keep_alive():
    """"Stay signed in", and typing in a long text: counts as activity."""
    row = sessions.current_session()
    sessions.touch(row, force=True)
    db.session.commit()
    return jsonify(sessions.time_left(row))


@bp.route("/session/kept")
@login_required
def kept_form():
    """What the user had typed when the session ended, to check and save again."""
    row = sessions.kept_form(session.get("_kept"), current_user._get_current_object())
    if row is None:
        db.session.commit()
        session.pop("_kept", None)
        flash(_("There is nothing kept to restore."), "info")
        return redirect(url_for("main.index"))
    return render_template("auth/kept_form.html", row=row, fields=sessions.kept_fields(row))


@bp.route("/session/kept/discard", methods=["POST"])
@login_required
def discard_kept_form():
    """Throw away what was kept."""
    key = session.pop("_kept", None)
    row = sessions.kept_form(key, current_user._get_current_object())
    back = row.back if row is not None else None
    sessions.drop_kept_form(key)
    db.session.commit()
    flash(_("What you had entered has been discarded."), "info")
    return redirect(back if back and is_safe_next(back) else url_for("main.index"))
