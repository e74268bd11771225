"""The start page's fixtures: the calendar's world plus late work in it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from casework.extensions import db
from casework.tasks.models import Task
from tests.calendars.conftest import (
    case_group_of,
    case_manager,
    frozen,
    lv,
    make_case,
    make_decision,
    make_meeting,
    make_strategic_group,
    social_service,
    world,
)
from workflows.policy import RIGA

# Shared factory fixtures, used by name in the tests of this folder.
FIXTURES = (case_group_of, case_manager, frozen, lv, make_case, make_decision, make_meeting,
            make_strategic_group, social_service, world)


def riga(*args) -> datetime:
    return datetime(*args, tzinfo=RIGA)


def add_task(user, due: date, *, title: str, case=None, issued: bool = True) -> Task:
    task = Task(municipality_id=user.municipality_id, title=title, assignee_id=user.id,
                assignee_institution_id=user.institution_id, due_date=due,
                case_id=case.id if case else None,
                issued_at=datetime(2026, 11, 1, tzinfo=UTC) if issued else None)
    db.session.add(task)
    db.session.commit()
    return task


@pytest.fixture
def late_world(world, make_case, make_user, make_meeting, make_decision, case_group_of):
    """On Friday 20 November 2026, 10:00 Riga (18 November was a public holiday):

    - ``late_red`` (the manager's) and ``other_late`` (the other manager's) turned red on Monday
      16th; their groups should have met by Thursday 19th and have not; ``world.case`` turned
      red today and is still in time. Opening them issued "convene" tasks due on the 19th.
    - strategic minutes: held on the 12th (late since the 17th... deadline 17th) and on the
      16th (due the 20th, in time); the case group's minutes held on the 19th (in time).
    - decisions due on the 19th: strategic, the manager's case, the other manager's case, and
      the neighbouring municipality's.
    """
    w = world
    w.late_red = make_case(risk="red", at=riga(2026, 11, 16, 10, 0))
    w.other_late = make_case(risk="red", at=riga(2026, 11, 16, 10, 0), manager=w.other_manager)
    w.colleague = make_user("specialist", institution=w.coordinator.institution)
    w.colleague_task = add_task(w.colleague, date(2026, 11, 10), title="Sagatavot pārskatu")
    w.hidden_case_task = add_task(w.colleague, date(2026, 11, 10), title="Apmeklēt ģimeni",
                                  case=w.other_case)
    w.member_task = add_task(w.member, date(2026, 11, 19), title="Iesniegt priekšlikumus")
    add_task(w.member, date(2026, 11, 20), title="Šodien vēl laikā")
    add_task(w.member, date(2026, 11, 2), title="Melnraksts", issued=False)
    w.old_minutes = make_meeting(w.strategic, riga(2026, 11, 12, 13, 0), status="held")
    w.fresh_minutes = make_meeting(w.strategic, riga(2026, 11, 16, 13, 0), status="held")
    w.case_minutes = make_meeting(w.group, riga(2026, 11, 19, 14, 0), status="held")
    w.far_meeting = make_meeting(w.strategic, riga(2026, 12, 5, 10, 0))
    w.strategic_decision = make_decision(w.strategic, date(2026, 11, 19))
    w.case_decision = make_decision(w.group, date(2026, 11, 19))
    w.other_decision = make_decision(case_group_of(w.other_case), date(2026, 11, 19))
    w.neighbour_decision = make_decision(w.neighbour_meeting.group, date(2026, 11, 19))
    make_decision(w.strategic, date(2026, 11, 20))  # due today: in time
    return w
