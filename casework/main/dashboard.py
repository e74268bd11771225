"""The start page's dashboard: per role, what needs attention now (DESIGN.md §4, §5).

Each section is built here from the shared deadline queries (``casework.deadlines``) narrowed by
the user's visibility in SQL, so the start page shows nothing that the user could not open, and
templates only render rows. One query per section (related rows loaded with ``selectinload``).

Sections by role:

- overdue tasks of the user: everyone who is given tasks (coordinator, head of service, case
  manager, specialist); overdue tasks of the user's institution: heads of service and
  coordinators (only tasks that reveal no case they may not see);
- meetings in the next 14 days that the user may see: the same four roles;
- red cases whose group has not met within policy: case managers and heads of service (cases
  they may see, with links); the coordinator gets only the municipality's count;
- minutes waiting for approval (held meetings the user may see; late ones marked): those who
  run meetings (coordinator, head of service, case manager);
- decisions past due that the user may see: the four roles.

Administrators, auditors and inspectors see their shortcuts only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from casework import deadlines
from casework.auth.models import Role
from casework.cases.queries import visible_cases
from casework.extensions import db
from casework.groups.models import Decision, Meeting
from casework.groups.queries import group_content_visibility, visible_meetings
from casework.tasks.models import Task
from workflows.policy import local_date

UPCOMING_DAYS = 14
#: Rows shown per section; the heading gives the full count and "See all" leads to the list.
ROW_LIMIT = 25

_TASKED = (Role.COORDINATOR, Role.HEAD_OF_SERVICE, Role.CASE_MANAGER, Role.SPECIALIST)
_SUPERVISING = (Role.COORDINATOR, Role.HEAD_OF_SERVICE)
_CONVENING = (Role.CASE_MANAGER, Role.HEAD_OF_SERVICE)
_RUNNING_MEETINGS = (Role.COORDINATOR, Role.HEAD_OF_SERVICE, Role.CASE_MANAGER)


@dataclass
class Row:
    """One line of a section: a text, an optional link, a date or time, a note, late or not."""

    text: str
    href: str | None = None
    when: date | datetime | None = None
    note: str | None = None
    late: bool = False


@dataclass
class Section:
    """A block of the dashboard: its rows, or only a count when the rows may not be shown."""

    key: str
    title: object
    empty: object
    rows: list[Row] = field(default_factory=list)
    count_only: int | None = None
    more_href: str | None = None
    #: How many rows there are in all when only the first ``ROW_LIMIT`` are shown.
    total: int | None = None

    @property
    def count(self) -> int:
        if self.count_only is not None:
            return self.count_only
        return self.total if self.total is not None else len(self.rows)


def _day(moment: datetime) -> str:
    return format_date(local_date(moment), "dd.MM.yyyy")


def link(endpoint: str, **values) -> str:
    """The URL of ``endpoint`` with ``values``."""
    return url_for(endpoint, **values)


def first_rows(stmt) -> tuple[list, int]:
    """The first ``ROW_LIMIT`` objects of ``stmt`` and how many there are in all, in one query
    (a window count), so that a section costs the same whatever the size of the municipality."""
    rows = db.session.execute(stmt.add_columns(func.count().over()).limit(ROW_LIMIT)).all()
    return [r[0] for r in rows], (rows[0][-1] if rows else 0)


def build_dashboard(user, now: datetime) -> list[Section]:
    """The sections of ``user``'s start page at ``now``, in display order."""
    if not user.is_authenticated or user.municipality_id is None:
        return []
    today = local_date(now)
    sections: list[Section] = []
    if user.has_role(*_TASKED):
        sections.append(my_overdue_tasks(user, today))
    if user.has_role(*_SUPERVISING):
        sections.append(institution_overdue_tasks(user, today))
    if user.has_role(*_TASKED):
        sections.append(upcoming_meetings(user, now))
    if user.has_role(*_CONVENING):
        sections.append(red_cases_without_meeting(user, now))
    if user.has_role(Role.COORDINATOR):
        sections.append(municipality_red_cases_count(user, now))
    if user.has_role(*_RUNNING_MEETINGS):
        sections.append(minutes_waiting(user, now))
    if user.has_role(*_TASKED):
        sections.append(decisions_past_due(user, today))
    return sections


# -- tasks ------------------------------------------------------------------------------------
def _task_rows(user, tasks, *, with_assignee: bool) -> list[Row]:
    from casework.tasks.queries import case_links

    cases = case_links(user, tasks)
    rows = []
    for task in tasks:
        notes = []
        if task.case_id in cases:
            number, _visible = cases[task.case_id]
            notes.append(_("case %(number)s", number=number))
        if with_assignee:
            notes.append(task.assignee.full_name)
        rows.append(Row(task.title, link("tasks.task", task_id=task.id), task.due_date,
                        " · ".join(notes) or None, late=True))
    return rows


def my_overdue_tasks(user, today: date) -> Section:
    """Open, issued tasks assigned to the user whose deadline has passed."""
    tasks, total = first_rows(
        deadlines.overdue_tasks(today, user.municipality_id)
        .where(Task.assignee_id == user.id).order_by(Task.due_date, Task.id))
    return Section("my_overdue_tasks", _l("Your overdue tasks"),
                   _l("You have no overdue tasks."), _task_rows(user, tasks, with_assignee=False),
                   more_href=link("tasks.my_tasks"), total=total)


def institution_overdue_tasks(user, today: date) -> Section:
    """Overdue tasks of the user's institution (others' too), revealing no hidden case."""
    from casework.tasks.queries import confidentiality_clause

    tasks, total = first_rows(
        deadlines.overdue_tasks(today, user.municipality_id)
        .where(Task.assignee_institution_id == user.institution_id,
               confidentiality_clause(user))
        .options(selectinload(Task.assignee)).order_by(Task.due_date, Task.id))
    return Section("institution_overdue_tasks", _l("Overdue tasks of your institution"),
                   _l("Your institution has no overdue tasks."),
                   _task_rows(user, tasks, with_assignee=True),
                   more_href=link("tasks.institution_tasks"), total=total)


# -- meetings ---------------------------------------------------------------------------------
def _meeting_text(meeting: Meeting) -> str:
    return f"{meeting.group.name}: {meeting.title}" if meeting.title else meeting.group.name


def meeting_href(meeting: Meeting) -> str | None:
    return link("groups.meeting", meeting_id=meeting.id)


def upcoming_meetings(user, now: datetime) -> Section:
    """Meetings the user may see that are under way or start within 14 days."""
    meetings, total = first_rows(
        visible_meetings(user)
        .where(Meeting.status != "cancelled", Meeting.ends_at > now,
               Meeting.starts_at < now + timedelta(days=UPCOMING_DAYS))
        .options(selectinload(Meeting.group), selectinload(Meeting.attendance))
        .order_by(Meeting.starts_at, Meeting.id))
    rows = []
    for meeting in meetings:
        invited = any(a.user_id == user.id for a in meeting.attendance)
        rows.append(Row(_meeting_text(meeting), meeting_href(meeting), meeting.starts_at,
                        _("you are invited") if invited else None))
    return Section("upcoming_meetings", _l("Meetings in the next 14 days"),
                   _l("No meetings in the next 14 days."), rows,
                   more_href=link("calendars.month"), total=total)


def minutes_waiting(user, now: datetime) -> Section:
    """Held meetings the user may see whose minutes are not approved; late ones marked."""
    meetings, total = first_rows(
        visible_meetings(user).where(Meeting.status == "held")
        .options(selectinload(Meeting.group)).order_by(Meeting.held_at, Meeting.id))
    late = {item.row.id: item.deadline for item in deadlines.minutes_not_approved(
        now, stmt=visible_meetings(user).where(Meeting.id.in_([m.id for m in meetings])))
    } if meetings else {}
    rows = []
    for meeting in meetings:
        deadline = late.get(meeting.id)
        note = _("late since %(date)s", date=_day(deadline)) \
            if deadline else None
        rows.append(Row(_meeting_text(meeting), meeting_href(meeting),
                        meeting.held_at or meeting.starts_at, note, late=deadline is not None))
    return Section("minutes_waiting", _l("Minutes waiting for approval"),
                   _l("No minutes are waiting for approval."), rows, total=total)


# -- cases and decisions ----------------------------------------------------------------------
def red_cases_without_meeting(user, now: datetime) -> Section:
    """Red cases the user may see whose group has not met within the convening deadline."""
    late = deadlines.red_cases_without_meeting(now, stmt=visible_cases(user))
    late.sort(key=lambda item: (item.deadline, item.row.number))
    rows = [Row(item.row.number, link("cases.case", case_id=item.row.id), None,
                _("the group should have met by %(date)s",
                  date=_day(item.deadline)), late=True)
            for item in late[:ROW_LIMIT]]
    return Section("red_cases", _l("Red cases whose group has not met in time"),
                   _l("Every red case's group has met in time."), rows, total=len(late))


def municipality_red_cases_count(user, now: datetime) -> Section:
    """For the coordinator: how many red cases of the municipality wait for their group to
    meet; a number only, no case content."""
    count = len(deadlines.red_cases_without_meeting(now, municipality_id=user.municipality_id))
    return Section("municipality_red_cases",
                   _l("Red cases in the municipality whose group has not met in time"),
                   _l("None in the municipality."), count_only=count)


def decisions_past_due(user, today: date) -> Section:
    """Published decisions the user may see that are not executed by their due date."""
    decisions, total = first_rows(
        deadlines.decisions_past_due(today, user.municipality_id)
        .where(group_content_visibility(user))
        .options(selectinload(Decision.group))
        .order_by(Decision.due_date, Decision.id))
    rows = [Row(f"{d.number or d.id} · {d.group.name}",
                link("decisions.decision", decision_id=d.id), d.due_date, late=True)
            for d in decisions]
    return Section("decisions_past_due", _l("Decisions past their due date"),
                   _l("No decisions are past their due date."), rows, total=total)
