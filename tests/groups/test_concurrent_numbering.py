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
