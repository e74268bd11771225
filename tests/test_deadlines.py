"""The shared deadline queries (``casework.deadlines``) that the start page and the scheduler use:
which rows are due or late, with working days around Latvian public holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from casework import deadlines
from casework.cases.queries import visible_cases
from casework.extensions import db
from casework.groups.queries import visible_meetings
from casework.tasks.models import Task
from tests.calendars.conftest import (
    case_group_of,
    case_manager,
    make_case,
    make_decision,
    make_meeting,
    make_strategic_group,
    social_service,
)
from workflows.policy import RIGA, WorkingCalendar, convene_deadline, minutes_deadline

# Shared factory fixtures, used by name in the tests below.
FIXTURES = (case_group_of, case_manager, make_case, make_decision, make_meeting,
            make_strategic_group, social_service)


def riga(*args) -> datetime:
    return datetime(*args, tzinfo=RIGA)


# -- working days around 18 November 2026 (Proclamation Day, a Wednesday) ---------------------
def test_proclamation_day_is_a_holiday_and_the_day_after_a_working_day():
    cal = WorkingCalendar()
    assert not cal.is_working_day(date(2026, 11, 18))
    assert cal.is_working_day(date(2026, 11, 19))
    assert cal.is_working_day(date(2026, 11, 17))


def test_convening_after_red_skips_the_public_holiday():
    # Red on Tuesday 17th: the 1st working day after is Thursday 19th, the 2nd Friday 20th.
    due = convene_deadline(riga(2026, 11, 17, 10, 0), "red")
    assert due == riga(2026, 11, 20, 23, 59, 59)


def test_minutes_deadline_skips_the_holiday_and_the_weekend():
    # Held Tuesday 17th: 19th, 20th, (weekend), Monday 23rd.
    assert minutes_deadline(riga(2026, 11, 17, 15, 0)) == riga(2026, 11, 23, 23, 59, 59)


def test_a_meeting_held_on_the_holiday_counts_from_the_next_working_day():
    # Held on the holiday: counting starts on Thursday 19th; 3 working days → Tuesday 24th.
    assert minutes_deadline(riga(2026, 11, 18, 12, 0)) == riga(2026, 11, 24, 23, 59, 59)


# -- overdue tasks ----------------------------------------------------------------------------
def _task(manager, due, *, status="open", issued=True, title="Uzdevums"):
    task = Task(municipality_id=manager.municipality_id, title=title, assignee_id=manager.id,
                assignee_institution_id=manager.institution_id, due_date=due, status=status,
                issued_at=datetime(2026, 11, 1, tzinfo=UTC) if issued else None)
    db.session.add(task)
    db.session.commit()
    return task


def test_overdue_tasks_are_open_issued_and_due_before_today(app_ctx, case_manager):
    late = _task(case_manager, date(2026, 11, 19), title="nokavēts")
    _task(case_manager, date(2026, 11, 20), title="šodien")
    _task(case_manager, date(2026, 11, 10), status="done", title="izdarīts")
    _task(case_manager, date(2026, 11, 10), issued=False, title="melnraksts")
    rows = db.session.scalars(deadlines.overdue_tasks(date(2026, 11, 20))).all()
    assert [t.id for t in rows] == [late.id]


def test_overdue_tasks_are_scoped_to_the_municipality(app_ctx, case_manager, make_user,
                                                      make_municipality, make_institution):
    other = make_user("case_manager", institution=make_institution(
        "social_service", municipality=make_municipality()))
    mine = _task(case_manager, date(2026, 11, 1))
    theirs = _task(other, date(2026, 11, 1))
    today = date(2026, 11, 20)
    assert db.session.scalars(deadlines.overdue_tasks(
        today, case_manager.municipality_id)).all() == [mine]
    assert {t.id for t in db.session.scalars(deadlines.overdue_tasks(today))} == \
        {mine.id, theirs.id}


# -- decisions past due -----------------------------------------------------------------------
def test_decisions_past_due_are_published_open_and_past_their_date(
        app_ctx, municipality, make_strategic_group, make_decision):
    group = make_strategic_group(municipality)
    late = make_decision(group, date(2026, 11, 19))
    progressing = make_decision(group, date(2026, 11, 1), status="in_progress")
    make_decision(group, date(2026, 11, 20))  # due today: still in time
    make_decision(group, date(2026, 11, 1), status="executed")
    make_decision(group, date(2026, 11, 1), status="not_executed")
    make_decision(group, date(2026, 11, 1), published=False)
    make_decision(group, None)
    rows = db.session.scalars(deadlines.decisions_past_due(date(2026, 11, 20),
                                                           municipality.id)).all()
    assert {d.id for d in rows} == {late.id, progressing.id}


# -- red cases whose group has not met --------------------------------------------------------
def test_a_red_case_is_late_only_after_the_convening_deadline(app_ctx, make_case):
    case = make_case(risk="red", at=riga(2026, 11, 17, 10, 0))
    assert deadlines.red_cases_without_meeting(riga(2026, 11, 20, 23, 0)) == []
    late = deadlines.red_cases_without_meeting(riga(2026, 11, 21, 0, 30))
    assert [(item.row.id, item.deadline) for item in late] == \
        [(case.id, riga(2026, 11, 20, 23, 59, 59))]


def test_a_meeting_held_after_turning_red_ends_the_lateness(app_ctx, make_case, make_meeting,
                                                            case_group_of):
    case = make_case(risk="red", at=riga(2026, 11, 17, 10, 0))
    make_meeting(case_group_of(case), riga(2026, 11, 23, 10, 0), status="held")
    assert deadlines.red_cases_without_meeting(riga(2026, 11, 25, 12, 0)) == []


@pytest.mark.parametrize("status", ["planned", "cancelled"])
def test_a_meeting_not_held_does_not_count_as_meeting(app_ctx, make_case, make_meeting,
                                                      case_group_of, status):
    case = make_case(risk="red", at=riga(2026, 11, 17, 10, 0))
    make_meeting(case_group_of(case), riga(2026, 11, 19, 10, 0), status=status)
    late = deadlines.red_cases_without_meeting(riga(2026, 11, 25, 12, 0))
    assert [item.row.id for item in late] == [case.id]


def test_a_meeting_held_before_the_case_turned_red_does_not_count(app_ctx, make_case,
                                                                 make_meeting, case_group_of):
    case = make_case(risk="red", at=riga(2026, 11, 17, 10, 0))
    make_meeting(case_group_of(case), riga(2026, 11, 16, 10, 0), status="minutes_approved")
    late = deadlines.red_cases_without_meeting(riga(2026, 11, 25, 12, 0))
    assert [item.row.id for item in late] == [case.id]


def test_yellow_and_green_cases_are_not_chased_for_convening(app_ctx, make_case):
    make_case(risk="yellow", at=riga(2026, 11, 2, 10, 0))
    make_case(risk="green", at=riga(2026, 11, 2, 10, 0))
    assert deadlines.red_cases_without_meeting(riga(2026, 11, 25, 12, 0)) == []


def test_red_cases_can_be_narrowed_to_what_a_user_sees(app_ctx, make_case, make_user,
                                                       social_service):
    other_manager = make_user("case_manager", institution=social_service)
    mine = make_case(risk="red", at=riga(2026, 11, 17, 10, 0))
    make_case(risk="red", at=riga(2026, 11, 17, 10, 0), manager=other_manager)
    now = riga(2026, 11, 25, 12, 0)
    assert len(deadlines.red_cases_without_meeting(now)) == 2
    narrowed = deadlines.red_cases_without_meeting(now, stmt=visible_cases(mine.case_manager))
    assert [item.row.id for item in narrowed] == [mine.id]


# -- minutes not approved ---------------------------------------------------------------------
def test_minutes_are_late_after_three_working_days(app_ctx, municipality, make_strategic_group,
                                                   make_meeting):
    group = make_strategic_group(municipality)
    held = make_meeting(group, riga(2026, 11, 17, 13, 0), status="held")
    make_meeting(group, riga(2026, 11, 17, 9, 0), status="minutes_approved")
    make_meeting(group, riga(2026, 11, 17, 9, 0), status="planned")
    assert deadlines.minutes_not_approved(riga(2026, 11, 23, 23, 0)) == []
    late = deadlines.minutes_not_approved(riga(2026, 11, 24, 0, 1), municipality.id)
    assert [(item.row.id, item.deadline) for item in late] == \
        [(held.id, riga(2026, 11, 23, 23, 59, 59))]


def test_minutes_can_be_narrowed_to_the_meetings_a_user_sees(
        app_ctx, municipality, make_strategic_group, make_meeting, make_user):
    member = make_user("specialist")
    outsider = make_user("specialist")
    group = make_strategic_group(municipality, members=[member])
    held = make_meeting(group, riga(2026, 11, 17, 13, 0), status="held")
    now = riga(2026, 11, 25, 12, 0)
    assert [i.row.id for i in deadlines.minutes_not_approved(
        now, stmt=visible_meetings(member))] == [held.id]
    assert deadlines.minutes_not_approved(now, stmt=visible_meetings(outsider)) == []


def test_late_rows_do_not_query_the_policy_once_per_row(app_ctx, municipality,
                                                         make_strategic_group, make_meeting):
    group = make_strategic_group(municipality)
    for day in (9, 10, 11, 12, 13):
        make_meeting(group, riga(2026, 11, day, 13, 0), status="held")
    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        late = deadlines.minutes_not_approved(riga(2026, 11, 25, 12, 0))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(late) == 5
    # The candidates, then the municipality's policy once.
    assert len(statements) <= 2
