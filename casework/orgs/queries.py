"""Reads of institutions, always scoped to the user's municipality."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from casework.extensions import db
from casework.orgs.models import Institution


def institutions_of(user, *, active_only: bool = False):
    """A select of the institutions in the user's municipality."""
    stmt = select(Institution).where(Institution.municipality_id == user.municipality_id)
    if active_only:
        stmt = stmt.where(Institution.active.is_(True))
    return stmt.order_by(Institution.name)


def get_institution_or_404(institution_id: int, user) -> Institution:
    """The institution if it belongs to the user's municipality, else 404."""
    inst = db.session.scalar(
        institutions_of(user).where(Institution.id == institution_id)
    )
    if inst is None:
        abort(404)
    return inst
