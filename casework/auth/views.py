"""Login, logout and password change pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from casework.auth import operations
from casework.auth.forms import LoginForm, PasswordChangeForm
from casework.extensions import db, limiter
from casework.security import is_safe_next

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    # Only failed attempts count against the per-address limit.
    return response.status_code in (400, 401)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
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
        return render_template("auth/login.html", form=form), 400
    try:
        user = operations.attempt_login(form.email.data, form.password.data)
    except operations.LoginRefused as refused:
        db.session.commit()  # the failed attempt and any lockout are kept
        form.password.data = ""
        return render_template("auth/login.html", form=form, error=refused.message), 401
    db.session.commit()
    # A fresh session at login: nothing from before the login survives (session fixation).
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    session.permanent = True
    login_user(user, remember=False)
    if user.must_change_password:
        return redirect(url_for("auth.change_password"))
    nxt = form.next.data
    if nxt and not is_safe_next(nxt):
        flash(_("The address to continue to was not on this site and was ignored."), "warning")
        nxt = None
    return redirect(nxt or url_for("main.index"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out (a POST with a CSRF token, so other sites cannot log users out)."""
    operations.record_logout(current_user._get_current_object())
    db.session.commit()
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password (forced at first login for users created by an admin)."""
    form = PasswordChangeForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            user = current_user._get_current_object()
            try:
                operations.change_password(user, form.current.data, form.new.data)
            except operations.OperationRefused as refused:
                form.new.errors = [str(refused.message)]
                status = 400
            else:
                db.session.commit()
                # The token changed: keep this session, every other one has ended.
                session.clear()
                session.permanent = True
                login_user(user, remember=False)
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("main.index"))
        else:
            status = 400
    return render_template("auth/password.html", form=form), status
