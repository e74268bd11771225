"""Login (password, second factor, single sign-on), logout, password change and the
two-factor account pages."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
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

from casework.auth import operations, sessions, sso, twofactor
from casework.auth.forms import CodeForm, LoginForm, PasswordChangeForm
from casework.auth.models import User
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
    if user.has_second_factor:
        return _ask_second_factor(user, form.next.data, via="password")
    operations.finish_login(user, "password")
    return _complete_login(user, form.next.data)


def _ask_second_factor(user: User, nxt: str | None, *, via: str):
    """The first factor was right: remember whose login this is (not logged in yet) and ask
    for the code."""
    db.session.commit()
    session["_2fa"] = {"user": user.id, "at": time.time(), "next": nxt, "via": via}
    return redirect(url_for("auth.second_factor"))


def _complete_login(user: User, nxt: str | None, *, via: str = "password"):
    """Start the session of a login that is complete (every factor checked)."""
    kept = session.get("_kept")
    sessions.start_session(user)
    db.session.commit()
    # A fresh session at login: nothing from before the login survives (session fixation).
    restart_session()
    login_user(user, remember=False)
    if via == "sso":
        session["_sso"] = True
    kept_page = _carry_kept_form(kept, user)
    if user.must_change_password and via != "sso":
        return redirect(url_for("auth.change_password"))
    if twofactor.needs_enrolment(user):
        return redirect(url_for("auth.two_factor_enrol"))
    if kept_page:
        return redirect(kept_page)
    if nxt and not is_safe_next(nxt):
        flash(_("The address to continue to was not on this site and was ignored."), "warning")
        nxt = None
    return redirect(nxt or url_for("main.index"))


def _pending_login() -> User | None:
    """The user whose password was right and whose code is awaited, while that lasts."""
    pending = session.get("_2fa")
    if not isinstance(pending, dict):
        return None
    limit = current_app.config["TWO_FACTOR_PENDING_MINUTES"] * 60
    user = db.session.get(User, pending.get("user")) if isinstance(pending.get("user"),
                                                                   int) else None
    if (user is None or not user.is_active or not user.has_second_factor
            or time.time() - float(pending.get("at") or 0) > limit):
        session.pop("_2fa", None)
        return None
    return user


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


# -- second factor -----------------------------------------------------------------------------
@bp.route("/login/code", methods=["GET", "POST"])
@_password_guesses
def second_factor():
    """The code from the authenticator app (or a recovery code), after the password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user = _pending_login()
    if user is None:
        flash(_("The time to enter the code ran out, or the login was not started. Please log "
                "in again."), "warning")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if request.method == "GET":
        return render_template("auth/second_factor.html", form=form)
    if not form.validate():
        return render_template("auth/second_factor.html", form=form), 400
    try:
        kind = twofactor.verify_login_code(user, form.code.data)
    except twofactor.CodeRefused as refused:
        db.session.commit()  # the failed attempt and any lockout are kept
        g.failed_attempt = True
        if refused.locked:
            session.pop("_2fa", None)
            flash(str(refused.message), "warning")
            return redirect(url_for("auth.login"))
        form.code.data = ""
        form.code.errors = [str(refused.message)]
        return render_template("auth/second_factor.html", form=form), 401
    pending = session.pop("_2fa")
    operations.finish_login(user, kind if pending.get("via") != "sso" else "sso")
    if kind == "recovery_code":
        flash(_("You logged in with a recovery code; it cannot be used again. You have "
                "%(n)s left.", n=twofactor.unused_recovery_codes(user)), "info")
    return _complete_login(user, pending.get("next"), via=pending.get("via") or "password")


@bp.route("/account/two-factor")
@login_required
def two_factor_account():
    """The user's two-factor login: status, new recovery codes, turning it off when optional."""
    user = current_user._get_current_object()
    return render_template("auth/two_factor_account.html", user=user,
                           required=twofactor.required_for(user),
                           codes_left=twofactor.unused_recovery_codes(user))


@bp.route("/account/two-factor/enrol", methods=["GET", "POST"])
@login_required
def two_factor_enrol():
    """Set up the authenticator app: QR code, the secret as text, a code to confirm."""
    user = current_user._get_current_object()
    if user.has_second_factor:
        return redirect(url_for("auth.two_factor_account"))
    form = CodeForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                codes = twofactor.confirm_enrolment(user, form.code.data)
            except operations.OperationRefused as refused:
                db.session.commit()  # the failed attempt is audited
                form.code.errors = [str(refused.message)]
                form.code.data = ""
                status = 400
            else:
                db.session.commit()
                return render_template("auth/recovery_codes.html", codes=codes,
                                       enrolled=True)
        else:
            status = 400
    secret = twofactor.start_enrolment(user)
    db.session.commit()
    uri = twofactor.provisioning_uri(user, secret)
    return render_template("auth/enrol.html", form=form, secret=secret,
                           qr=twofactor.qr_svg(uri),
                           required=twofactor.required_for(user)), status


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def two_factor_recovery_codes():
    """New recovery codes (the old ones stop working); shown once."""
    user = current_user._get_current_object()
    try:
        codes = twofactor.regenerate_recovery_codes(user)
    except operations.OperationRefused as refused:
        flash(str(refused.message), "error")
        return redirect(url_for("auth.two_factor_account"))
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, enrolled=False)


@bp.route("/account/two-factor/disable", methods=["POST"])
@login_required
def two_factor_disable():
    """Turn off two-factor login (only where the roles do not require it)."""
    try:
        twofactor.disable(current_user._get_current_object())
    except operations.OperationRefused as refused:
        flash(str(refused.message), "error")
        return redirect(url_for("auth.two_factor_account"))
    db.session.commit()
    flash(_("Two-factor login has been turned off."), "success")
    return redirect(url_for("auth.two_factor_account"))


# -- single sign-on ----------------------------------------------------------------------------
@bp.app_template_global("sso_configured")
def _sso_configured() -> bool:
    return sso.configured()


@bp.app_template_global("sso_label")
def _sso_label() -> str:
    return sso.label()


@bp.route("/login/sso")
def sso_login():
    """Go to the OpenID Connect provider's login (404 when single sign-on is not set up)."""
    if not sso.configured():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    nxt = request.args.get("next")
    session["_sso_next"] = nxt if nxt and is_safe_next(nxt) else None
    try:
        return sso.start(url_for("auth.sso_callback", _external=True))
    except Exception as error:  # the provider cannot be reached: say so, do not fail
        current_app.logger.warning("Single sign-on provider unreachable: %s", error)
        return render_template("auth/sso_refused.html", reason="sso_failed"), 502


@bp.route("/login/sso/callback")
def sso_callback():
    """The provider sends the browser back here; map its user to a casework user by e-mail."""
    if not sso.configured():
        abort(404)
    nxt = session.pop("_sso_next", None)
    try:
        user = sso.finish()
    except sso.SsoRefused as refused:
        db.session.commit()  # the refusal is audited
        return render_template("auth/sso_refused.html", reason=refused.reason), 401
    if user.has_second_factor and not sso.satisfies_two_factor():
        return _ask_second_factor(user, nxt, via="sso")
    operations.finish_login(user, "sso")
    return _complete_login(user, nxt, via="sso")
