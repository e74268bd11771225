"""Institution and user administration pages (routes only)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from casework.access import role_required
from casework.admin.forms import ActionForm, InstitutionForm, RenameForm, UserForm
from casework.auth import operations as user_ops
from casework.auth import twofactor
from casework.auth.models import Role, User
from casework.auth.queries import get_user_or_404, users_of
from casework.extensions import db
from casework.forms import show_refusal
from casework.orgs import operations as org_ops
from casework.orgs.models import Institution
from casework.orgs.queries import get_institution_or_404, institutions_of

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required(Role.ADMIN)
def _admins_only():
    """Every page here is for administrators only."""


def _admin() -> User:
    return current_user._get_current_object()


# -- institutions ---------------------------------------------------------------------------
@bp.route("/institutions", methods=["GET", "POST"])
def institutions():
    """List institutions and create a new one."""
    form = InstitutionForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                org_ops.create_institution(_admin(), name=form.name.data, kind=form.kind.data)
            except user_ops.OperationRefused as refused:
                form.name.errors = [str(refused.message)]
                status = 400
            else:
                db.session.commit()
                flash(_("Institution created."), "success")
                return redirect(url_for(".institutions"))
        else:
            status = 400
    rows = db.session.scalars(institutions_of(_admin())).all()
    return render_template("admin/institutions.html", form=form, institutions=rows,
                           action_form=ActionForm()), status


@bp.route("/institutions/<int:institution_id>", methods=["GET", "POST"])
def institution(institution_id: int):
    """Rename an institution."""
    inst = get_institution_or_404(institution_id, _admin())
    form = RenameForm(obj=inst)
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                org_ops.rename_institution(_admin(), inst, name=form.name.data)
            except user_ops.OperationRefused as refused:
                form.name.errors = [str(refused.message)]
                status = 400
            else:
                db.session.commit()
                flash(_("Institution renamed."), "success")
                return redirect(url_for(".institutions"))
        else:
            status = 400
    return render_template("admin/institution.html", form=form, institution=inst), status


@bp.route("/institutions/<int:institution_id>/active", methods=["POST"])
def institution_active(institution_id: int):
    """Deactivate or reactivate an institution."""
    inst = get_institution_or_404(institution_id, _admin())
    active = request.form.get("active") == "1"
    try:
        org_ops.set_institution_active(_admin(), inst, active)
    except user_ops.OperationRefused as refused:
        flash(str(refused.message), "error")
    else:
        db.session.commit()
        flash(_("Institution reactivated.") if active else _("Institution deactivated."),
              "success")
    return redirect(url_for(".institutions"))


# -- users ----------------------------------------------------------------------------------
def _user_form(obj=None) -> UserForm:
    form = UserForm(obj=obj)
    choices = db.session.execute(
        select(Institution.id, Institution.name).where(
            Institution.municipality_id == _admin().municipality_id,
            Institution.active.is_(True) | (Institution.id == getattr(obj, "institution_id", 0)),
        ).order_by(Institution.name)
    ).all()
    form.institution_id.choices = [SelectChoice(0, "—")] + [SelectChoice(i, n) for i, n in choices]
    if obj is not None and request.method == "GET":
        form.roles.data = sorted(obj.roles)
    return form


def _institution_for(form: UserForm):
    return db.session.scalar(
        institutions_of(_admin()).where(Institution.id == form.institution_id.data)
    )


@bp.route("/users")
def users():
    """List the municipality's users."""
    rows = db.session.scalars(users_of(_admin())).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    """Create a user with a temporary password."""
    form = _user_form()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                user, password = user_ops.create_user(
                    _admin(), email=form.email.data, full_name=form.full_name.data,
                    institution=_institution_for(form), roles=form.roles.data)
            except user_ops.OperationRefused as refused:
                form.email.errors = [str(refused.message)]
                status = 400
            else:
                db.session.commit()
                return render_template("admin/password_issued.html", user=user,
                                       password=password)
        else:
            status = 400
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    """Edit a user's name, institution and roles; deactivate, unlock, reset password."""
    user = get_user_or_404(user_id, _admin())
    form = _user_form(user)
    form.email.render_kw = {"readonly": True}
    status = 200
    if request.method == "POST":
        form.email.data = user.email  # the e-mail is the login name and is not changed here
        if form.validate():
            try:
                user_ops.update_user(_admin(), user, full_name=form.full_name.data,
                                     institution=_institution_for(form), roles=form.roles.data)
            except user_ops.OperationRefused as refused:
                form.roles.errors = [str(refused.message)]
                status = 400
            else:
                db.session.commit()
                flash(_("User saved."), "success")
                return redirect(url_for(".users"))
        else:
            status = 400
    return render_template("admin/user_form.html", form=form, user=user,
                           action_form=ActionForm()), status


@bp.route("/users/<int:user_id>/<any(deactivate, reactivate, unlock, reset, second_factor):action>",
          methods=["POST"])
def user_action(user_id: int, action: str):
    """Deactivate, reactivate, unlock, reset the password or the second factor of a user."""
    user = get_user_or_404(user_id, _admin())
    try:
        if action == "deactivate":
            user_ops.set_user_active(_admin(), user, False)
            message = _("User deactivated: they can no longer log in.")
        elif action == "reactivate":
            user_ops.set_user_active(_admin(), user, True)
            message = _("User reactivated.")
        elif action == "unlock":
            user_ops.unlock_user(_admin(), user)
            message = _("User unlocked.")
        elif action == "second_factor":
            twofactor.reset(_admin(), user)
            message = _("The second factor has been reset: the user sets it up again at the "
                        "next login.")
        else:
            password = user_ops.reset_password(_admin(), user)
            db.session.commit()
            return render_template("admin/password_issued.html", user=user, password=password)
    except user_ops.OperationRefused as refused:
        flash(str(refused.message), "error")
        return redirect(url_for(".user_edit", user_id=user.id))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".user_edit", user_id=user.id))


# -- policy ---------------------------------------------------------------------------------
@bp.route("/policy", methods=["GET", "POST"])
def policy():
    """The municipality's timescales (DESIGN.md §5); the defaults apply where nothing is set."""
    from dataclasses import asdict

    from casework.admin.forms import policy_form
    from casework.policies.operations import POLICY_LABELS, policy_for, save_policy
    from workflows.policy import Policy

    current = asdict(policy_for(_admin().municipality_id))
    form = policy_form(POLICY_LABELS)(data={k: current[k] for k in POLICY_LABELS})
    status = 200
    if request.method == "POST":
        form = policy_form(POLICY_LABELS)()
        if form.validate():
            try:
                save_policy(_admin(), {k: getattr(form, k).data for k in POLICY_LABELS})
            except user_ops.OperationRefused as refused:
                show_refusal(form, refused)
                status = 400
            else:
                db.session.commit()
                flash(_("Policy saved."), "success")
                return redirect(url_for(".policy"))
        else:
            status = 400
    return render_template("admin/policy.html", form=form, fields=list(POLICY_LABELS),
                           defaults=asdict(Policy())), status
