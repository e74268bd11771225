"""Reads of published decisions for the execution table, scoped to what the user may see.

Built on ``casework.groups.queries.visible_decisions``; drafts (not yet published with the
minutes) never appear. Overdue is derived in SQL from the due date and "today" in Latvian time:
a pending or in-progress decision whose due date has passed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from casework.extensions import db
from casework.groups.models import Decision
from casework.groups.queries import visible_decisions
from casework.listing import ListSpec, contains_pattern
from casework.orgs.models import Institution
from workflows.decision import CLOSED_STATUSES, OPEN_STATUSES, DecisionStatus

OPEN_STATES = OPEN_STATUSES
#: "open" and "closed" group the statuses of the workflow for the list's filter.
OPEN_CLOSED = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES}
#: The status filter's values: open/closed, the states, and "overdue" (derived).
STATUS_FILTERS = ("open", "closed", *(s.value for s in DecisionStatus), "overdue")


def overdue_clause(today: date):
    """The SQL condition "this decision is overdue on ``today``"."""
    return and_(Decision.status.in_(OPEN_STATES), Decision.due_date.is_not(None),
                Decision.due_date < today)


def published_decisions(user):
    """Published decisions ``user`` may see."""
    return visible_decisions(user).where(Decision.published_at.is_not(None))


def group_decisions(user, group_id: int, *, today: date, year: int | None = None,
                    status: str | None = None, institution_id: int | None = None,
                    q: str | None = None):
    """The group's execution table: rows of ``(Decision, overdue)``, newest first; ``status``
    may also be "open" (pending or in progress), "closed" (executed or not) or "overdue", and
    ``q`` searches the decisions' texts and numbers."""
    overdue = overdue_clause(today)
    stmt = (published_decisions(user).add_columns(overdue.label("overdue"))
            .where(Decision.group_id == group_id))
    if year:
        stmt = stmt.where(Decision.year == year)
    if status == "overdue":
        stmt = stmt.where(overdue)
    elif status in OPEN_CLOSED:
        stmt = stmt.where(Decision.status.in_(OPEN_CLOSED[status]))
    elif status:
        stmt = stmt.where(Decision.status == status)
    if institution_id:
        stmt = stmt.where(Decision.responsible_institution_id == institution_id)
    if q:
        pattern = contains_pattern(q.lower())
        stmt = stmt.where(or_(func.lower(Decision.text).like(pattern, escape="\\"),
                              func.lower(Decision.number).like(pattern, escape="\\")))
    return stmt.options(selectinload(Decision.responsible_institution),
                        selectinload(Decision.meeting), selectinload(Decision.progress)).order_by(
        *DECISION_LIST.default_order())


#: The execution table's columns to sort by (issue 18.3); newest decision first by default.
DECISION_LIST = ListSpec(
    "decisions.group_decisions",
    sorts={"number": lambda: (Decision.year, Decision.seq), "due": lambda: (Decision.due_date,),
           "status": lambda: (Decision.status,)},
    default_sort="-number", tiebreak=lambda: (Decision.id.desc(),))


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
