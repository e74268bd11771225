"""Two approvals of one group's minutes at the same moment never give the same number
(PostgreSQL: the losing transaction retries in a savepoint after the unique index refuses)."""

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.auth.models import User
from casework.extensions import db
from casework.groups import operations as ops
from casework.groups.models import Decision, Meeting
from tests.groups.conftest import at, hold


@pytest.fixture
def member(make_user, make_institution):
    return make_user("specialist", institution=make_institution("school"))


def test_two_approvals_at_once_number_decisions_without_duplicates(
        app, coordinator, make_group, make_meeting, member):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    group = make_group(members=[member])
    ids = []
    for day in (3, 4):
        meeting = make_meeting(group, starts=at(2026, 3, day), invite=[member])
        hold(coordinator, meeting)
        ops.add_decision(coordinator, meeting, kind="decision", text=f"d{day}")
        db.session.commit()
        ids.append(meeting.id)
    coordinator_id = coordinator.id
    first_flushed, errors = threading.Event(), []

    def approve_second():
        with app.app_context():
            try:
                meeting = db.session.get(Meeting, ids[1])
                ops.approve_minutes(db.session.get(User, coordinator_id), meeting)
                db.session.commit()
            except Exception as error:  # reported to the test below
                errors.append(error)
            finally:
                db.session.remove()

    with app.app_context():
        session: Session = db.session
        meeting = session.get(Meeting, ids[0])
        ops.approve_minutes(session.get(User, coordinator_id), meeting)  # flushed, not committed
        first_flushed.set()
        other = threading.Thread(target=approve_second)
        other.start()
        other.join(timeout=2)  # it waits on our uncommitted number
        session.commit()
        db.session.remove()
    other.join(timeout=30)
    assert not other.is_alive() and errors == []
    numbers = sorted(db.session.scalars(select(Decision.number)))
    assert numbers == ["SG-2026/01", "SG-2026/02"]


def test_sixteen_approvals_at_once_all_succeed_with_unique_gap_free_numbers(
        app, coordinator, make_group, make_meeting, member):
    """Decision numbers come from a per-group-and-year counter row: the approvals queue on
    its lock, so none fails or retries, and the numbers run 01..16 without a gap."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    group = make_group(members=[member])
    ids = []
    for n in range(16):
        meeting = make_meeting(group, starts=at(2026, 3, 2, 8 + n // 2, 30 * (n % 2)),
                               hours=0.25, invite=[member])
        hold(coordinator, meeting)
        ops.add_decision(coordinator, meeting, kind="decision", text=f"Lēmums {n}")
        db.session.commit()
        ids.append(meeting.id)
    coordinator_id = coordinator.id
    barrier = threading.Barrier(len(ids), timeout=60)
    errors: list = []

    def approve(meeting_id):
        with app.app_context():
            try:
                meeting = db.session.get(Meeting, meeting_id)
                actor = db.session.get(User, coordinator_id)
                barrier.wait()
                ops.approve_minutes(actor, meeting)
                db.session.commit()
            except Exception as error:  # reported to the test below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    db.session.expire_all()
    numbers = sorted(db.session.scalars(select(Decision.number)))
    assert numbers == [f"SG-2026/{n:02d}" for n in range(1, 17)]
    assert all(m.status == "minutes_approved"
               for m in db.session.scalars(select(Meeting).where(Meeting.id.in_(ids))))


def test_decision_numbers_skip_numbers_given_outside_the_counter(
        coordinator, make_group, make_meeting, member):
    group = make_group(members=[member])
    db.session.add(Decision(group_id=group.id, year=2026, seq=4, number="SG-2026/04",
                            text="Ievests no iepriekšējās sistēmas", status="pending"))
    db.session.commit()
    meeting = make_meeting(group, starts=at(2026, 3, 3), invite=[member])
    hold(coordinator, meeting)
    ops.add_decision(coordinator, meeting, kind="decision", text="Jauns")
    ops.approve_minutes(coordinator, meeting)
    db.session.commit()
    assert sorted(db.session.scalars(select(Decision.number))) == ["SG-2026/04", "SG-2026/05"]
