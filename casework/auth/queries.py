"""Reads of users, scoped to the administrator's municipality."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from casework.auth.models import User
from casework.extensions import db
from casework.orgs.models import Institution


def users_of(admin):
    """A select of the users of the admin's municipality."""
    return (
        select(User)
        .join(Institution, User.institution_id == Institution.id)
        .where(Institution.municipality_id == admin.municipality_id)
        .order_by(User.full_name)
    )


def get_user_or_404(user_id: int, admin) -> User:
    """A user of the admin's municipality, else 404."""
    user = db.session.scalar(users_of(admin).where(User.id == user_id))
    if user is None:
        abort(404)
    return user
