"""Reads of published decisions for the execution table, scoped to what the user may see.

Built on ``casework.groups.queries.visible_decisions``; drafts (not yet published with the
minutes) never appear. Overdue is derived in SQL from the due date and "today" in Latvian time:
a pending or in-progress decision whose due date has passed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from casework.extensions import db
from casework.groups.models import Decision
from casework.groups.queries import visible_decisions
from casework.orgs.models import Institution
from workflows.decision import DecisionStatus

OPEN_STATES = (DecisionStatus.PENDING.value, DecisionStatus.IN_PROGRESS.value)
#: The status filter's values: the states, plus "overdue" (derived).
STATUS_FILTERS = (*(s.value for s in DecisionStatus), "overdue")


def overdue_clause(today: date):
    """The SQL condition "this decision is overdue on ``today``"."""
    return and_(Decision.status.in_(OPEN_STATES), Decision.due_date.is_not(None),
                Decision.due_date < today)


def published_decisions(user):
    """Published decisions ``user`` may see."""
    return visible_decisions(user).where(Decision.published_at.is_not(None))


def group_decisions(user, group_id: int, *, today: date, year: int | None = None,
                    status: str | None = None, institution_id: int | None = None):
    """The group's execution table: rows of ``(Decision, overdue)``, newest first."""
    overdue = overdue_clause(today)
    stmt = (published_decisions(user).add_columns(overdue.label("overdue"))
            .where(Decision.group_id == group_id))
    if year:
        stmt = stmt.where(Decision.year == year)
    if status == "overdue":
        stmt = stmt.where(overdue)
    elif status:
        stmt = stmt.where(Decision.status == status)
    if institution_id:
        stmt = stmt.where(Decision.responsible_institution_id == institution_id)
    return stmt.options(selectinload(Decision.responsible_institution),
                        selectinload(Decision.meeting), selectinload(Decision.progress)).order_by(
        Decision.year.desc(), Decision.seq.desc(), Decision.id.desc())


def group_decision_years(user, group_id: int) -> list[int]:
    """The years in which the group published decisions (for the year filter)."""
    sub = published_decisions(user).where(Decision.group_id == group_id).subquery()
    return list(db.session.scalars(select(sub.c.year).distinct().order_by(sub.c.year.desc())))


def group_decision_institutions(user, group_id: int) -> list[Institution]:
    """The institutions responsible for some of the group's decisions (for the filter)."""
    sub = published_decisions(user).where(Decision.group_id == group_id).subquery()
    return list(db.session.scalars(
        select(Institution).where(Institution.id.in_(select(sub.c.responsible_institution_id)))
        .order_by(Institution.name)))
