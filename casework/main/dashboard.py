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

Work queues (issue 11): case managers also get the referrals waiting for triage (overdue
first) and the reviews due of their cases; heads of service the reviews due of the service, the
annual report waiting for their approval and the case managers over the caseload band;
coordinators the state of the annual report (returned, and the deadline); inspectors the
submitted reports waiting for review and the municipalities whose report is overdue; data
protection officers the flagged (break-glass) accesses of the last 30 days. Administrators
have no queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from casework import deadlines
from casework.auth.models import Role
from casework.cases.models import Case
from casework.cases.queries import visible_cases
from casework.db_types import in_ids
from casework.extensions import db
from casework.groups.models import Decision, Meeting
from casework.groups.queries import visible_group_ids
from casework.tasks.models import Task
from workflows import pick_label
from workflows.policy import local_date

UPCOMING_DAYS = 14
FLAGGED_DAYS = 30
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


def first_rows(stmt, order, load=lambda row: ()) -> tuple[list, int]:
    """The first ``ROW_LIMIT`` objects of ``stmt`` (a select of one entity) and how many there
    are in all, in one query (a window count), so that a section costs the same whatever the
    size of the municipality. ``order(row)`` and ``load(row)`` give the order and the loader
    options on the counted rows: the count is taken in a subquery and the order applied
    outside it, because ``ORDER BY ... LIMIT`` on the query itself tempted PostgreSQL to walk a
    whole national index in that order (240 ms) instead of reading the municipality's rows."""
    from sqlalchemy.orm import aliased

    model = stmt.column_descriptions[0]["entity"]
    counted = stmt.add_columns(func.count().over().label("total")).subquery()
    row = aliased(model, counted)
    rows = db.session.execute(select(row, counted.c.total).options(*load(row))
                              .order_by(*order(row)).limit(ROW_LIMIT)).all()
    return [r[0] for r in rows], (rows[0][-1] if rows else 0)


class _Groups:
    """The groups whose meetings and decisions the user may see, read once per start page
    (on first use) and shared by its sections."""

    def __init__(self, user, now: datetime) -> None:
        self.user, self.now, self._ids = user, now, None

    def ids(self) -> list[int]:
        if self._ids is None:
            self._ids = visible_group_ids(self.user, self.now)
        return self._ids

    def meetings(self):
        """A select of the meetings of those groups (in the user's municipality)."""
        return select(Meeting).where(Meeting.municipality_id == self.user.municipality_id,
                                     in_ids(Meeting.group_id, self.ids()))


def build_dashboard(user, now: datetime) -> list[Section]:
    """The sections of ``user``'s start page at ``now``, in display order."""
    if not user.is_authenticated:
        return []
    today = local_date(now)
    groups = _Groups(user, now)
    sections: list[Section] = []
    if user.municipality_id is None:
        if user.has_role(Role.INSPECTOR):
            sections += [reports_waiting_for_review(), overdue_municipalities(today)]
        return sections
    if user.has_role(Role.CASE_MANAGER):
        sections.append(referrals_to_triage(user, now))
    if user.has_role(Role.CASE_MANAGER, Role.HEAD_OF_SERVICE):
        sections.append(reviews_due(user, today))
    if user.has_role(Role.HEAD_OF_SERVICE):
        sections.append(report_awaiting_approval(user, today))
        sections.append(caseload_over_band(user, today))
    if user.has_role(Role.COORDINATOR):
        sections.append(annual_report_state(user, today))
    if user.has_role(*_TASKED):
        sections.append(my_overdue_tasks(user, today))
    if user.has_role(*_SUPERVISING):
        sections.append(institution_overdue_tasks(user, today, groups))
    if user.has_role(*_TASKED):
        sections.append(upcoming_meetings(user, now, groups))
    if user.has_role(*_CONVENING):
        sections.append(red_cases_without_meeting(user, now))
    if user.has_role(Role.COORDINATOR):
        sections.append(municipality_red_cases_count(user, now))
    if user.has_role(*_RUNNING_MEETINGS):
        sections.append(minutes_waiting(user, now, groups))
    if user.has_role(*_TASKED):
        sections.append(decisions_past_due(user, today, groups))
    if user.has_role(Role.AUDITOR):
        sections.append(flagged_accesses(user, now))
    return sections


# -- referrals and reviews --------------------------------------------------------------------
def referrals_to_triage(user, now: datetime) -> Section:
    """Referrals of the municipality waiting for triage, the overdue first, then by deadline;
    no child's name (the triage page shows it)."""
    from casework.cases.models import Referral
    from workflows.risk_profile import RISK_LABELS

    referrals = db.session.scalars(
        select(Referral).where(Referral.municipality_id == user.municipality_id,
                               Referral.outcome.is_(None))
        .order_by(Referral.triage_due_at, Referral.id).limit(ROW_LIMIT)).all()
    rows = []
    for referral in referrals:
        label = RISK_LABELS.get(referral.proposed_urgency)
        rows.append(Row(_("Referral of %(date)s", date=_day(referral.received_at)),
                        link("cases.triage", referral_id=referral.id), referral.triage_due_at,
                        _("proposed: %(risk)s", risk=pick_label(label, str(get_locale())))
                        if label else None, late=referral.triage_due_at < now))
    return Section("referrals_to_triage", _l("Referrals to triage"),
                   _l("No referrals are waiting for triage."), rows,
                   more_href=link("cases.triage_queue"))


def reviews_due(user, today: date) -> Section:
    """Cases due for review today or earlier: the case manager's own cases; for a head of
    service, every case of the service."""
    stmt = deadlines.reviews_due(today, user.municipality_id).where(
        Case.id.in_(visible_cases(user).with_only_columns(Case.id)))
    if user.has_role(Role.HEAD_OF_SERVICE):
        stmt = stmt.where(Case.owner_institution_id == user.institution_id)
    else:
        stmt = stmt.where(Case.case_manager_id == user.id)
    cases = db.session.scalars(stmt.order_by(Case.next_review_due, Case.id)
                               .limit(ROW_LIMIT)).all()
    rows = [Row(case.number, link("cases.case", case_id=case.id), case.next_review_due,
                late=case.next_review_due < today) for case in cases]
    return Section("reviews_due", _l("Case reviews due"), _l("No case reviews are due."), rows,
                   more_href=link("cases.cases", review_overdue=1))


# -- the annual report ------------------------------------------------------------------------
def _report_row(report, year: int, note: str | None = None, late: bool = False) -> Row:
    return Row(_("Annual report on %(year)s", year=year),
               link("reports.annual", year=year), None, note, late=late)


def report_awaiting_approval(user, today: date) -> Section:
    """The municipality's annual report when it waits for the head of service's approval."""
    from casework.reports.models import AnnualReport

    reports = db.session.scalars(
        select(AnnualReport).where(AnnualReport.municipality_id == user.municipality_id,
                                   AnnualReport.status == "in_review")
        .order_by(AnnualReport.year)).all()
    return Section("report_awaiting_approval", _l("Annual report awaiting your approval"),
                   _l("No report is waiting for approval."),
                   [_report_row(r, r.year) for r in reports])


def annual_report_state(user, today: date) -> Section:
    """For the coordinator: reports returned to them, and this season's report with its
    deadline (31 March by default) until it is submitted."""
    from casework.policies.operations import policy_for
    from casework.reports.models import AnnualReport
    from workflows.annual_report import STATUS_LABELS
    from workflows.policy import annual_report_overdue_from

    year = today.year - 1
    reports = {r.year: r for r in db.session.scalars(
        select(AnnualReport).where(AnnualReport.municipality_id == user.municipality_id,
                                   (AnnualReport.status == "returned")
                                   | (AnnualReport.year == year)))}
    locale = str(get_locale())
    rows = []
    for y, report in sorted(reports.items()):
        if report.status == "returned" or (report.status == "draft" and report.return_comment):
            rows.append(_report_row(report, y, _("returned: %(comment)s",
                                                 comment=report.return_comment or "—"),
                                    late=True))
    current = reports.get(year)
    if current is None or current.status not in ("submitted", "accepted", "returned"):
        overdue_from = annual_report_overdue_from(year, policy_for(user.municipality_id))
        due = overdue_from - timedelta(days=1)
        status = pick_label(STATUS_LABELS[current.status], locale) if current else \
            _("not started")
        if not any(row.href == link("reports.annual", year=year) for row in rows):
            rows.append(_report_row(current, year, _("%(status)s, due %(date)s", status=status,
                                                     date=format_date(due, "dd.MM.yyyy")),
                                    late=today >= overdue_from))
    return Section("annual_report", _l("Annual report"),
                   _l("The annual report has been submitted; nothing is waiting."), rows)


def reports_waiting_for_review() -> Section:
    """For the authority's inspector: submitted reports not yet accepted or returned."""
    from casework.orgs.models import Municipality
    from casework.reports.models import AnnualReport

    rows = db.session.execute(
        select(Municipality.name, Municipality.atvk_code, AnnualReport.year,
               AnnualReport.submitted_at)
        .join(AnnualReport, AnnualReport.municipality_id == Municipality.id)
        .where(AnnualReport.status == "submitted")
        .order_by(AnnualReport.submitted_at, Municipality.name).limit(ROW_LIMIT)).all()
    return Section("reports_waiting", _l("Submitted reports waiting for review"),
                   _l("No reports are waiting for review."),
                   [Row(f"{name} · {year}", link("reports.submitted", atvk=atvk,
                                        year=year), submitted)
                    for name, atvk, year, submitted in rows],
                   more_href=link("reports.municipalities"))


def overdue_municipalities(today: date) -> Section:
    """For the inspector: municipalities whose report on last year is overdue."""
    from casework.reports.queries import statuses_for_year

    year = today.year - 1
    late = [s for s in statuses_for_year(year, on=today) if s.overdue]
    return Section("overdue_municipalities", _l("Municipalities with an overdue report"),
                   _l("No municipality's report is overdue."),
                   [Row(f"{s.municipality.name} · {year}", None, None, late=True)
                    for s in late[:ROW_LIMIT]],
                   more_href=link("reports.municipalities", year=year))


# -- caseload and the audit log ---------------------------------------------------------------
def caseload_over_band(user, today: date) -> Section:
    """Case managers of the head's service over the policy's caseload band."""
    from casework.cases.queries import caseload
    from casework.policies.operations import policy_for
    from workflows.policy import caseload_limit

    policy = policy_for(user.municipality_id)
    limit = caseload_limit(policy, today)
    rows = [Row(manager.full_name, link("cases.caseload"), None,
                _("%(count)s active cases (limit %(limit)s)", count=cases, limit=limit),
                late=True)
            for manager, cases, children in db.session.execute(caseload(user, today))
            if cases > limit or children > policy.children_under_12_limit]
    return Section("caseload_over_band", _l("Case managers over the caseload band"),
                   _l("Every case manager is within the caseload band."), rows)


def flagged_accesses(user, now: datetime) -> Section:
    """For the data protection officer: flagged (break-glass) events of the last 30 days."""
    from casework.audit.models import AuditEvent
    from casework.auth.models import User

    events = db.session.execute(
        select(AuditEvent.at, User.full_name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.municipality_id == user.municipality_id,
               AuditEvent.flagged.is_(True),
               AuditEvent.at >= now - timedelta(days=FLAGGED_DAYS))
        .order_by(AuditEvent.at.desc()).limit(ROW_LIMIT)).all()
    return Section("flagged_accesses", _l("Emergency accesses in the last 30 days"),
                   _l("No emergency access in the last 30 days."),
                   [Row(name or "—", link("audit.events", action="case_break_glass"), at,
                        late=True) for at, name in events],
                   more_href=link("audit.events", action="case_break_glass"))


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
        .where(Task.assignee_id == user.id), lambda t: (t.due_date, t.id))
    return Section("my_overdue_tasks", _l("Your overdue tasks"),
                   _l("You have no overdue tasks."), _task_rows(user, tasks, with_assignee=False),
                   more_href=link("tasks.my_tasks"), total=total)


def institution_overdue_tasks(user, today: date, groups: _Groups) -> Section:
    """Overdue tasks of the user's institution (others' too), revealing no hidden case."""
    from casework.tasks.queries import confidentiality_clause

    tasks, total = first_rows(
        deadlines.overdue_tasks(today, user.municipality_id)
        .where(Task.assignee_institution_id == user.institution_id,
               confidentiality_clause(user, groups.ids())),
        lambda t: (t.due_date, t.id), lambda t: (selectinload(t.assignee),))
    return Section("institution_overdue_tasks", _l("Overdue tasks of your institution"),
                   _l("Your institution has no overdue tasks."),
                   _task_rows(user, tasks, with_assignee=True),
                   more_href=link("tasks.institution_tasks"), total=total)


# -- meetings ---------------------------------------------------------------------------------
def _meeting_text(meeting: Meeting) -> str:
    return (f"{meeting.group.display_name}: {meeting.title}" if meeting.title
            else meeting.group.display_name)


def meeting_href(meeting: Meeting) -> str | None:
    return link("groups.meeting", meeting_id=meeting.id)


def upcoming_meetings(user, now: datetime, groups: _Groups) -> Section:
    """Meetings the user may see that are under way or start within 14 days."""
    meetings, total = first_rows(
        groups.meetings()
        .where(Meeting.status != "cancelled", Meeting.ends_at > now,
               Meeting.starts_at < now + timedelta(days=UPCOMING_DAYS)),
        lambda m: (m.starts_at, m.id),
        lambda m: (selectinload(m.group), selectinload(m.attendance)))
    rows = []
    for meeting in meetings:
        invited = any(a.user_id == user.id for a in meeting.attendance)
        rows.append(Row(_meeting_text(meeting), meeting_href(meeting), meeting.starts_at,
                        _("you are invited") if invited else None))
    return Section("upcoming_meetings", _l("Meetings in the next 14 days"),
                   _l("No meetings in the next 14 days."), rows,
                   more_href=link("calendars.month"), total=total)


def minutes_waiting(user, now: datetime, groups: _Groups) -> Section:
    """Held meetings the user may see whose minutes are not approved; late ones marked (the
    shown meetings' deadlines, ``deadlines.late_minutes``)."""
    meetings, total = first_rows(
        groups.meetings().where(*deadlines.held_without_approved_minutes()),
        lambda m: (m.held_at, m.id), lambda m: (selectinload(m.group),))
    late = deadlines.late_minutes(meetings, now)
    rows = []
    for meeting in meetings:
        deadline = late.get(meeting.id)
        note = _("late since %(date)s", date=_day(deadline)) if deadline else None
        rows.append(Row(_meeting_text(meeting), meeting_href(meeting),
                        meeting.held_at or meeting.starts_at, note, late=deadline is not None))
    return Section("minutes_waiting", _l("Minutes waiting for approval"),
                   _l("No minutes are waiting for approval."), rows, total=total)


# -- cases and decisions ----------------------------------------------------------------------
def _case_keys(stmt):
    """``stmt`` reading a case's id and number as one column, not the whole case."""
    from sqlalchemy.orm import Bundle

    return stmt.with_only_columns(Bundle("case", Case.id, Case.number))


def red_cases_without_meeting(user, now: datetime) -> Section:
    """Red cases the user may see whose group has not met within the convening deadline."""
    # The number and id only, not whole cases: a service may have hundreds of late red cases.
    late = deadlines.red_cases_without_meeting(now, stmt=_case_keys(visible_cases(user)))
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
    count = len(deadlines.red_cases_without_meeting(
        now, municipality_id=user.municipality_id, stmt=_case_keys(select(Case))))
    return Section("municipality_red_cases",
                   _l("Red cases in the municipality whose group has not met in time"),
                   _l("None in the municipality."), count_only=count)


def decisions_past_due(user, today: date, groups: _Groups) -> Section:
    """Published decisions the user may see that are not executed by their due date."""
    decisions, total = first_rows(
        deadlines.decisions_past_due(today, user.municipality_id)
        .where(in_ids(Decision.group_id, groups.ids())),
        lambda d: (d.due_date, d.id), lambda d: (selectinload(d.group),))
    rows = [Row(f"{d.number or d.id} · {d.group.display_name}",
                link("decisions.decision", decision_id=d.id), d.due_date, late=True)
            for d in decisions]
    return Section("decisions_past_due", _l("Decisions past their due date"),
                   _l("No decisions are past their due date."), rows, total=total)
