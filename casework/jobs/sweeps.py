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

from sqlalchemy import String, and_, exists, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from casework import deadlines
from casework.auth.models import User, UserRole
from casework.cases.models import Case, Referral
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.models import CooperationGroup, Decision, Meeting
from casework.notifications import mail
from casework.notifications.operations import case_link, stored_texts
from casework.notifications.texts import deferred
from casework.orgs.models import Municipality
from casework.policies.operations import calendar_for, policy_for
from casework.reports.models import AnnualReport
from casework.tasks.models import Task, chased_untold
from workflows.policy import (
    annual_report_overdue_from,
    annual_report_reminder_dates,
    client_informed_deadline,
    local_date,
    minutes_deadline,
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
#: Candidate rows read per batch: on PostgreSQL a sweep streams its one query from a
#: server-side cursor and stores each batch before reading the next, so that a first run with
#: hundreds of thousands of due notifications holds a batch in memory, never all of them.
STREAM_BATCH = 2000


class _IsoDate(ColumnElement):
    """SQL: a date as ``YYYY-MM-DD``, as ``date.isoformat()`` writes it in Python, whatever
    the server's ``DateStyle`` (``to_char`` on PostgreSQL; SQLite stores dates so already)."""

    inherit_cache = True
    type = String()

    def __init__(self, column):
        self.column = column


@compiles(_IsoDate)
def _iso_date_default(element, compiler, **kw):
    return compiler.process(element.column, **kw)


@compiles(_IsoDate, "postgresql")
def _iso_date_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.column, **kw)}, 'YYYY-MM-DD')"


def _key(prefix: str, *parts) -> str:
    """The de-duplication key ``prefix`` + parts, in Python: ids as digits, dates as ISO
    ``YYYY-MM-DD``. ``_key_of`` writes the same key in SQL (a test checks both agree on each
    database)."""
    return prefix + "".join(p.isoformat() if isinstance(p, date) else str(p) for p in parts)


def _key_of(prefix: str, *parts):
    """SQL: the de-duplication key ``prefix`` + parts (strings as they are, dates as ISO
    ``YYYY-MM-DD``, other columns cast to text), equal to ``_key`` of the same values."""
    from sqlalchemy import Date, String, cast, literal

    key = literal(prefix, String)
    for part in parts:
        if isinstance(part, str):
            key = key + literal(part, String)
        elif isinstance(getattr(part, "type", None), Date):
            key = key + _IsoDate(part)
        else:
            key = key + cast(part, String)
    return key


def _told(key):
    """SQL condition: a notification with the key ``key`` (an expression) exists: one probe of
    the unique index on the key per candidate, so that what was told before never leaves the
    database."""
    from casework.notifications.models import Notification

    return exists().where(Notification.dedup_key == key)


def _batches(stmt):
    """The rows of ``stmt`` in lists of at most ``STREAM_BATCH``: streamed from a server-side
    cursor on PostgreSQL (the notifications of a batch are inserted before the next is read;
    the cursor's snapshot does not see them, and needs not: each key belongs to one row);
    read at once on SQLite (the tests' database, small)."""
    if db.session.get_bind().dialect.name == "postgresql":
        yield from db.session.execute(
            stmt.execution_options(yield_per=STREAM_BATCH)).partitions()
        return
    rows = db.session.execute(stmt).all()
    for i in range(0, len(rows), STREAM_BATCH):
        yield rows[i:i + STREAM_BATCH]


def _sweep(stmt, notifications_of, marker: _Marker | None = None) -> int:
    """Run one sweep's candidate query, turn each row into its notifications
    (``notifications_of(row)`` yields ``_notify_all`` tuples) and insert them batch by batch;
    returns how many were added. A steady run (nothing new) is the one query and no row.

    With a ``marker``, a row whose ``told`` column is true (its notification exists already:
    another process told it, or it was told before the marker was written) is not told
    again, and every row the marker finds settled (``_Marker.settles``) is marked on its
    source row in the same transaction, so that the next run does not read it."""
    added = 0
    for rows in _batches(stmt):
        settled = []
        notifications = []
        for row in rows:
            told = marker is not None and bool(getattr(row, "told", False))
            mine = [] if told else list(notifications_of(row))
            notifications += mine
            if marker is not None and marker.settled(row, told or bool(mine)):
                settled.append(row)
        added += _notify_all(notifications)
        if marker is not None:
            marker.write(settled)
    return added


@dataclass(frozen=True)
class _Marker:
    """What a sweep writes on the rows it has settled: ``column`` (of ``table``) gets the value
    ``value_of(row)`` (the occurrence told, such as the task's due date as read: a due date
    changed meanwhile differs from it and is told again). ``settles(row, told)`` says whether
    a row is settled, ``told`` being whether it was told now or before; by default a row is
    settled when it was told."""

    table: object
    column: str
    sql_type: object
    value_of: Callable
    settles: Callable | None = None
    #: Gather the values there, to be written with the job's other markers of the table.
    into: _Marks | None = None

    def settled(self, row, told: bool) -> bool:
        return self.settles(row, told) if self.settles is not None else told

    def write(self, rows) -> None:
        marks = self.into or _Marks(self.table, {self.column: self.sql_type})
        marks.add(self.column, [(row.id, self.value_of(row)) for row in rows])
        if self.into is None:
            marks.write()


class _Marks:
    """Markers of one table: ``add`` gathers ``(row id, value)`` per column, ``write`` writes
    them, one UPDATE per ``MARK_CHUNK`` rows setting every gathered column of each row. A job
    with two sweeps over one table (the assignees and the leads of overdue tasks) writes a
    row once, not twice: each version of a task is a new entry in every one of its indexes
    (they are what a first run after a long downtime spends its time on)."""

    def __init__(self, table, types: dict[str, object]):
        self.table, self.types = table, types
        self.values: dict[str, dict[int, object]] = {column: {} for column in types}

    def add(self, column: str, pairs) -> None:
        self.values[column].update(pairs)

    def write(self) -> None:
        from sqlalchemy import Integer, bindparam, func, update
        from sqlalchemy.dialects.postgresql import ARRAY

        table = self.table
        ids = sorted({i for values in self.values.values() for i in values})
        postgres = db.session.get_bind().dialect.name == "postgresql"
        for start in range(0, len(ids), MARK_CHUNK):
            chunk = ids[start:start + MARK_CHUNK]
            if not postgres:
                for column, values in self.values.items():
                    rows = [{"row_id": i, "told": values[i]} for i in chunk if i in values]
                    if rows:
                        db.session.execute(
                            update(table).where(table.c.id == bindparam("row_id"))
                            .values({column: bindparam("told")}), rows)
                continue
            # One statement per chunk, whatever its length (as ``_insert_unnest``); a column
            # without a value for a row keeps the row's own.
            columns = list(self.types)
            told = func.unnest(
                bindparam("ids", chunk, type_=ARRAY(Integer)),
                *(bindparam(f"v{n}", [self.values[c].get(i) for i in chunk],
                            type_=ARRAY(self.types[c])) for n, c in enumerate(columns)),
            ).table_valued("id", *(f"v{n}" for n in range(len(columns)))).render_derived(
                name="told")
            db.session.execute(update(table).where(table.c.id == told.c.id).values({
                c: func.coalesce(told.c[f"v{n}"], table.c[c]) for n, c in enumerate(columns)}))
        for values in self.values.values():
            values.clear()


#: Rows marked per UPDATE (``_Marks.write``).
MARK_CHUNK = 5000


def _visible_pairs(pairs, now: datetime) -> set[tuple[int, int]]:
    """Of ``(user_id, case_id)`` pairs, those where the user may see the case: one query per
    distinct user (``case_visibility``), however many cases, never one per pair. For the few
    candidates whose key SQL cannot write (``red_no_meeting``); the other sweeps filter in
    their query (``case_visible_to``)."""
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


def _visible(user_id, now: datetime):
    """SQL: the user ``user_id`` (a column) may see the query's ``Case``."""
    from casework.cases.queries import case_visible_to

    return case_visible_to(user_id, now)


def _heads_by_institution(institution_ids) -> dict[int, list[int]]:
    """Active heads of service per social service (one query)."""
    ids = {i for i in institution_ids if i is not None}
    heads: dict[int, list[int]] = {}
    if ids:
        for inst, uid in db.session.execute(
                select(User.institution_id, User.id).join(UserRole, UserRole.user_id == User.id)
                .where(User.institution_id.in_(ids), User.active.is_(True),
                       UserRole.role == "head_of_service").order_by(User.id)):
            heads.setdefault(inst, []).append(uid)
    return heads


def _has_role(user_id, *roles: str):
    """SQL: the user ``user_id`` (a column) holds one of ``roles``."""
    return exists().where(UserRole.user_id == user_id, UserRole.role.in_(roles))


def _unsent(keys) -> set[str]:
    """Of these de-duplication keys, those no notification has yet: one indexed lookup per
    ``INSERT_CHUNK`` keys (for keys SQL does not write, such as a moment's ``isoformat``)."""
    from casework.notifications.models import Notification

    keys = sorted(set(keys))
    found: set[str] = set()
    for i in range(0, len(keys), INSERT_CHUNK):
        found.update(db.session.scalars(select(Notification.dedup_key).where(
            Notification.dedup_key.in_(keys[i:i + INSERT_CHUNK]))))
    return set(keys) - found


def _by_municipality(column, value_of):
    """SQL: ``value_of(municipality id)`` for the row's municipality ``column`` (a CASE over
    every municipality; the rules are per municipality), and the largest of the values (an
    indexable bound for the same condition)."""
    from sqlalchemy import case as when
    from sqlalchemy import literal

    values = {m: value_of(m) for m in db.session.scalars(select(Municipality.id))}
    default = value_of(None)
    bound = max([default, *values.values()])
    if not values:
        return literal(default), bound
    return when(values, value=column, else_=default), bound


def _notify_all(rows: list[tuple]) -> int:
    """Insert notifications ``(user_id, kind, text, link, key, municipality_id)`` in chunks,
    each key once (``ON CONFLICT DO NOTHING`` on the unique key, as ``notify``); returns how
    many were added. The e-mail state follows each user's choice, read in one query. On
    PostgreSQL a chunk is one INSERT of column arrays (``_insert_unnest``); elsewhere one
    statement compiled once and executed with the chunk's rows as parameter sets, never a
    VALUES list compiled per chunk."""
    from sqlalchemy.dialects import sqlite

    from casework.notifications.models import Notification

    if not rows:
        return 0
    digest = set(db.session.scalars(select(User.id).where(
        User.id.in_({r[0] for r in rows}), User.notify_by == "digest")))
    # Each distinct message is rendered once (rows of one occurrence share their text).
    distinct = {id(r[2]): r[2] for r in rows}
    texts = dict(zip(distinct, stored_texts(distinct.values()), strict=True))
    at = utcnow()
    connection = db.session.connection()
    postgres = connection.dialect.name == "postgresql"
    statement = None
    if not postgres:
        table = Notification.__table__
        statement = (sqlite.insert(table).on_conflict_do_nothing(index_elements=["dedup_key"])
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


class _Rules(dict):
    """``(policy, calendar)`` per municipality, read once per sweep: every municipality's
    settings in one query at the first need, not one query per municipality."""

    def __init__(self):
        super().__init__()
        self._policies = None

    def __missing__(self, municipality_id):
        from casework.policies.operations import policies_for_all

        if self._policies is None:
            self._policies = policies_for_all()
        policy = self._policies.get(municipality_id, self._policies[None])
        self[municipality_id] = (policy, calendar_for(municipality_id))
        return self[municipality_id]


# -- tasks ------------------------------------------------------------------------------------
def _issued_open_tasks(told_on):
    """The open issued tasks not told of for their due date (``told_on``, a marker): the rows
    of the marker's partial index."""
    return (chased_untold(told_on), Task.assignee_id.is_not(None))


def _task_marker(column: str, settles: Callable | None = None,
                 into: _Marks | None = None) -> _Marker:
    from sqlalchemy import Date

    return _Marker(Task.__table__, column, Date(), lambda row: row.due_date, settles, into)


def task_due(now: datetime) -> int:
    """Tasks due on the next working day: remind the assignee the working day before.

    A task due on a weekend or a holiday is reminded of with the next working day's tasks
    (on Tuesday 17 November 2026 for Wednesday 18, a holiday, and Thursday 19).
    Key ``task_due:t<id>:<due date>``: a new due date reminds again.
    One query: the tasks due by the next working day of their municipality, not told yet,
    with their case numbers and whether the assignee may see the case; streamed and inserted
    in batches.
    """
    today = local_date(now)
    calendars = _Calendars()
    due_by, latest = _by_municipality(Task.municipality_id,
                                      lambda m: calendars[m].add_working_days(today, 1))
    stmt = (select(Task.id, Task.assignee_id, Task.due_date, Task.municipality_id,
                   Task.case_id, Case.number,
                   and_(Task.case_id.is_not(None), _visible(Task.assignee_id, now))
                   .label("shown"),
                   _told(_key_of("task_due:t", Task.id, ":", Task.due_date)).label("told"))
            .outerjoin(Case, Case.id == Task.case_id)
            .where(*_issued_open_tasks(Task.due_told_on), Task.due_date > today,
                   Task.due_date <= latest, Task.due_date <= due_by)
            .order_by(Task.due_date, Task.id))

    def notifications_of(r):
        text = (deferred("Task of case %(number)s due on %(date)s.", number=r.number,
                         date=_day(r.due_date)) if r.shown else
                deferred("Task due on %(date)s.", date=_day(r.due_date)))
        yield (r.assignee_id, "task_due", text, case_link(r.case_id) if r.shown else TASKS_LINK,
               _key("task_due:t", r.id, ":", r.due_date), r.municipality_id)

    return _sweep(stmt, notifications_of, _task_marker("due_told_on"))


def _escalation_day(calendar, today: date) -> date:
    """The latest due date whose task is escalated ``today``: the lead is told from the second
    working day after the deadline (``add_working_days(due, 2) <= today``; later deadlines
    give later days, so every task due by this day qualifies)."""
    day = today - timedelta(days=2)
    while calendar.add_working_days(day, 2) > today:
        day -= timedelta(days=1)
    return day


def task_overdue(now: datetime) -> int:
    """Overdue tasks: the assignee from the day after the deadline; the group's lead (for a
    case's task, the group's lead or else the case manager) from the next working day after
    that, if the task is still open. Nobody is told about their own task twice.

    Keys ``task_overdue:t<id>:<due date>`` and ``task_overdue_lead:t<id>:<due date>``.
    Two queries over the tasks not marked as told for their due date (``Task.overdue_told_on``,
    ``Task.lead_told_on``, partial indexes): the assignees (with the case number and whether
    they may see the case), and the leads of the tasks due by their municipality's escalation
    day who may see the case (with the assignee's name). A task whose lead is its assignee, or
    that has no lead, is marked as settled for its due date.
    """
    from sqlalchemy import case as when
    from sqlalchemy import func
    from sqlalchemy.orm import aliased

    today = local_date(now)
    calendars = _Calendars()

    assignees = (
        select(Task.id, Task.assignee_id, Task.due_date, Task.municipality_id, Task.case_id,
               Case.number,
               and_(Task.case_id.is_not(None), _visible(Task.assignee_id, now)).label("shown"),
               _told(_key_of("task_overdue:t", Task.id, ":", Task.due_date)).label("told"))
        .outerjoin(Case, Case.id == Task.case_id)
        .where(*_issued_open_tasks(Task.overdue_told_on), Task.due_date < today)
        .order_by(Task.due_date, Task.id))

    def assignee_notifications(r):
        text = (deferred("Task of case %(number)s is overdue (deadline %(date)s).",
                         number=r.number, date=_day(r.due_date)) if r.shown else
                deferred("Task is overdue (deadline %(date)s).", date=_day(r.due_date)))
        yield (r.assignee_id, "task_overdue", text,
               case_link(r.case_id) if r.shown else TASKS_LINK,
               _key("task_overdue:t", r.id, ":", r.due_date), r.municipality_id)

    # Both sweeps' markers are written together at the end: one new version per task.
    from sqlalchemy import Date

    marks = _Marks(Task.__table__, {"overdue_told_on": Date(), "lead_told_on": Date()})
    added = _sweep(assignees, assignee_notifications,
                   _task_marker("overdue_told_on", into=marks))

    escalate_by, latest = _by_municipality(
        Task.municipality_id, lambda m: _escalation_day(calendars[m], today))
    case_group, other_group = aliased(CooperationGroup), aliased(CooperationGroup)
    group_id = func.coalesce(Decision.group_id, Meeting.group_id)
    lead = when((Task.case_id.is_not(None), func.coalesce(case_group.lead_id,
                                                          Case.case_manager_id)),
                else_=other_group.lead_id)
    leads = (
        select(Task.id, Task.due_date, Task.municipality_id, Task.case_id, Task.assignee_id,
               Case.number, lead.label("lead"), group_id.label("group_id"), User.full_name,
               _told(_key_of("task_overdue_lead:t", Task.id, ":", Task.due_date)).label("told"))
        .join(User, User.id == Task.assignee_id)
        .outerjoin(Case, Case.id == Task.case_id)
        .outerjoin(case_group, case_group.case_id == Task.case_id)
        .outerjoin(Decision, Decision.id == Task.decision_id)
        .outerjoin(Meeting, and_(Meeting.id == Task.meeting_id, Task.decision_id.is_(None)))
        .outerjoin(other_group, other_group.id == group_id)
        .where(*_issued_open_tasks(Task.lead_told_on), Task.due_date <= latest,
               Task.due_date <= escalate_by,
               or_(lead.is_(None), lead == Task.assignee_id, Task.case_id.is_(None),
                   _visible(lead, now)))
        .order_by(Task.due_date, Task.id))

    def lead_notifications(r):
        if r.lead is None or r.lead == r.assignee_id:
            return
        if r.case_id is not None:
            text = deferred("A task of case %(number)s assigned to %(assignee)s is overdue "
                            "(deadline %(date)s).", number=r.number, assignee=r.full_name,
                            date=_day(r.due_date))
            link = case_link(r.case_id)
        else:
            text = deferred("A task assigned to %(assignee)s is overdue (deadline %(date)s).",
                            assignee=r.full_name, date=_day(r.due_date))
            link = f"/groups/{r.group_id}" if r.group_id else TASKS_LINK
        yield (r.lead, "task_overdue_lead", text, link,
               _key("task_overdue_lead:t", r.id, ":", r.due_date), r.municipality_id)

    def nobody_else(r, told: bool) -> bool:
        # No lead, or the lead is the assignee (told already): the escalation is settled
        # for this due date. Reassigning the case gives it a new lead, and clears the marker
        # (``casework.cases.operations.reassign_case_manager``).
        return told or r.lead is None or r.lead == r.assignee_id

    added += _sweep(leads, lead_notifications, _task_marker("lead_told_on", nobody_else, marks))
    marks.write()
    return added


# -- cases ------------------------------------------------------------------------------------
def _heads_of_owner(now: datetime):
    """The join condition of ``User`` with the active heads of the ``Case``'s social service
    (the recipients of a case without a case manager)."""
    return and_(User.institution_id == Case.owner_institution_id, User.active.is_(True),
                _has_role(User.id, "head_of_service"))


def review_due(now: datetime) -> int:
    """Cases whose review is due today or earlier: tell the case manager (or, without one, the
    head of service). Key ``review_due:c<id>:<next review date>:u<user>``: recording the
    review moves the date, so the next one is told again. Two queries (the case managers, and
    the heads of service of cases without one), each leaving out who was told and who may not
    see the case in SQL."""
    today = local_date(now)
    columns = (Case.id, Case.number, Case.next_review_due, Case.municipality_id)

    def untold(user_id):
        return (~_told(_key_of("review_due:c", Case.id, ":", Case.next_review_due, ":u",
                               user_id)), _visible(user_id, now))

    managers = (deadlines.reviews_due(today)
                .with_only_columns(*columns, Case.case_manager_id.label("uid"))
                .where(Case.case_manager_id.is_not(None), *untold(Case.case_manager_id))
                .order_by(Case.id))
    heads = (deadlines.reviews_due(today)
             .with_only_columns(*columns, User.id.label("uid"))
             .join(User, _heads_of_owner(now))
             .where(Case.case_manager_id.is_(None), *untold(User.id))
             .order_by(Case.id, User.id))

    def notifications_of(c):
        text = deferred("Review of case %(number)s is due (%(date)s).", number=c.number,
                        date=_day(c.next_review_due))
        yield (c.uid, "review_due", text, case_link(c.id),
               _key("review_due:c", c.id, ":", c.next_review_due, ":u", c.uid),
               c.municipality_id)

    return _sweep(managers, notifications_of) + _sweep(heads, notifications_of)


def red_no_meeting(now: datetime) -> int:
    """Red cases whose group has not met within the convening deadline: tell the case manager
    and the head of service. Key ``red_no_meeting:c<id>:<turned red at>``: turning red again
    starts a new deadline. The candidates (red cases without a meeting since) are read as
    columns; their keys hold a moment, written in Python, and are looked up in batches."""
    from sqlalchemy.orm import Bundle

    late = deadlines.red_cases_without_meeting(now, stmt=select(Bundle(
        "case", Case.id, Case.number, Case.municipality_id, Case.case_manager_id,
        Case.owner_institution_id, Case.risk_changed_at)))
    heads = _heads_by_institution({item.row.owner_institution_id for item in late})

    def key(case):
        return f"red_no_meeting:c{case.id}:{case.risk_changed_at.isoformat()}"

    def everyone(case):
        return {*([case.case_manager_id] if case.case_manager_id is not None else []),
                *heads.get(case.owner_institution_id, [])}

    fresh = _unsent(f"{key(item.row)}:u{uid}" for item in late for uid in everyone(item.row))

    def recipients(case):
        return {uid for uid in everyone(case) if f"{key(case)}:u{uid}" in fresh}

    late = [item for item in late if recipients(item.row)]
    visible = _visible_pairs({(uid, item.row.id) for item in late
                              for uid in recipients(item.row)}, now)
    notifications = []
    for item in late:
        case = item.row
        text = deferred("Case %(number)s is red and its group has not met by %(date)s.",
                        number=case.number, date=_day(local_date(item.deadline)))
        notifications += _per_user(
            [uid for uid in recipients(case) if (uid, case.id) in visible], "red_no_meeting",
            text, case_link(case.id), key(case), case.municipality_id)
    return _notify_all(notifications)


def triage_late(now: datetime) -> int:
    """Referrals still waiting for triage after their deadline: tell the municipality's case
    managers (who triage). Key ``triage_late:r<id>:u<user>``. One query: the referrals with
    each active case manager of their municipality not told yet."""
    from casework.orgs.models import Institution

    stmt = (deadlines.referrals_past_triage(now)
            .with_only_columns(Referral.id, Referral.received_at, Referral.triage_due_at,
                               Referral.municipality_id, User.id.label("uid"))
            .join(Institution, Institution.municipality_id == Referral.municipality_id)
            .join(User, and_(User.institution_id == Institution.id, User.active.is_(True)))
            .where(_has_role(User.id, "case_manager"),
                   ~_told(_key_of("triage_late:r", Referral.id, ":u", User.id)))
            .order_by(Referral.id, User.id))

    def notifications_of(r):
        text = deferred("A referral received on %(received)s is waiting for triage past its "
                        "deadline (%(deadline)s).",
                        received=_day(local_date(r.received_at)),
                        deadline=_day(local_date(r.triage_due_at)))
        yield (r.uid, "triage_late", text, f"/referrals/{r.id}/triage",
               _key("triage_late:r", r.id, ":u", r.uid), r.municipality_id)

    return _sweep(stmt, notifications_of)


def minutes_late(now: datetime) -> int:
    """Held meetings whose minutes are not approved within the policy: tell the chair, the
    minute-taker and the group's lead (for a case's group, only those who see the case).
    Key ``minutes_late:m<id>:u<user>``. One query over the held meetings not marked as told
    (``Meeting.minutes_late_told_at``, a partial index), with per recipient whether they were
    told and may see the case; the deadline in working days is decided for these candidates
    only. A meeting whose recipients were all told is marked; one with someone who may not
    see the case (yet) is read again."""
    from sqlalchemy import DateTime

    from casework.groups.models import minutes_late_untold

    recipients = (("chair", Meeting.chair_id), ("taker", Meeting.minute_taker_id),
                  ("lead", CooperationGroup.lead_id))
    columns = []
    for name, user_id in recipients:
        columns += [user_id.label(name),
                    _told(_key_of("minutes_late:m", Meeting.id, ":u", user_id))
                    .label(f"{name}_told"),
                    or_(CooperationGroup.case_id.is_(None), _visible(user_id, now))
                    .label(f"{name}_sees")]
    stmt = (select(Meeting.id, Meeting.held_at, Meeting.group_id,
                   CooperationGroup.municipality_id, CooperationGroup.case_id, Case.number,
                   *columns)
            .join(CooperationGroup, CooperationGroup.id == Meeting.group_id)
            .outerjoin(Case, Case.id == CooperationGroup.case_id)
            .where(minutes_late_untold(), *deadlines.held_without_approved_minutes())
            .order_by(Meeting.id))
    rules = _Rules()

    def late(r) -> datetime | None:
        deadline = minutes_deadline(r.held_at, *rules[r.municipality_id])
        return deadline if deadline < now else None

    def untold(r) -> list[int]:
        """The recipients not told yet who may see the case, each once."""
        found = []
        for name, _column in recipients:
            uid = getattr(r, name)
            if (uid is not None and uid not in found and not getattr(r, f"{name}_told")
                    and getattr(r, f"{name}_sees")):
                found.append(uid)
        return found

    def notifications_of(r):
        deadline = late(r)
        if deadline is None:
            return
        held, due = _day(local_date(r.held_at)), _day(local_date(deadline))
        if r.case_id is not None:
            text = deferred("Minutes of the meeting of %(held)s in case %(number)s are not "
                            "approved (deadline %(deadline)s).", held=held,
                            number=r.number, deadline=due)
            link = case_link(r.case_id)
        else:
            text = deferred("Minutes of the meeting of %(held)s are not approved "
                            "(deadline %(deadline)s).", held=held, deadline=due)
            link = f"/groups/{r.group_id}"
        for uid in sorted(untold(r)):
            yield (uid, "minutes_late", text, link, _key("minutes_late:m", r.id, ":u", uid),
                   r.municipality_id)

    def everyone_told(r, _told_now: bool) -> bool:
        # Late, and each recipient told (now or before): one who may not see the case is
        # not, and the meeting is read again (they are told once they may).
        return late(r) is not None and all(
            getattr(r, name) is None or getattr(r, f"{name}_told") or getattr(r, f"{name}_sees")
            for name, _column in recipients)

    marker = _Marker(Meeting.__table__, "minutes_late_told_at", DateTime(timezone=True),
                     lambda _row: now, everyone_told)
    return _sweep(stmt, notifications_of, marker)


def client_not_informed(now: datetime) -> int:
    """Published decisions of a case's group of which the client was not informed within the
    policy: tell the case manager (or, without one, the head of service). Key
    ``client_not_informed:d<id>:u<user>``. Two queries over the decisions not marked as
    settled (``Decision.uninformed_settled_at``, a partial index): the decisions with their
    case manager, whether the client was informed, whether the case is closed, whether the
    manager was told and may see the case; and the heads of cases without one, leaving out
    who was told and who may not see the case in SQL. The deadline in working days is decided
    for these candidates only. A decision is marked as settled once its case manager was
    told, its client informed, its case closed, or when it is no case's decision."""
    from sqlalchemy import DateTime

    from casework.cases.models import ClientParticipation
    from casework.groups.models import uninformed_unsettled

    informed = exists().where(ClientParticipation.decision_id == Decision.id,
                              ClientParticipation.informed.is_(True))
    columns = (Decision.id, Decision.number.label("decision_number"), Decision.published_at,
               CooperationGroup.municipality_id, Case.id.label("case_id"), Case.number,
               Case.municipality_id.label("case_municipality_id"))
    manager = Case.case_manager_id
    managers = (
        select(*columns, manager.label("uid"), informed.label("informed"),
               or_(Case.id.is_(None), CooperationGroup.kind != "interprofessional",
                   Case.status == "closed").label("not_chased"),
               _told(_key_of("client_not_informed:d", Decision.id, ":u", manager))
               .label("told"),
               and_(manager.is_not(None), _visible(manager, now)).label("sees"))
        .join(CooperationGroup, CooperationGroup.id == Decision.group_id)
        .outerjoin(Case, Case.id == CooperationGroup.case_id)
        .where(uninformed_unsettled())
        .order_by(Decision.id))
    heads = (deadlines.uninformed_decisions()
             .with_only_columns(*columns, User.id.label("uid"))
             .join(User, _heads_of_owner(now))
             .where(uninformed_unsettled(), Case.case_manager_id.is_(None),
                    ~_told(_key_of("client_not_informed:d", Decision.id, ":u", User.id)),
                    _visible(User.id, now))
             .order_by(Decision.id, User.id))
    rules = _Rules()

    def late(r) -> datetime | None:
        deadline = client_informed_deadline(r.published_at, *rules[r.municipality_id])
        return deadline if deadline < now else None

    def notifications_of(r):
        deadline = late(r)
        if deadline is None:
            return
        text = deferred("Case %(number)s: the client has not been informed of decision "
                        "%(decision)s (deadline %(deadline)s).", number=r.number,
                        decision=r.decision_number or r.id,
                        deadline=_day(local_date(deadline)))
        yield (r.uid, "client_not_informed", text, case_link(r.case_id),
               _key("client_not_informed:d", r.id, ":u", r.uid), r.case_municipality_id)

    def manager_notifications(r):
        if r.informed or r.not_chased or r.uid is None or not r.sees:
            return
        yield from notifications_of(r)

    def settled(r, told: bool) -> bool:
        # Without a case manager the heads are told, by the second query; nothing is settled.
        return bool(r.informed or r.not_chased or (r.uid is not None and told))

    marker = _Marker(Decision.__table__, "uninformed_settled_at", DateTime(timezone=True),
                     lambda _row: now, settled)
    return _sweep(managers, manager_notifications, marker) + _sweep(heads, notifications_of)


# -- the annual report ------------------------------------------------------------------------
def annual_report(now: datetime) -> int:
    """Remind the coordinators and heads of service of the annual report on last year: on each
    reminder date (1, 15 and 25 March by default; a missed run catches up with the latest
    date), and once when it is overdue (from 1 April), unless it has been submitted.
    Keys ``annual_report:<municipality>:<year>:<reminder date>:u<user>`` and
    ``annual_report_overdue:<municipality>:<year>:u<user>``. The reports' states, the
    recipients and what was told are read in one query each for every municipality."""
    from casework.orgs.models import Institution

    today = local_date(now)
    year = today.year - 1
    done = set(db.session.scalars(select(AnnualReport.municipality_id).where(
        AnnualReport.year == year, AnnualReport.status.in_(REPORT_DONE))))
    due: dict[int, tuple[str, object]] = {}
    for municipality_id in db.session.scalars(select(Municipality.id).order_by(Municipality.id)):
        if municipality_id in done:
            continue
        policy = policy_for(municipality_id)
        overdue_from = annual_report_overdue_from(year, policy)
        passed = [d for d in annual_report_reminder_dates(year, policy) if d <= today]
        if today >= overdue_from:
            due[municipality_id] = (
                f"annual_report_overdue:{municipality_id}:{year}",
                deferred("The annual report on %(year)s is overdue (due by %(date)s).",
                         year=year, date=_day(overdue_from - timedelta(days=1))))
        elif passed:
            due[municipality_id] = (
                f"annual_report:{municipality_id}:{year}:{passed[-1].isoformat()}",
                deferred("Reminder: the annual report on %(year)s is due by %(date)s.",
                         year=year, date=_day(overdue_from - timedelta(days=1))))
    if not due:
        return 0
    recipients = db.session.execute(
        select(Institution.municipality_id, User.id).distinct()
        .join(Institution, Institution.id == User.institution_id)
        .where(Institution.municipality_id.in_(due), User.active.is_(True),
               _has_role(User.id, "coordinator", "head_of_service"))
        .order_by(Institution.municipality_id, User.id)).all()
    fresh = _unsent(f"{due[m][0]}:u{uid}" for m, uid in recipients)
    return _notify_all([(uid, "annual_report", due[m][1], REPORTS_LINK, f"{due[m][0]}:u{uid}", m)
                        for m, uid in recipients if f"{due[m][0]}:u{uid}" in fresh])


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
    #: The count is of notifications added (a sweep), not of cases or e-mails.
    notifies: bool = True

    @property
    def description(self) -> str:
        return (self.func.__doc__ or "").strip().splitlines()[0]


#: The jobs in the order ``run-due-jobs`` runs them: sweeps first, then delivery.
JOBS: tuple[Job, ...] = (
    Job("anonymise", anonymise, {"hour": 2, "minute": 30}, notifies=False),
    Job("task_due", task_due, {"hour": 7, "minute": 0}),
    Job("task_overdue", task_overdue, {"hour": 7, "minute": 5}),
    Job("review_due", review_due, {"hour": 7, "minute": 10}),
    Job("annual_report", annual_report, {"hour": 8, "minute": 0}),
    Job("red_no_meeting", red_no_meeting, {"minute": 15}),
    Job("triage_late", triage_late, {"minute": 20}),
    Job("minutes_late", minutes_late, {"minute": 25}),
    Job("client_not_informed", client_not_informed, {"minute": 35}),
    Job("daily_digest", daily_digest, {"hour": 7, "minute": 30}, commits_itself=True,
        notifies=False),
    Job("deliver_email", deliver_email, {"minute": "*"}, commits_itself=True, notifies=False),
)
JOBS_BY_ID = {job.id: job for job in JOBS}


#: A sweep that added at least this many notifications refreshes the table's statistics.
ANALYZE_AFTER = 10_000


def run_job(job_id: str, now: datetime | None = None) -> int:
    """Run one job in the current app context and commit once (rolled back on error).

    On PostgreSQL a sweep that added many notifications (a first run after a long downtime)
    then refreshes the planner's statistics of the table: the next queries on it (the e-mail
    queue, the next sweeps' anti-joins) are planned for the table as it now is. Autovacuum
    does the same, but only a while later, and not at all where it is switched off."""
    from sqlalchemy import text

    job = JOBS_BY_ID[job_id]
    try:
        count = job.func(now or utcnow())
        db.session.commit()
        if (job.notifies and count >= ANALYZE_AFTER
                and db.session.get_bind().dialect.name == "postgresql"):
            db.session.execute(text("ANALYZE notification"))
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return count


def run_all(now: datetime | None = None) -> dict[str, int]:
    """Run every job once, in order; ``{job id: count}``."""
    now = now or utcnow()
    return {job.id: run_job(job.id, now) for job in JOBS}
