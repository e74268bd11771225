"""The administrator's page for importing the municipality's registers (routes only)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from casework.access import role_required
from casework.auth.models import Role
from casework.extensions import db
from casework.groups.models import CooperationGroup
from casework.imports import registers
from casework.imports.forms import ImportForm

bp = Blueprint("imports", __name__, url_prefix="/admin/import")


@bp.before_request
@role_required(Role.ADMIN)
def _admins_only():
    """Imports are for administrators only."""


def _groups(municipality_id: int):
    return db.session.scalars(select(CooperationGroup).where(
        CooperationGroup.municipality_id == municipality_id,
        CooperationGroup.kind == "strategic").order_by(CooperationGroup.name)).all()


@bp.route("", methods=["GET", "POST"])
def upload():
    """Check a register and, when every row is right, import it in one transaction."""
    admin = current_user._get_current_object()
    form = ImportForm()
    groups = _groups(admin.municipality_id)
    form.group.choices = [SelectChoice(0, "—")] + [SelectChoice(g.id, g.display_name)
                                                  for g in groups]
    result, status = None, 200
    if form.is_submitted():
        if not form.validate():
            status = 400
        else:
            upload = form.file.data
            data = upload.read()
            dry_run = not form.run.data
            if form.kind.data == "decisions":
                group = registers.strategic_group_of(admin.municipality_id,
                                                     form.group.data or None)
                if group is None:
                    form.group.errors = [_("Choose the strategic group.")]
                    status = 400
                else:
                    result = registers.import_decisions(admin, group, upload.filename, data,
                                                        dry_run=dry_run)
            else:
                result = registers.import_cases(admin, admin.municipality_id,
                                                upload.filename, data, dry_run=dry_run)
            if result is not None:
                if result.written:
                    db.session.commit()
                else:
                    db.session.rollback()
                    status = 400 if result.errors else 200
    return render_template(
        "admin/import.html", form=form, result=result,
        case_headers=registers.header_names(registers.CASE_COLUMNS),
        decision_headers=registers.header_names(registers.DECISION_COLUMNS)), status
