"""Fixtures for the scheduler's sweeps: cases, tasks, meetings and a frozen clock."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from casework.extensions import db
from casework.notifications.models import Notification
from tests.cases.conftest import case_manager, make_case, social_service  # noqa: F401
from workflows.policy import RIGA

CHILD = {"given_name": "Anna", "family_name": "Bērziņa", "personal_code": "150515-12345",
         "birth_date": date(2015, 5, 15)}
CHILD_WORDS = ("Anna", "Bērziņa", "150515")


def riga(*args) -> datetime:
    """An aware datetime in Latvian time."""
    return datetime(*args, tzinfo=RIGA)


@pytest.fixture
def frozen():
    """``frozen(moment)``: stop the clock at ``moment`` for the rest of the test."""
    travellers = []

    def freeze(moment: datetime):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment.astimezone(UTC), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield freeze
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def head_of_service(make_user, social_service):  # noqa: F811
    return make_user("head_of_service", institution=social_service, full_name="Ilze Vadītāja")


@pytest.fixture
def school(make_institution):
    return make_institution("school", name="Skola")


@pytest.fixture
def specialist(make_user, school):
    return make_user("specialist", institution=school, full_name="Pēteris Skolotājs")


@pytest.fixture
def outsider(make_user, school):
    """A specialist of the municipality who is in no group of the case."""
    return make_user("specialist", institution=school, full_name="Nav Grupā")


@pytest.fixture
def make_task(app_ctx):
    """``make_task(assignee, due, case=None)``: an issued open task."""
    from casework.tasks.models import Task

    def make(assignee, due: date, case=None, title="Apmeklēt ģimeni", issued=True, **kw):
        task = Task(municipality_id=assignee.municipality_id, title=title,
                    assignee_id=assignee.id, assignee_institution_id=assignee.institution_id,
                    due_date=due, case_id=case.id if case else None,
                    issued_at=datetime.now(UTC) - timedelta(days=1) if issued else None, **kw)
        db.session.add(task)
        db.session.commit()
        return task

    return make


def notifications(**filters) -> list[Notification]:
    """The notifications, oldest first, narrowed by column values."""
    stmt = select(Notification).order_by(Notification.id)
    for key, value in filters.items():
        stmt = stmt.where(getattr(Notification, key) == value)
    return list(db.session.scalars(stmt))


def recipients(kind: str) -> set[int]:
    return {n.user_id for n in notifications(kind=kind)}
