"""Changes to institutions. Nothing is ever hard-deleted."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from casework.audit.operations import record
from casework.auth.operations import OperationRefused
from casework.extensions import db
from casework.orgs.models import Institution, InstitutionKind


def _name_taken(municipality_id: int, name: str, exclude_id: int | None = None) -> bool:
    stmt = select(func.count()).select_from(Institution).where(
        Institution.municipality_id == municipality_id,
        func.lower(Institution.name) == name.lower(),
    )
    if exclude_id is not None:
        stmt = stmt.where(Institution.id != exclude_id)
    return db.session.scalar(stmt) > 0


def create_institution(admin, *, name: str, kind: str) -> Institution:
    """Create an institution in the admin's municipality."""
    name = name.strip()
    kind = InstitutionKind(kind).value
    if _name_taken(admin.municipality_id, name):
        raise OperationRefused(_l("An institution with this name already exists."))
    inst = Institution(municipality_id=admin.municipality_id, name=name, kind=kind)
    db.session.add(inst)
    db.session.flush()
    record("institution_created", inst, user=admin, details={"kind": kind})
    return inst


def rename_institution(admin, inst: Institution, *, name: str) -> None:
    """Rename an institution (the audit log records the rename, not the names)."""
    name = name.strip()
    if name == inst.name:
        return
    if _name_taken(inst.municipality_id, name, exclude_id=inst.id):
        raise OperationRefused(_l("An institution with this name already exists."))
    inst.name = name
    record("institution_renamed", inst, user=admin, details={"fields": ["name"]})
    db.session.flush()


def set_institution_active(admin, inst: Institution, active: bool) -> None:
    """Deactivate or reactivate an institution; its users and records stay."""
    if inst.id == admin.institution_id and not active:
        raise OperationRefused(_l("You cannot deactivate your own institution."))
    if inst.active == active:
        return
    inst.active = active
    record("institution_reactivated" if active else "institution_deactivated", inst,
           user=admin)
    db.session.flush()
