"""The scheduler's sweeps: each one is a "due and not yet notified" query (DESIGN.md §5).

Every sweep is a function ``(now) -> int`` returning how many notifications (or anonymised
cases) it created. It only flushes; the job runner commits once. A sweep is idempotent because
every notification has a de-duplication key naming the occurrence (the task and its due date,
the case and the moment it turned red...): running it twice, or in two processes at once, adds
nothing, while a new occurrence (a new due date, turning red again) gets a new key and is told
again. Recipients are narrowed to the users who may see the case (``who_may_see_case``), and
texts say only a case number, what is due and a link, never a child's name or details.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext
from sqlalchemy import select, update

from casework import deadlines
from casework.audit.operations import record
from casework.auth.models import User
from casework.cases.models import Case, CasePerson, ClientParticipation, Note, Referral
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.models import CooperationGroup, Decision, Meeting
from casework.notifications import mail
from casework.notifications.operations import (
    case_link,
    heads_of_service,
    notify,
    notify_many,
    users_with_role,
    who_may_see_case,
)
from casework.orgs.models import Municipality
from casework.policies.operations import calendar_for, policy_for
from casework.reports.models import AnnualReport
from casework.tasks.models import Task
from workflows.policy import (
    annual_report_overdue_from,
    annual_report_reminder_dates,
    local_date,
)

#: Replaces names and free texts of an anonymised case.
ANONYMISED = "Anonimizēts"
#: Annual reports in these states need no reminder.
REPORT_DONE = ("submitted", "accepted")
TASKS_LINK = "/tasks"
REPORTS_LINK = "/reports"


def _day(d: date) -> str:
    return d.strftime("%d.%m.%Y")


class _Calendars(dict):
    """Working-day calendars per municipality, loaded once per sweep."""

    def __missing__(self, municipality_id):
        self[municipality_id] = calendar_for(municipality_id)
        return self[municipality_id]


def _case(case_id: int | None) -> Case | None:
    return db.session.get(Case, case_id) if case_id is not None else None


def _case_watchers(case: Case) -> list[int]:
    """The case manager, or the head of service when the case has none."""
    if case.case_manager_id is not None:
        return [case.case_manager_id]
    return heads_of_service(case.owner_institution_id)


# -- tasks ------------------------------------------------------------------------------------
def _task_target(task: Task, user_id: int, now: datetime) -> tuple[str, str | None]:
    """The link and the case number a user may be shown for a task."""
    case = _case(task.case_id)
    if case is not None and who_may_see_case([user_id], case.id, now):
        return case_link(case.id), case.number
    return TASKS_LINK, None


def task_due(now: datetime) -> int:
    """Tasks due on the next working day: remind the assignee the working day before.

    A task due on a weekend or a holiday is reminded of with the next working day's tasks
    (on Tuesday 17 November 2026 for Wednesday 18, a holiday, and Thursday 19).
    Key ``task_due:t<id>:<due date>``: a new due date reminds again.
    """
    today = local_date(now)
    calendars = _Calendars()
    created = 0
    # Candidates up to two weeks ahead; the calendar decides (no gap between working days is
    # that long).
    tasks = db.session.scalars(
        deadlines.issued_open_tasks().where(Task.due_date > today,
                                            Task.due_date <= today + timedelta(days=14))
        .order_by(Task.id)).all()
    for task in tasks:
        if task.due_date > calendars[task.municipality_id].add_working_days(today, 1):
            continue
        link, number = _task_target(task, task.assignee_id, now)
        text = (gettext("Task of case %(number)s due on %(date)s.", number=number,
                        date=_day(task.due_date)) if number else
                gettext("Task due on %(date)s.", date=_day(task.due_date)))
        created += notify(task.assignee_id, "task_due", text, link,
                          f"task_due:t{task.id}:{task.due_date.isoformat()}",
                          task.municipality_id)
    return created


def _task_lead(task: Task) -> int | None:
    """Who is told when a task stays overdue: the lead of its group (for a case, the group's
    lead or else the case manager)."""
    if task.case_id is not None:
        case = _case(task.case_id)
        lead = db.session.scalar(select(CooperationGroup.lead_id)
                                 .where(CooperationGroup.case_id == task.case_id))
        return lead or (case.case_manager_id if case else None)
    group_id = None
    if task.decision_id is not None:
        group_id = db.session.scalar(select(Decision.group_id)
                                     .where(Decision.id == task.decision_id))
    elif task.meeting_id is not None:
        group_id = db.session.scalar(select(Meeting.group_id)
                                     .where(Meeting.id == task.meeting_id))
    if group_id is None:
        return None
    return db.session.scalar(select(CooperationGroup.lead_id)
                             .where(CooperationGroup.id == group_id))


def _lead_link(task: Task) -> str:
    if task.case_id is not None:
        return case_link(task.case_id)
    group_id = db.session.scalar(select(Decision.group_id).where(
        Decision.id == task.decision_id)) if task.decision_id else db.session.scalar(
        select(Meeting.group_id).where(Meeting.id == task.meeting_id))
    return f"/groups/{group_id}" if group_id else TASKS_LINK


def task_overdue(now: datetime) -> int:
    """Overdue tasks: the assignee from the day after the deadline; the group's lead (for a
    case's task, the case manager) from the next working day after that, if the task is
    still open. Nobody is told about their own task twice.

    Keys ``task_overdue:t<id>:<due date>`` and ``task_overdue_lead:t<id>:<due date>``.
    """
    today = local_date(now)
    calendars = _Calendars()
    created = 0
    tasks = db.session.scalars(deadlines.overdue_tasks(today).order_by(Task.id)).all()
    for task in tasks:
        due = task.due_date.isoformat()
        link, number = _task_target(task, task.assignee_id, now)
        text = (gettext("Task of case %(number)s is overdue (deadline %(date)s).",
                        number=number, date=_day(task.due_date)) if number else
                gettext("Task is overdue (deadline %(date)s).", date=_day(task.due_date)))
        created += notify(task.assignee_id, "task_overdue", text, link,
                          f"task_overdue:t{task.id}:{due}", task.municipality_id)
        escalate_on = calendars[task.municipality_id].add_working_days(task.due_date, 2)
        lead = _task_lead(task)
        if today < escalate_on or lead is None or lead == task.assignee_id:
            continue
        if task.case_id is not None and not who_may_see_case([lead], task.case_id, now):
            continue
        case = _case(task.case_id)
        assignee = db.session.get(User, task.assignee_id)
        text = (gettext("A task of case %(number)s assigned to %(assignee)s is overdue "
                        "(deadline %(date)s).", number=case.number,
                        assignee=assignee.full_name, date=_day(task.due_date)) if case else
                gettext("A task assigned to %(assignee)s is overdue (deadline %(date)s).",
                        assignee=assignee.full_name, date=_day(task.due_date)))
        created += notify(lead, "task_overdue_lead", text, _lead_link(task),
                          f"task_overdue_lead:t{task.id}:{due}", task.municipality_id)
    return created


# -- cases ------------------------------------------------------------------------------------
def review_due(now: datetime) -> int:
    """Cases whose review is due today or earlier: tell the case manager (or, without one, the
    head of service). Key ``review_due:c<id>:<next review date>``: recording the review moves
    the date, so the next one is told again."""
    created = 0
    cases = db.session.scalars(deadlines.reviews_due(local_date(now)).order_by(Case.id)).all()
    for case in cases:
        text = gettext("Review of case %(number)s is due (%(date)s).", number=case.number,
                       date=_day(case.next_review_due))
        created += notify_many(
            who_may_see_case(_case_watchers(case), case.id, now), "review_due", text,
            case_link(case.id), f"review_due:c{case.id}:{case.next_review_due.isoformat()}",
            case.municipality_id)
    return created


def red_no_meeting(now: datetime) -> int:
    """Red cases whose group has not met within the convening deadline: tell the case manager
    and the head of service. Key ``red_no_meeting:c<id>:<turned red at>``: turning red again
    starts a new deadline."""
    created = 0
    for late in deadlines.red_cases_without_meeting(now):
        case = late.row
        recipients = [*_case_watchers(case), *heads_of_service(case.owner_institution_id)]
        text = gettext("Case %(number)s is red and its group has not met by %(date)s.",
                       number=case.number, date=_day(local_date(late.deadline)))
        created += notify_many(
            who_may_see_case(recipients, case.id, now), "red_no_meeting", text,
            case_link(case.id), f"red_no_meeting:c{case.id}:{case.risk_changed_at.isoformat()}",
            case.municipality_id)
    return created


def triage_late(now: datetime) -> int:
    """Referrals still waiting for triage after their deadline: tell the municipality's case
    managers (who triage). Key ``triage_late:r<id>``."""
    created = 0
    referrals = db.session.scalars(
        deadlines.referrals_past_triage(now).order_by(Referral.id)).all()
    for referral in referrals:
        text = gettext("Referral no. %(id)s is waiting for triage past its deadline "
                       "(%(deadline)s).", id=referral.id,
                       deadline=_day(local_date(referral.triage_due_at)))
        created += notify_many(
            users_with_role(referral.municipality_id, "case_manager"), "triage_late", text,
            f"/referrals/{referral.id}/triage", f"triage_late:r{referral.id}",
            referral.municipality_id)
    return created


def minutes_late(now: datetime) -> int:
    """Held meetings whose minutes are not approved within the policy: tell the chair, the
    minute-taker and the group's lead (for a case's group, only those who see the case).
    Key ``minutes_late:m<id>``."""
    created = 0
    for late in deadlines.minutes_not_approved(now):
        meeting = late.row
        group = db.session.get(CooperationGroup, meeting.group_id)
        recipients = {u for u in (meeting.chair_id, meeting.minute_taker_id, group.lead_id) if u}
        held = _day(local_date(meeting.held_at))
        deadline = _day(local_date(late.deadline))
        case = _case(group.case_id)
        if case is not None:
            recipients = who_may_see_case(recipients, case.id, now)
            text = gettext("Minutes of the meeting of %(held)s in case %(number)s are not "
                           "approved (deadline %(deadline)s).", held=held,
                           number=case.number, deadline=deadline)
            link = case_link(case.id)
        else:
            text = gettext("Minutes of the meeting of %(held)s are not approved "
                           "(deadline %(deadline)s).", held=held, deadline=deadline)
            link = f"/groups/{group.id}"
        created += notify_many(recipients, "minutes_late", text, link,
                               f"minutes_late:m{meeting.id}", group.municipality_id)
    return created


def client_not_informed(now: datetime) -> int:
    """Published decisions of a case's group of which the client was not informed within the
    policy: tell the case manager. Key ``client_not_informed:d<id>``."""
    created = 0
    for late in deadlines.clients_not_informed(now):
        decision = late.row
        group = db.session.get(CooperationGroup, decision.group_id)
        case = _case(group.case_id)
        text = gettext("Case %(number)s: the client has not been informed of decision "
                       "%(decision)s (deadline %(deadline)s).", number=case.number,
                       decision=decision.number or decision.id,
                       deadline=_day(local_date(late.deadline)))
        created += notify_many(
            who_may_see_case(_case_watchers(case), case.id, now), "client_not_informed", text,
            case_link(case.id), f"client_not_informed:d{decision.id}", case.municipality_id)
    return created


# -- the annual report ------------------------------------------------------------------------
def annual_report(now: datetime) -> int:
    """Remind the coordinators and heads of service of the annual report on last year: on each
    reminder date (1, 15 and 25 March by default; a missed run catches up with the latest
    date), and once when it is overdue (from 1 April), unless it has been submitted.
    Keys ``annual_report:<municipality>:<year>:<reminder date>`` and
    ``annual_report_overdue:<municipality>:<year>``."""
    today = local_date(now)
    year = today.year - 1
    created = 0
    for municipality_id in db.session.scalars(select(Municipality.id).order_by(Municipality.id)):
        status = db.session.scalar(select(AnnualReport.status).where(
            AnnualReport.municipality_id == municipality_id, AnnualReport.year == year))
        if status in REPORT_DONE:
            continue
        policy = policy_for(municipality_id)
        overdue_from = annual_report_overdue_from(year, policy)
        passed = [d for d in annual_report_reminder_dates(year, policy) if d <= today]
        if today >= overdue_from:
            key = f"annual_report_overdue:{municipality_id}:{year}"
            text = gettext("The annual report on %(year)s is overdue (due by %(date)s).",
                           year=year, date=_day(overdue_from - timedelta(days=1)))
        elif passed:
            key = f"annual_report:{municipality_id}:{year}:{passed[-1].isoformat()}"
            text = gettext("Reminder: the annual report on %(year)s is due by %(date)s.",
                           year=year, date=_day(overdue_from - timedelta(days=1)))
        else:
            continue
        created += notify_many(users_with_role(municipality_id, "coordinator", "head_of_service"),
                               "annual_report", text, REPORTS_LINK, key, municipality_id)
    return created


# -- retention --------------------------------------------------------------------------------
def _years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def _keep_year(d: date | None) -> date | None:
    return date(d.year, 7, 1) if d is not None else None


def anonymise_case(case: Case, now: datetime) -> bool:
    """Replace the personal data of a closed case, keeping its statistics.

    Names become "Anonimizēts", personal codes are removed, birth dates keep only the year (as
    1 July of that year, so the annual report's age bands still count the child), and the
    free texts of notes, participation, the closure reason, the group's minutes and opinions,
    the case's tasks and the referrals linked to the case are replaced; contacts and schools
    are removed, and so are the documents (rows and stored files). The case, its numbers,
    categories, risk history and the append-only case events stay as they are. Returns False
    when another process anonymised it first (the case row is claimed with a guarded UPDATE).
    """
    claimed = db.session.execute(
        update(Case).where(Case.id == case.id, Case.anonymised_at.is_(None))
        .values(anonymised_at=now, version=Case.version + 1,
                closure_reason_text=None if case.closure_reason_text is None else ANONYMISED))
    if claimed.rowcount != 1:
        return False
    persons = db.session.scalars(select(CasePerson).where(CasePerson.case_id == case.id)).all()
    for person in persons:
        person.given_name = person.family_name = ANONYMISED
        person.personal_code = person.contact = person.school = None
        person.birth_date = _keep_year(person.birth_date)
        if person.end_reason:
            person.end_reason = ANONYMISED
    for referral in db.session.scalars(select(Referral).where(Referral.case_id == case.id)):
        referral.child_given_name = referral.child_family_name = ANONYMISED
        referral.child_personal_code = None
        referral.child_birth_date = _keep_year(referral.child_birth_date)
        referral.description = ANONYMISED
        if referral.outcome_reason:
            referral.outcome_reason = ANONYMISED
    db.session.execute(update(Note).where(Note.case_id == case.id).values(text=ANONYMISED))
    for participation in db.session.scalars(
            select(ClientParticipation).where(ClientParticipation.case_id == case.id)):
        participation.subject = ANONYMISED
        if participation.opinion is not None:
            participation.opinion = ANONYMISED
    group_ids = select(CooperationGroup.id).where(CooperationGroup.case_id == case.id)
    for meeting in db.session.scalars(select(Meeting).where(Meeting.group_id.in_(group_ids))):
        for name in ("minutes", "client_opinion", "child_opinion", "place"):
            if getattr(meeting, name):
                setattr(meeting, name, ANONYMISED)
    for task in db.session.scalars(select(Task).where(Task.case_id == case.id)):
        for name in ("description", "completion_note", "cancel_reason"):
            if getattr(task, name):
                setattr(task, name, ANONYMISED)
    # Uploaded files are personal data through and through: the files and their rows go
    # (the files once the job commits).
    from casework.documents.operations import remove_case_documents

    documents = remove_case_documents(case)
    record("case_anonymised", case, user=None, municipality_id=case.municipality_id,
           details={"number": case.number, "persons": len(persons), "documents": documents})
    db.session.flush()
    return True


def anonymise(now: datetime) -> int:
    """Closed cases past the municipality's retention period (default 10 years after closing)
    and not yet anonymised are anonymised (``anonymise_case``); returns how many."""
    done = 0
    for municipality_id in db.session.scalars(select(Municipality.id).order_by(Municipality.id)):
        cutoff = _years_before(now, policy_for(municipality_id).retention_years)
        cases = db.session.scalars(
            select(Case).where(Case.municipality_id == municipality_id,
                               Case.status == "closed", Case.anonymised_at.is_(None),
                               Case.closed_at < cutoff).order_by(Case.id)).all()
        done += sum(anonymise_case(case, now) for case in cases)
    return done


# -- e-mail -----------------------------------------------------------------------------------
def deliver_email(now: datetime) -> int:
    """Send (or log) immediate e-mails of new notifications and retry failed ones whose time
    has come (``casework.notifications.mail.deliver_pending``)."""
    return mail.deliver_pending(now)


def daily_digest(now: datetime) -> int:
    """One e-mail a day to each user who chose the daily digest, listing their notifications
    not yet e-mailed (``casework.notifications.mail.send_digests``)."""
    return mail.send_digests(now)


# -- the job table ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    """A scheduled job: a stable id, the sweep, its cron schedule in Europe/Riga time."""

    id: str
    func: Callable[[datetime], int]
    cron: dict = field(default_factory=dict)
    #: Delivery jobs commit per e-mail (their claims must be seen by other processes).
    commits_itself: bool = False

    @property
    def description(self) -> str:
        return (self.func.__doc__ or "").strip().splitlines()[0]


#: The jobs in the order ``run-due-jobs`` runs them: sweeps first, then delivery.
JOBS: tuple[Job, ...] = (
    Job("anonymise", anonymise, {"hour": 2, "minute": 30}),
    Job("task_due", task_due, {"hour": 7, "minute": 0}),
    Job("task_overdue", task_overdue, {"hour": 7, "minute": 5}),
    Job("review_due", review_due, {"hour": 7, "minute": 10}),
    Job("annual_report", annual_report, {"hour": 8, "minute": 0}),
    Job("red_no_meeting", red_no_meeting, {"minute": 15}),
    Job("triage_late", triage_late, {"minute": 20}),
    Job("minutes_late", minutes_late, {"minute": 25}),
    Job("client_not_informed", client_not_informed, {"minute": 35}),
    Job("daily_digest", daily_digest, {"hour": 7, "minute": 30}, commits_itself=True),
    Job("deliver_email", deliver_email, {"minute": "*"}, commits_itself=True),
)
JOBS_BY_ID = {job.id: job for job in JOBS}


def run_job(job_id: str, now: datetime | None = None) -> int:
    """Run one job in the current app context and commit once (rolled back on error)."""
    job = JOBS_BY_ID[job_id]
    try:
        count = job.func(now or utcnow())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return count


def run_all(now: datetime | None = None) -> dict[str, int]:
    """Run every job once, in order; ``{job id: count}``."""
    now = now or utcnow()
    return {job.id: run_job(job.id, now) for job in JOBS}
