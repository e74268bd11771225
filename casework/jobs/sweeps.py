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

from sqlalchemy import and_, or_, select

from casework import deadlines
from casework.auth.models import User
from casework.cases.models import Case, Referral
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.models import CooperationGroup, Decision, Meeting
from casework.notifications import mail
from casework.notifications.operations import (
    case_link,
    notify_many,
    stored_texts,
    users_with_role,
)
from casework.notifications.texts import deferred
from casework.orgs.models import Municipality
from casework.policies.operations import calendar_for, policy_for
from casework.reports.models import AnnualReport
from casework.tasks.models import Task
from workflows.policy import (
    annual_report_overdue_from,
    annual_report_reminder_dates,
    local_date,
)

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



# -- set-based helpers ------------------------------------------------------------------------
#: Notifications inserted per statement (a first run after a long downtime may add many).
INSERT_CHUNK = 1000


def _visible_pairs(pairs, now: datetime) -> set[tuple[int, int]]:
    """Of ``(user_id, case_id)`` pairs, those where the user may see the case: one query per
    distinct user (``case_visibility``), however many cases, never one per pair."""
    from casework.cases.queries import case_visibility

    by_user: dict[int, set[int]] = {}
    for uid, cid in pairs:
        if uid is not None and cid is not None:
            by_user.setdefault(uid, set()).add(cid)
    if not by_user:
        return set()
    visible = set()
    users = db.session.scalars(select(User).where(User.id.in_(by_user), User.active.is_(True)))
    for user in users:
        ids = sorted(by_user[user.id])
        for i in range(0, len(ids), INSERT_CHUNK):
            visible.update((user.id, cid) for cid in db.session.scalars(
                select(Case.id).where(Case.id.in_(ids[i:i + INSERT_CHUNK]),
                                      case_visibility(user, now))))
    return visible


def _heads_by_institution(institution_ids) -> dict[int, list[int]]:
    """Active heads of service per social service (one query)."""
    from casework.auth.models import UserRole

    ids = {i for i in institution_ids if i is not None}
    heads: dict[int, list[int]] = {}
    if ids:
        for inst, uid in db.session.execute(
                select(User.institution_id, User.id).join(UserRole, UserRole.user_id == User.id)
                .where(User.institution_id.in_(ids), User.active.is_(True),
                       UserRole.role == "head_of_service").order_by(User.id)):
            heads.setdefault(inst, []).append(uid)
    return heads


def _unsent(keys) -> set[str]:
    """Of these de-duplication keys, those no notification has yet: one indexed lookup per
    ``INSERT_CHUNK`` keys. Sweeps drop what was told before *before* the visibility checks
    and the texts, so that a steady run costs what is new, not what is due."""
    from casework.notifications.models import Notification

    keys = sorted(set(keys))
    found: set[str] = set()
    for i in range(0, len(keys), INSERT_CHUNK):
        found.update(db.session.scalars(select(Notification.dedup_key).where(
            Notification.dedup_key.in_(keys[i:i + INSERT_CHUNK]))))
    return set(keys) - found


def _key_of(prefix: str, *parts):
    """SQL: the de-duplication key ``prefix`` + parts, as the sweep writes it in Python
    (ids as digits, dates as ISO ``YYYY-MM-DD``)."""
    from sqlalchemy import String, cast, literal

    key = literal(prefix, String)
    for part in parts:
        key = key + (part if isinstance(part, str) else cast(part, String))
    return key


def _told(key):
    """SQL condition: a notification with the key ``key`` (an expression) exists."""
    from sqlalchemy import exists

    from casework.notifications.models import Notification

    return exists().where(Notification.dedup_key == key)


def _notify_all(rows: list[tuple]) -> int:
    """Insert notifications ``(user_id, kind, text, link, key, municipality_id)`` in chunks,
    each key once (``ON CONFLICT DO NOTHING`` on the unique key, as ``notify``); returns how
    many were added. The e-mail state follows each user's choice, read in one query. On
    PostgreSQL a chunk is one INSERT of column arrays (``_insert_unnest``); elsewhere one
    statement compiled once and executed with the chunk's rows as parameter sets, never a
    VALUES list compiled per chunk."""
    from sqlalchemy.dialects import postgresql, sqlite

    from casework.notifications.models import Notification

    if not rows:
        return 0
    digest = set(db.session.scalars(select(User.id).where(
        User.id.in_({r[0] for r in rows}), User.notify_by == "digest")))
    ins = {"postgresql": postgresql.insert,
           "sqlite": sqlite.insert}[db.session.get_bind().dialect.name]
    # Each distinct message is rendered once (rows of one occurrence share their text).
    distinct = {id(r[2]): r[2] for r in rows}
    texts = dict(zip(distinct, stored_texts(distinct.values()), strict=True))
    at = utcnow()
    connection = db.session.connection()
    postgres = connection.dialect.name == "postgresql"
    table = Notification.__table__
    statement = (ins(table).on_conflict_do_nothing(index_elements=["dedup_key"])
                 .returning(table.c.id))
    added = 0
    for i in range(0, len(rows), INSERT_CHUNK):
        values = [{"user_id": uid, "kind": kind, "text": stored[0], "params": stored[1],
                   "link": link, "dedup_key": key, "municipality_id": muni, "created_at": at,
                   "email_state": "digest" if uid in digest else "pending",
                   "email_attempts": 0, "email_next_attempt_at": None}
                  for uid, kind, stored, link, key, muni in (
                      (r[0], r[1], texts[id(r[2])], *r[3:]) for r in rows[i:i + INSERT_CHUNK])]
        if postgres:
            added += _insert_unnest(connection, values)
        else:
            added += len(connection.execute(statement, values).all())
    return added


#: PostgreSQL: a chunk of notifications as one INSERT of column arrays, whatever its length
#: (a VALUES list of a thousand rows is eleven thousand placeholders to build and parse).
_UNNEST_INSERT = """
INSERT INTO notification (user_id, kind, text, params, link, dedup_key, municipality_id,
                          created_at, email_state, email_attempts)
SELECT u, k, t, CAST(p AS json), l, d, m, :at, s, 0
FROM unnest(CAST(:u AS integer[]), CAST(:k AS varchar[]), CAST(:t AS varchar[]),
            CAST(:p AS text[]), CAST(:l AS varchar[]), CAST(:d AS varchar[]),
            CAST(:m AS integer[]), CAST(:s AS varchar[])) AS x(u, k, t, p, l, d, m, s)
ON CONFLICT (dedup_key) DO NOTHING
RETURNING id
"""


def _insert_unnest(connection, values: list[dict]) -> int:
    import json

    from sqlalchemy import text

    def col(name):
        return [v[name] for v in values]

    return len(connection.execute(text(_UNNEST_INSERT), {
        "at": values[0]["created_at"], "u": col("user_id"), "k": col("kind"), "t": col("text"),
        "p": [None if v["params"] is None else json.dumps(v["params"]) for v in values],
        "l": col("link"), "d": col("dedup_key"), "m": col("municipality_id"),
        "s": col("email_state")}).all())


def _per_user(user_ids, kind, text, link, key, municipality_id) -> list[tuple]:
    """The rows ``notify_many`` would insert: each user once, the key made per user."""
    return [(uid, kind, text, link, f"{key}:u{uid}", municipality_id)
            for uid in sorted(set(user_ids))]


# -- tasks ------------------------------------------------------------------------------------
def task_due(now: datetime) -> int:
    """Tasks due on the next working day: remind the assignee the working day before.

    A task due on a weekend or a holiday is reminded of with the next working day's tasks
    (on Tuesday 17 November 2026 for Wednesday 18, a holiday, and Thursday 19).
    Key ``task_due:t<id>:<due date>``: a new due date reminds again.
    One query for the candidates (with their case numbers), one visibility query per
    assignee, and the notifications inserted in chunks.
    """
    today = local_date(now)
    calendars = _Calendars()
    # Candidates up to two weeks ahead; the calendar decides (no gap between working days is
    # that long).
    rows = [r for r in db.session.execute(
        select(Task.id, Task.assignee_id, Task.due_date, Task.municipality_id, Task.case_id,
               Case.number)
        .outerjoin(Case, Case.id == Task.case_id)
        .where(Task.status == "open", Task.issued_at.is_not(None), Task.due_date > today,
               Task.due_date <= today + timedelta(days=14),
               ~_told(_key_of("task_due:t", Task.id, ":", Task.due_date)))
        .order_by(Task.id)).all()
        if r.due_date <= calendars[r.municipality_id].add_working_days(today, 1)]
    visible = _visible_pairs({(r.assignee_id, r.case_id) for r in rows}, now)
    notifications = []
    for r in rows:
        shown = (r.assignee_id, r.case_id) in visible
        text = (deferred("Task of case %(number)s due on %(date)s.", number=r.number,
                        date=_day(r.due_date)) if shown else
                deferred("Task due on %(date)s.", date=_day(r.due_date)))
        notifications.append((r.assignee_id, "task_due", text,
                              case_link(r.case_id) if shown else TASKS_LINK,
                              f"task_due:t{r.id}:{r.due_date.isoformat()}", r.municipality_id))
    return _notify_all(notifications)


def task_overdue(now: datetime) -> int:
    """Overdue tasks: the assignee from the day after the deadline; the group's lead (for a
    case's task, the group's lead or else the case manager) from the next working day after
    that, if the task is still open. Nobody is told about their own task twice.

    Keys ``task_overdue:t<id>:<due date>`` and ``task_overdue_lead:t<id>:<due date>``.
    One query gives every overdue task with its case, its lead and its assignee's name.
    """
    from sqlalchemy import func
    from sqlalchemy.orm import aliased

    today = local_date(now)
    calendars = _Calendars()
    from sqlalchemy import case as when

    case_group, other_group = aliased(CooperationGroup), aliased(CooperationGroup)
    group_id = func.coalesce(Decision.group_id, Meeting.group_id)
    lead = when((Task.case_id.is_not(None), func.coalesce(case_group.lead_id,
                                                          Case.case_manager_id)),
                else_=other_group.lead_id)
    # Only tasks with something not told yet: the assignee, or a lead who may be told.
    assignee_told = _told(_key_of("task_overdue:t", Task.id, ":", Task.due_date))
    lead_told = _told(_key_of("task_overdue_lead:t", Task.id, ":", Task.due_date))
    untold = or_(~assignee_told, and_(lead.is_not(None), lead != Task.assignee_id, ~lead_told))
    rows = db.session.execute(
        select(Task.id, Task.assignee_id, Task.due_date, Task.municipality_id, Task.case_id,
               Case.number, func.coalesce(case_group.lead_id, Case.case_manager_id)
               .label("case_lead"), group_id.label("group_id"),
               other_group.lead_id.label("group_lead"), User.full_name,
               assignee_told.label("assignee_told"), lead_told.label("lead_told"))
        .join(User, User.id == Task.assignee_id)
        .outerjoin(Case, Case.id == Task.case_id)
        .outerjoin(case_group, case_group.case_id == Task.case_id)
        .outerjoin(Decision, Decision.id == Task.decision_id)
        .outerjoin(Meeting, and_(Meeting.id == Task.meeting_id, Task.decision_id.is_(None)))
        .outerjoin(other_group, other_group.id == group_id)
        .where(Task.status == "open", Task.issued_at.is_not(None), Task.due_date < today,
               untold)
        .order_by(Task.id)).all()

    def lead_of(r):
        return r.case_lead if r.case_id is not None else r.group_lead

    escalated = [r for r in rows
                 if today >= calendars[r.municipality_id].add_working_days(r.due_date, 2)
                 and lead_of(r) is not None and lead_of(r) != r.assignee_id
                 and not r.lead_told]
    told = [r for r in rows if not r.assignee_told]
    visible = _visible_pairs({(r.assignee_id, r.case_id) for r in told}
                             | {(lead_of(r), r.case_id) for r in escalated}, now)
    escalated_ids = {r.id for r in escalated}
    notifications = []
    told_ids = {r.id for r in told}
    for r in rows:
        due = r.due_date.isoformat()
        if r.id in told_ids:
            shown = (r.assignee_id, r.case_id) in visible
            text = (deferred("Task of case %(number)s is overdue (deadline %(date)s).",
                            number=r.number, date=_day(r.due_date)) if shown else
                    deferred("Task is overdue (deadline %(date)s).", date=_day(r.due_date)))
            notifications.append((r.assignee_id, "task_overdue", text,
                                  case_link(r.case_id) if shown else TASKS_LINK,
                                  f"task_overdue:t{r.id}:{due}", r.municipality_id))
        if r.id not in escalated_ids:
            continue
        lead = lead_of(r)
        if r.case_id is not None and (lead, r.case_id) not in visible:
            continue
        if r.case_id is not None:
            text = deferred("A task of case %(number)s assigned to %(assignee)s is overdue "
                           "(deadline %(date)s).", number=r.number, assignee=r.full_name,
                           date=_day(r.due_date))
            link = case_link(r.case_id)
        else:
            text = deferred("A task assigned to %(assignee)s is overdue (deadline %(date)s).",
                           assignee=r.full_name, date=_day(r.due_date))
            link = f"/groups/{r.group_id}" if r.group_id else TASKS_LINK
        notifications.append((lead, "task_overdue_lead", text, link,
                              f"task_overdue_lead:t{r.id}:{due}", r.municipality_id))
    return _notify_all(notifications)


# -- cases ------------------------------------------------------------------------------------
def review_due(now: datetime) -> int:
    """Cases whose review is due today or earlier: tell the case manager (or, without one, the
    head of service). Key ``review_due:c<id>:<next review date>``: recording the review moves
    the date, so the next one is told again. One query for the cases, one for the heads of
    service, one visibility query per recipient."""
    cases = db.session.execute(
        deadlines.reviews_due(local_date(now)).where(or_(
            Case.case_manager_id.is_(None), ~_told(_key_of(
                "review_due:c", Case.id, ":", Case.next_review_due, ":u",
                Case.case_manager_id)))).with_only_columns(
            Case.id, Case.number, Case.next_review_due, Case.municipality_id,
            Case.case_manager_id, Case.owner_institution_id).order_by(Case.id)).all()
    heads = _heads_by_institution({c.owner_institution_id for c in cases
                                   if c.case_manager_id is None})

    def key(c):
        return f"review_due:c{c.id}:{c.next_review_due.isoformat()}"

    def everyone(c):
        return [c.case_manager_id] if c.case_manager_id is not None else \
            heads.get(c.owner_institution_id, [])

    fresh = _unsent(f"{key(c)}:u{uid}" for c in cases for uid in everyone(c))

    def watchers(c):
        return [uid for uid in everyone(c) if f"{key(c)}:u{uid}" in fresh]

    visible = _visible_pairs({(uid, c.id) for c in cases for uid in watchers(c)}, now)
    notifications = []
    for c in cases:
        if not watchers(c):
            continue
        text = deferred("Review of case %(number)s is due (%(date)s).", number=c.number,
                       date=_day(c.next_review_due))
        notifications += _per_user(
            [uid for uid in watchers(c) if (uid, c.id) in visible], "review_due", text,
            case_link(c.id), f"review_due:c{c.id}:{c.next_review_due.isoformat()}",
            c.municipality_id)
    return _notify_all(notifications)


def red_no_meeting(now: datetime) -> int:
    """Red cases whose group has not met within the convening deadline: tell the case manager
    and the head of service. Key ``red_no_meeting:c<id>:<turned red at>``: turning red again
    starts a new deadline."""
    late = deadlines.red_cases_without_meeting(now)
    heads = _heads_by_institution({item.row.owner_institution_id for item in late})

    def key(case):
        return f"red_no_meeting:c{case.id}:{case.risk_changed_at.isoformat()}"

    def everyone(case):
        return {*([case.case_manager_id] if case.case_manager_id is not None else []),
                *heads.get(case.owner_institution_id, [])}

    fresh = _unsent(f"{key(item.row)}:u{uid}" for item in late for uid in everyone(item.row))

    def recipients(case):
        return {uid for uid in everyone(case) if f"{key(case)}:u{uid}" in fresh}

    visible = _visible_pairs({(uid, item.row.id) for item in late
                              for uid in recipients(item.row)}, now)
    notifications = []
    for item in late:
        case = item.row
        text = deferred("Case %(number)s is red and its group has not met by %(date)s.",
                       number=case.number, date=_day(local_date(item.deadline)))
        notifications += _per_user(
            [uid for uid in recipients(case) if (uid, case.id) in visible], "red_no_meeting",
            text, case_link(case.id),
            f"red_no_meeting:c{case.id}:{case.risk_changed_at.isoformat()}",
            case.municipality_id)
    return _notify_all(notifications)


def triage_late(now: datetime) -> int:
    """Referrals still waiting for triage after their deadline: tell the municipality's case
    managers (who triage). Key ``triage_late:r<id>``."""
    referrals = db.session.scalars(
        deadlines.referrals_past_triage(now).order_by(Referral.id)).all()
    managers: dict[int, list[int]] = {}
    for muni in sorted({r.municipality_id for r in referrals}):
        managers[muni] = users_with_role(muni, "case_manager")
    fresh = _unsent(f"triage_late:r{r.id}:u{uid}" for r in referrals
                    for uid in managers[r.municipality_id])
    notifications = []
    for referral in referrals:
        muni = referral.municipality_id
        users = [uid for uid in managers[muni] if f"triage_late:r{referral.id}:u{uid}" in fresh]
        if not users:
            continue
        text = deferred("A referral received on %(received)s is waiting for triage past its "
                        "deadline (%(deadline)s).",
                        received=_day(local_date(referral.received_at)),
                        deadline=_day(local_date(referral.triage_due_at)))
        notifications += _per_user(users, "triage_late", text,
                                   f"/referrals/{referral.id}/triage",
                                   f"triage_late:r{referral.id}", muni)
    return _notify_all(notifications)


def _groups_with_cases(group_ids) -> dict[int, tuple]:
    """``{group id: (group, case number or None)}`` in one query."""
    ids = set(group_ids)
    if not ids:
        return {}
    return {group.id: (group, number) for group, number in db.session.execute(
        select(CooperationGroup, Case.number).outerjoin(Case, Case.id == CooperationGroup.case_id)
        .where(CooperationGroup.id.in_(ids))).all()}


def minutes_late(now: datetime) -> int:
    """Held meetings whose minutes are not approved within the policy: tell the chair, the
    minute-taker and the group's lead (for a case's group, only those who see the case).
    Key ``minutes_late:m<id>``."""
    def told(user_id):
        return or_(user_id.is_(None),
                   _told(_key_of("minutes_late:m", Meeting.id, ":u", user_id)))

    # Meetings of which every recipient has been told are left out in SQL.
    late = deadlines.minutes_not_approved(now, stmt=select(Meeting).join(
        CooperationGroup, CooperationGroup.id == Meeting.group_id).where(~and_(
            told(Meeting.chair_id), told(Meeting.minute_taker_id),
            told(CooperationGroup.lead_id))))
    groups = _groups_with_cases(item.row.group_id for item in late)

    def everyone(meeting):
        group = groups[meeting.group_id][0]
        return {u for u in (meeting.chair_id, meeting.minute_taker_id, group.lead_id) if u}

    fresh = _unsent(f"minutes_late:m{item.row.id}:u{uid}" for item in late
                    for uid in everyone(item.row))

    def recipients(meeting):
        return {u for u in everyone(meeting) if f"minutes_late:m{meeting.id}:u{u}" in fresh}

    visible = _visible_pairs({(uid, groups[item.row.group_id][0].case_id) for item in late
                              if groups[item.row.group_id][0].case_id is not None
                              for uid in recipients(item.row)}, now)
    notifications = []
    for item in late:
        meeting = item.row
        group, number = groups[meeting.group_id]
        users = recipients(meeting)
        if not users:
            continue
        held = _day(local_date(meeting.held_at))
        deadline = _day(local_date(item.deadline))
        if group.case_id is not None:
            users = {u for u in users if (u, group.case_id) in visible}
            text = deferred("Minutes of the meeting of %(held)s in case %(number)s are not "
                           "approved (deadline %(deadline)s).", held=held,
                           number=number, deadline=deadline)
            link = case_link(group.case_id)
        else:
            text = deferred("Minutes of the meeting of %(held)s are not approved "
                           "(deadline %(deadline)s).", held=held, deadline=deadline)
            link = f"/groups/{group.id}"
        notifications += _per_user(users, "minutes_late", text, link,
                                   f"minutes_late:m{meeting.id}", group.municipality_id)
    return _notify_all(notifications)


def client_not_informed(now: datetime) -> int:
    """Published decisions of a case's group of which the client was not informed within the
    policy: tell the case manager. Key ``client_not_informed:d<id>``."""
    # Decisions whose case manager has been told are left out in SQL (the steady state).
    late = deadlines.clients_not_informed(now, where=or_(
        Case.case_manager_id.is_(None),
        ~_told(_key_of("client_not_informed:d", Decision.id, ":u", Case.case_manager_id))))
    groups = _groups_with_cases(item.row.group_id for item in late)
    cases = {c.id: c for c in db.session.execute(
        select(Case.id, Case.number, Case.municipality_id, Case.case_manager_id,
               Case.owner_institution_id)
        .where(Case.id.in_({g.case_id for g, _n in groups.values()} or {0}))).all()}
    heads = _heads_by_institution({c.owner_institution_id for c in cases.values()
                                   if c.case_manager_id is None})

    def everyone(case):
        return [case.case_manager_id] if case.case_manager_id is not None else \
            heads.get(case.owner_institution_id, [])

    def case_of(item):
        return cases[groups[item.row.group_id][0].case_id]

    fresh = _unsent(f"client_not_informed:d{item.row.id}:u{uid}" for item in late
                    for uid in everyone(case_of(item)))
    late = [item for item in late if any(
        f"client_not_informed:d{item.row.id}:u{uid}" in fresh for uid in everyone(case_of(item)))]
    pending = {case_of(item).id: case_of(item) for item in late}
    visible = _visible_pairs({(uid, c.id) for c in pending.values() for uid in everyone(c)},
                             now)
    notifications = []
    for item in late:
        decision = item.row
        case = case_of(item)
        text = deferred("Case %(number)s: the client has not been informed of decision "
                       "%(decision)s (deadline %(deadline)s).", number=case.number,
                       decision=decision.number or decision.id,
                       deadline=_day(local_date(item.deadline)))
        notifications += _per_user(
            [uid for uid in everyone(case) if (uid, case.id) in visible
             and f"client_not_informed:d{decision.id}:u{uid}" in fresh],
            "client_not_informed", text, case_link(case.id),
            f"client_not_informed:d{decision.id}", case.municipality_id)
    return _notify_all(notifications)


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
            text = deferred("The annual report on %(year)s is overdue (due by %(date)s).",
                           year=year, date=_day(overdue_from - timedelta(days=1)))
        elif passed:
            key = f"annual_report:{municipality_id}:{year}:{passed[-1].isoformat()}"
            text = deferred("Reminder: the annual report on %(year)s is due by %(date)s.",
                           year=year, date=_day(overdue_from - timedelta(days=1)))
        else:
            continue
        created += notify_many(users_with_role(municipality_id, "coordinator", "head_of_service"),
                               "annual_report", text, REPORTS_LINK, key, municipality_id)
    return created


# -- retention --------------------------------------------------------------------------------
def anonymise_case(case: Case, now: datetime) -> bool:
    """Anonymise one closed case now (``casework.cases.anonymise``); False when another
    process anonymised it first."""
    from casework.cases.anonymise import anonymise_cases

    return bool(anonymise_cases([case.id], now))


def anonymise(now: datetime) -> int:
    """Closed cases past the municipality's retention period (default 10 years after closing)
    and not yet anonymised are anonymised, set-based and at most ``BATCH`` a run
    (``casework.cases.anonymise``); returns how many cases. Referrals closed with no further
    action are anonymised after the same period."""
    from casework.cases.anonymise import (
        anonymise_cases,
        anonymise_referrals_without_case,
        due_case_ids,
    )

    anonymise_referrals_without_case(now)
    return len(anonymise_cases(due_case_ids(now), now))


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
