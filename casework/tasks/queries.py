"""Reads of issued tasks, scoped to what the user may see (deny by default, in SQL).

A task is listed only once issued (a draft in unapproved minutes is nobody's task yet), only in
the user's municipality, and only to someone who may see what it belongs to: its case, its
meeting and its decision, through the same visibility as those (``task_visibility``); its
assignee always sees their own task. The lists, the task page and every change of a task load
through the same select, so a task one may not see is "not found" everywhere.

Lists put open tasks first, the earliest deadline (so the overdue ones) on top, then the tasks
done or cancelled recently, the latest first.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort
from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm import selectinload

from casework.cases.models import Case
from casework.cases.queries import case_visibility
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.models import Decision, Meeting
from casework.listing import ListSpec, contains_pattern
from casework.tasks.models import Task

#: The status filter: "" lists open tasks and those closed in the last RECENT_DAYS days.
STATUS_FILTERS = ("open", "done", "cancelled", "all")
RECENT_DAYS = 30


def _visible_case_ids(user):
    return select(Case.id).where(case_visibility(user))


def task_visibility(user, group_ids: list[int] | None = None):
    """The SQL condition "``user`` may see this task": its assignee always; anyone else only
    when they may see everything the task belongs to, through the same visibility as its case
    (``case_visibility``), its meeting or its decision (``group_content_visibility``).

    A task of a strategic group is thus seen by the group's members, lead and the coordinators,
    not by an administrator, a data protection officer or a colleague of the assignee. The few
    tasks that belong to nothing are seen by their assignee's institution and their issuer.

    ``group_ids``, when the page has read them already (``visible_group_ids``), are the groups
    whose meetings and decisions the user may see: the task's meeting or decision is then
    checked against them instead of deriving them again per task.
    """
    from casework.db_types import in_ids
    from casework.groups.queries import visible_decisions, visible_meetings

    linked = (Task.case_id.is_not(None), Task.meeting_id.is_not(None),
              Task.decision_id.is_not(None))
    # The task's own meeting and decision are looked up by key (a correlated EXISTS), not
    # matched against every meeting and decision the user may see. ``OFFSET 0`` keeps
    # PostgreSQL from turning the EXISTS back into a hash of all of them.
    if group_ids is None:
        meeting_seen = visible_meetings(user).with_only_columns(Meeting.id).where(
            Meeting.id == Task.meeting_id).offset(0).exists()
        decision_seen = visible_decisions(user).with_only_columns(Decision.id).where(
            Decision.id == Task.decision_id).offset(0).exists()
    else:
        meeting_seen = select(Meeting.id).where(
            Meeting.id == Task.meeting_id, in_ids(Meeting.group_id, group_ids)).exists()
        decision_seen = select(Decision.id).where(
            Decision.id == Task.decision_id, in_ids(Decision.group_id, group_ids)).exists()
    return or_(
        Task.assignee_id == user.id,
        and_(
            or_(Task.case_id.is_(None), Task.case_id.in_(_visible_case_ids(user))),
            or_(Task.meeting_id.is_(None), meeting_seen),
            or_(Task.decision_id.is_(None), decision_seen),
            or_(*linked, Task.assignee_institution_id == user.institution_id,
                Task.created_by_id == user.id),
        ),
    )


#: The dashboard's name for the same rule: a listed task reveals nothing the user may not see.
confidentiality_clause = task_visibility


def _issued(user):
    if not user.is_authenticated or user.municipality_id is None:
        return select(Task).where(false())
    return select(Task).where(Task.municipality_id == user.municipality_id,
                              Task.issued_at.is_not(None), task_visibility(user))


def visible_tasks(user):
    """Issued tasks ``user`` may see (lists, the task page and every change start here)."""
    return _issued(user)


def get_task_or_404(task_id: int, user) -> Task:
    """The task if ``user`` may see it; otherwise 404 (never 403)."""
    found = db.session.scalar(visible_tasks(user).where(Task.id == task_id))
    if found is None:
        abort(404)
    return found


def overdue_clause(today: date):
    """Open and past its deadline (the due day itself is still in time)."""
    return and_(Task.status == "open", Task.due_date < today)


def _listed(stmt, *, today: date, status: str | None, q: str | None = None):
    if status in ("open", "done", "cancelled"):
        stmt = stmt.where(Task.status == status)
    elif status != "all":
        since = utcnow() - timedelta(days=RECENT_DAYS)
        stmt = stmt.where(or_(Task.status == "open", Task.closed_at >= since))
    if q:
        stmt = stmt.where(func.lower(Task.title).like(contains_pattern(q.lower()), escape="\\"))
    return (stmt.add_columns(overdue_clause(today).label("overdue"))
            .order_by(*TASK_LIST.default_order()))


def _open_first():
    """Open tasks first, the earliest deadline on top; then the latest closed."""
    return (case((Task.status == "open", 0), else_=1),
            case((Task.status == "open", Task.due_date), else_=None), Task.closed_at.desc())


#: The task lists' columns to sort by (issue 18.3); the default is the open-first order.
TASK_LIST = ListSpec(
    "tasks.my_tasks",
    sorts={"urgent": _open_first, "deadline": lambda: (Task.due_date,),
           "status": lambda: (Task.status,), "issued": lambda: (Task.issued_at,)},
    default_sort="urgent", tiebreak=lambda: (Task.id,))


def my_tasks(user, *, today: date, status: str | None = None, q: str | None = None):
    """Rows of ``(Task, overdue)`` assigned to ``user``."""
    return _listed(_issued(user).where(Task.assignee_id == user.id), today=today,
                   status=status, q=q)


def institution_tasks(user, *, today: date, status: str | None = None, q: str | None = None):
    """Rows of ``(Task, overdue)`` assigned to ``user``'s institution."""
    if user.institution_id is None:
        return _listed(select(Task).where(false()), today=today, status=status, q=q)
    # The list names each task's assignee: load them with the rows, not one query per row.
    return _listed(_issued(user).where(Task.assignee_institution_id == user.institution_id)
                   .options(selectinload(Task.assignee)), today=today, status=status, q=q)


def case_links(user, tasks) -> dict[int, tuple[str, bool]]:
    """For the tasks' cases: ``{case_id: (number, user may see the case)}``; the number is
    shown as a link only to those who may see the case."""
    ids = {t.case_id for t in tasks if t.case_id is not None}
    if not ids:
        return {}
    visible = set(db.session.scalars(
        select(Case.id).where(Case.id.in_(ids), case_visibility(user))))
    return {cid: (number, cid in visible) for cid, number in db.session.execute(
        select(Case.id, Case.number).where(Case.id.in_(ids)))}

