"""What a sweep has told is also written on the source row (issue 16): a task carries the due
date of which its assignee was reminded, told overdue and its lead told, so that a steady run
reads no row it has told of. The notifications' unique keys stay the record and what makes
the sweeps idempotent; the marker is only a filter. A new due date is told again."""

from datetime import date, timedelta

from sqlalchemy import select, text, update

from casework.cases import operations as ops
from casework.extensions import db
from casework.jobs import sweeps
from casework.notifications.models import Notification
from casework.tasks.models import Task
from tests.jobs.conftest import CHILD, notifications, riga
from tests.jobs.test_sweeps import _run


def _rows_read(monkeypatch) -> list:
    """The candidate rows the sweeps read from now on."""
    read = []
    original = sweeps._batches

    def counting(stmt):
        for rows in original(stmt):
            read.extend(rows)
            yield rows

    monkeypatch.setattr(sweeps, "_batches", counting)
    return read


def _task(task_id) -> Task:
    db.session.expire_all()
    return db.session.get(Task, task_id)


def _overdue_with_lead(frozen, case_manager, specialist, make_case, make_task):
    frozen(riga(2026, 6, 15, 9))
    case = make_case(risk="green", child=CHILD)
    ops.add_group_member(case_manager, case, specialist)
    db.session.commit()
    return make_task(specialist, date(2026, 6, 19), case=case)


def test_a_told_task_is_not_read_again(monkeypatch, frozen, case_manager, specialist,
                                       make_case, make_task):
    task = _overdue_with_lead(frozen, case_manager, specialist, make_case, make_task)
    soon = make_task(specialist, date(2026, 6, 30))
    assert _run(sweeps.task_due, riga(2026, 6, 29, 7)) == 1
    assert _run(sweeps.task_overdue, riga(2026, 6, 29, 7)) == 2  # the assignee and the lead
    assert (_task(task.id).overdue_told_on, _task(task.id).lead_told_on) == (
        date(2026, 6, 19), date(2026, 6, 19))
    assert _task(soon.id).due_told_on == date(2026, 6, 30)
    read = _rows_read(monkeypatch)
    assert _run(sweeps.task_due, riga(2026, 6, 29, 8)) == 0
    assert _run(sweeps.task_overdue, riga(2026, 6, 29, 8)) == 0
    assert read == []


def test_a_new_due_date_tells_the_assignee_and_the_lead_again(frozen, case_manager, specialist,
                                                              make_case, make_task):
    task = _overdue_with_lead(frozen, case_manager, specialist, make_case, make_task)
    assert _run(sweeps.task_overdue, riga(2026, 6, 29, 7)) == 2
    task = _task(task.id)
    task.due_date = date(2026, 6, 26)  # postponed, and overdue again
    db.session.commit()
    assert _run(sweeps.task_overdue, riga(2026, 7, 1, 7)) == 2
    assert {n.dedup_key for n in notifications()} == {
        f"task_overdue:t{task.id}:2026-06-19", f"task_overdue_lead:t{task.id}:2026-06-19",
        f"task_overdue:t{task.id}:2026-06-26", f"task_overdue_lead:t{task.id}:2026-06-26"}
    assert _run(sweeps.task_overdue, riga(2026, 7, 1, 8)) == 0


def test_a_task_told_before_its_marker_is_not_told_again_and_is_marked(
        monkeypatch, frozen, case_manager, specialist, make_case, make_task):
    """The key decides: a task told by another process, or before the markers existed (the
    migration writes them from the notifications), is not told twice."""
    task = _overdue_with_lead(frozen, case_manager, specialist, make_case, make_task)
    assert _run(sweeps.task_overdue, riga(2026, 6, 29, 7)) == 2
    db.session.execute(update(Task).where(Task.id == task.id).values(
        overdue_told_on=None, lead_told_on=None))
    db.session.commit()
    assert _run(sweeps.task_overdue, riga(2026, 6, 29, 8)) == 0
    assert (_task(task.id).overdue_told_on, _task(task.id).lead_told_on) == (
        date(2026, 6, 19), date(2026, 6, 19))
    read = _rows_read(monkeypatch)
    assert _run(sweeps.task_overdue, riga(2026, 6, 29, 9)) == 0
    assert read == []
    assert len(notifications()) == 2


def test_the_migration_writes_the_markers_of_what_was_told(frozen, case_manager, specialist,
                                                           outsider, make_case, make_task):
    """The upgrade's backfill, on SQLite and PostgreSQL: every task whose notification exists
    is marked with the due date told, every late meeting whose recipients were all told, and
    every decision whose manager was told or whose client was informed."""
    import importlib.util

    from casework import ROOT
    from casework.groups.models import Decision, Meeting
    from tests.jobs.test_sweeps import _decision

    task = _overdue_with_lead(frozen, case_manager, specialist, make_case, make_task)
    soon = make_task(specialist, date(2026, 6, 30))
    untold = make_task(specialist, date(2026, 6, 22))
    other = make_case(risk="yellow")
    everyone = _held(other, riga(2026, 6, 18, 11), chair_id=case_manager.id)
    not_everyone = _held(other, riga(2026, 6, 18, 12), minute_taker_id=outsider.id)
    third = make_case(risk="yellow")
    told, informed = _decision(other, riga(2026, 6, 17, 12)), _decision(
        third, riga(2026, 6, 17, 12))
    ops.add_participation(case_manager, third, subject="Lēmums", person_id=None,
                          decision_id=informed.id,
                          informed=True, informed_on=date(2026, 6, 15), method="in_person",
                          opinion=None, attended=False)
    db.session.commit()
    assert _run(sweeps.task_due, riga(2026, 6, 29, 7)) == 1
    assert _run(sweeps.task_overdue, riga(2026, 6, 29, 7)) == 3
    assert _run(sweeps.minutes_late, riga(2026, 6, 29, 7)) == 2
    assert _run(sweeps.client_not_informed, riga(2026, 6, 29, 7)) == 1
    db.session.execute(Notification.__table__.delete().where(
        Notification.dedup_key.like(f"task_overdue:t{untold.id}:%")))
    db.session.execute(update(Task).values(overdue_told_on=None, lead_told_on=None,
                                           due_told_on=None))
    db.session.execute(update(Meeting).values(minutes_late_told_at=None))
    db.session.execute(update(Decision).values(uninformed_settled_at=None))
    db.session.commit()
    path = next((ROOT / "migrations" / "versions").glob("*_sweep_markers.py"))
    spec = importlib.util.spec_from_file_location("sweep_markers", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for statement in migration.backfill(db.engine.dialect.name):
        db.session.execute(text(statement))
    db.session.commit()
    marked = {t.id: (t.due_told_on, t.overdue_told_on, t.lead_told_on)
              for t in db.session.scalars(select(Task))}
    assert marked[task.id] == (None, date(2026, 6, 19), date(2026, 6, 19))
    assert marked[soon.id] == (date(2026, 6, 30), None, None)
    assert marked[untold.id] == (None, None, None)
    meetings = {m.id: m.minutes_late_told_at for m in db.session.scalars(select(Meeting))}
    assert meetings[everyone.id] is not None and meetings[not_everyone.id] is None
    decisions = {d.id: d.uninformed_settled_at for d in db.session.scalars(select(Decision))}
    assert decisions[told.id] is not None and decisions[informed.id] is not None


def test_an_overdue_task_of_the_lead_is_settled_and_a_new_lead_hears_of_it(
        monkeypatch, frozen, case_manager, head_of_service, make_user, make_case, make_task):
    """Nobody is told about their own task twice: the case manager's overdue task is marked
    as settled, not read again; reassigning the case makes the new case manager its lead, who
    is told of it."""
    frozen(riga(2026, 6, 15, 9))
    case = make_case(risk="green", child=CHILD)
    task = make_task(case_manager, date(2026, 6, 19), case=case)
    assert _run(sweeps.task_overdue, riga(2026, 6, 29, 7)) == 1
    assert [n.kind for n in notifications()] == ["task_overdue"]
    assert _task(task.id).lead_told_on == date(2026, 6, 19)
    read = _rows_read(monkeypatch)
    assert _run(sweeps.task_overdue, riga(2026, 6, 29, 8)) == 0
    assert read == []
    successor = make_user("case_manager", institution=case_manager.institution)
    db.session.refresh(case)
    ops.reassign_case_manager(head_of_service, case, successor)
    db.session.commit()
    assert _task(task.id).lead_told_on is None
    assert _run(sweeps.task_overdue, riga(2026, 6, 29, 9)) == 1
    lead = notifications(kind="task_overdue_lead")
    assert [n.user_id for n in lead] == [successor.id]
    assert _run(sweeps.task_overdue, riga(2026, 6, 29, 10)) == 0


def test_a_run_that_added_many_notifications_refreshes_their_statistics(
        monkeypatch, frozen, specialist, make_task):
    """On PostgreSQL: the next queries on the table (the e-mail queue) are planned for the
    table as it now is (after a first run after a long downtime: hundreds of thousands)."""
    from sqlalchemy import event

    frozen(riga(2026, 6, 15, 9))
    make_task(specialist, date(2026, 6, 1))
    make_task(specialist, date(2026, 6, 2))
    monkeypatch.setattr(sweeps, "ANALYZE_AFTER", 2)
    seen = []

    def statement(_conn, _cursor, sql, *_args):
        seen.append(sql)

    event.listen(db.engine, "before_cursor_execute", statement)
    try:
        assert sweeps.run_job("task_due", riga(2026, 6, 15, 7)) == 0
        assert sweeps.run_job("task_overdue", riga(2026, 6, 15, 7)) == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
    analyzed = [sql for sql in seen if sql.startswith("ANALYZE")]
    postgres = db.engine.dialect.name == "postgresql"
    assert analyzed == (["ANALYZE notification"] if postgres else [])


def _held(case, held_at, **kw):
    from casework.groups.models import Meeting
    from tests.jobs.test_sweeps import _group

    meeting = Meeting(group_id=_group(case).id, starts_at=held_at - timedelta(hours=1),
                      ends_at=held_at, status="held", held_at=held_at, **kw)
    db.session.add(meeting)
    db.session.commit()
    return meeting


def test_late_minutes_told_to_everyone_are_not_read_again_and_a_new_lead_hears_of_them(
        monkeypatch, frozen, case_manager, head_of_service, make_user, make_case):
    from casework.groups.models import Meeting

    frozen(riga(2026, 6, 17, 9))
    case = make_case(risk="yellow", child=CHILD)
    meeting = _held(case, riga(2026, 6, 18, 11), chair_id=case_manager.id)
    assert _run(sweeps.minutes_late, riga(2026, 6, 26, 12)) == 0  # in time: not marked
    assert db.session.get(Meeting, meeting.id).minutes_late_told_at is None
    assert _run(sweeps.minutes_late, riga(2026, 6, 27, 9)) == 1
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).minutes_late_told_at is not None
    read = _rows_read(monkeypatch)
    assert _run(sweeps.minutes_late, riga(2026, 6, 28, 9)) == 0
    assert read == []
    successor = make_user("case_manager", institution=case_manager.institution)
    db.session.refresh(case)
    ops.reassign_case_manager(head_of_service, case, successor)
    db.session.commit()
    assert _run(sweeps.minutes_late, riga(2026, 6, 29, 9)) == 1
    assert [n.user_id for n in notifications(kind="minutes_late")] == [
        case_manager.id, successor.id]
    assert _run(sweeps.minutes_late, riga(2026, 6, 29, 10)) == 0
    assert read == [read[0]]  # the meeting, read once more after the reassignment


def test_late_minutes_are_told_to_a_minute_taker_once_they_may_see_the_case(
        frozen, case_manager, outsider, make_case):
    from casework.groups.models import Meeting

    frozen(riga(2026, 6, 17, 9))
    case = make_case(risk="yellow", child=CHILD)
    meeting = _held(case, riga(2026, 6, 18, 11), minute_taker_id=outsider.id)
    assert _run(sweeps.minutes_late, riga(2026, 6, 27, 9)) == 1  # the lead only
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).minutes_late_told_at is None
    assert _run(sweeps.minutes_late, riga(2026, 6, 28, 9)) == 0
    ops.add_group_member(case_manager, case, outsider)
    db.session.commit()
    assert _run(sweeps.minutes_late, riga(2026, 6, 29, 9)) == 1
    assert {n.user_id for n in notifications(kind="minutes_late")} == {
        case_manager.id, outsider.id}
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).minutes_late_told_at is not None


def test_uninformed_clients_once_settled_are_not_read_again_until_the_case_changes_hands(
        monkeypatch, frozen, case_manager, head_of_service, make_user, make_case):
    from casework.groups.models import Decision
    from tests.jobs.test_sweeps import _decision

    frozen(riga(2026, 11, 16, 9))
    case = make_case(risk="yellow", child=CHILD)
    told = _decision(case, riga(2026, 11, 17, 12))
    other = make_case(risk="yellow")
    informed = _decision(other, riga(2026, 11, 17, 12))
    ops.add_participation(case_manager, other, subject="Lēmums", person_id=None,
                          decision_id=informed.id, informed=True,
                          informed_on=date(2026, 11, 16), method="in_person", opinion=None,
                          attended=False)
    db.session.commit()
    assert _run(sweeps.client_not_informed, riga(2026, 11, 25, 18)) == 0  # in time
    assert _run(sweeps.client_not_informed, riga(2026, 11, 26, 8)) == 1
    db.session.expire_all()
    assert all(d.uninformed_settled_at is not None for d in db.session.scalars(select(Decision)))
    read = _rows_read(monkeypatch)
    assert _run(sweeps.client_not_informed, riga(2026, 11, 27, 8)) == 0
    assert read == []
    successor = make_user("case_manager", institution=case_manager.institution)
    db.session.refresh(case)
    ops.reassign_case_manager(head_of_service, case, successor)
    db.session.commit()
    assert _run(sweeps.client_not_informed, riga(2026, 11, 27, 9)) == 1
    assert [n.dedup_key for n in notifications(kind="client_not_informed")] == [
        f"client_not_informed:d{told.id}:u{case_manager.id}",
        f"client_not_informed:d{told.id}:u{successor.id}"]
    assert _run(sweeps.client_not_informed, riga(2026, 11, 27, 10)) == 0


def test_a_reopened_case_is_chased_for_its_uninformed_client(frozen, case_manager, make_case):
    from tests.jobs.test_sweeps import _decision

    frozen(riga(2026, 11, 16, 9))
    case = make_case(risk="green", status="closed", child=CHILD)
    _decision(case, riga(2026, 11, 17, 12))
    assert _run(sweeps.client_not_informed, riga(2026, 11, 26, 8)) == 0
    db.session.refresh(case)
    ops.transition_case(case_manager, case, "reopen", reason="Jauns ziņojums")
    db.session.commit()
    assert _run(sweeps.client_not_informed, riga(2026, 11, 27, 8)) == 1
    assert recipients_of("client_not_informed") == {case_manager.id}


def recipients_of(kind):
    return {n.user_id for n in notifications(kind=kind)}
