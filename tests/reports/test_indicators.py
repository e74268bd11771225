"""Every figure of sections A–C for the known year of conftest.py."""

from __future__ import annotations

from casework.reports import indicators
from casework.reports.schemas import dump, suppress

from .conftest import YEAR


def test_known_year_every_figure_of_sections_a_to_c(known_year):
    figs = indicators.compute(known_year["municipality"], YEAR)
    assert figs["schema_version"] == indicators.SCHEMA_VERSION == "1.0"
    assert figs["A"] == {
        "municipality": "Parauga novads", "atvk_code": "0999001", "year": YEAR,
        "coordinator_institutions": ["Pašvaldības administrācija"],
        "strategic_groups": 1, "members": 4,
        "composition": {"other": 1, "social_service": 1, "orphans_court": 1, "school": 1},
        "required_kinds_missing": ["municipal_police"],
    }
    assert figs["B"] == {
        "meetings_held": 3, "meeting_dates": ["2025-03-12", "2025-06-11", "2025-09-10"],
        "supervision_sessions": 1, "supervision_dates": ["2025-11-05"],
        "attendance": {"other": {"invited": 1, "attended": 1},
                       "social_service": {"invited": 2, "attended": 2},
                       "orphans_court": {"invited": 1, "attended": 0},
                       "school": {"invited": 2, "attended": 1}},
        "decisions": {"total": 3, "executed": 1, "in_progress": 1, "not_executed": 0,
                      "pending": 1},
        "proposals_municipality": 1, "proposals_state": 1,
    }
    c = figs["C"]
    assert c["cases"] == {"new": 3, "carried_over": 1, "reopened": 1, "examined": 5}
    assert c["closed"] == {"total": 2, "by_reason": {"moved_municipality": 1,
                                                     "client_refused_no_risk": 1}}
    assert c["meetings_held"] == 2
    assert c["by_category"] == {"neglect": 3, "school_absence": 1, "violence": 1,
                                "behaviour": 1}
    assert c["referrals"] == {"received": 4,
                              "by_institution_kind": {"school": 3, "state_police": 1}}
    assert c["risk_at_year_end"] == {"green": 1, "yellow": 0, "red": 2}
    assert c["risk_by_quarter"] == [
        {"quarter": 1, "green": 0, "yellow": 2, "red": 1},
        {"quarter": 2, "green": 0, "yellow": 2, "red": 2},
        {"quarter": 3, "green": 0, "yellow": 1, "red": 2},
        {"quarter": 4, "green": 1, "yellow": 0, "red": 2},
    ]
    assert c["escalations_to_red"] == {"events": 1, "cases": 1}
    assert c["triage"] == {"triaged": 3, "median_working_days": 1.0,
                           "within_policy": {"count": 2, "base": 3, "percent": 66.7}}
    assert c["red_to_meeting"] == {"red_starts": 2, "met": 2, "median_working_days": 2.0,
                                   "within_policy": {"count": 1, "base": 2, "percent": 50.0}}
    assert c["tasks"] == {"issued": 4, "done": 2,
                          "done_on_time": {"count": 1, "base": 4, "percent": 25.0}}
    assert c["children_by_age"] == {"0-6": 1, "7-12": 1, "13-17": 1, "18+": 1, "unknown": 1}
    assert c["client_participation"] == {
        "decisions": 3, "informed": {"count": 2, "base": 3, "percent": 66.7},
        "opinion_recorded": {"count": 1, "base": 3, "percent": 33.3}}


def test_the_year_before_counts_only_its_own_records(known_year):
    c = indicators.compute(known_year["municipality"], 2024)["C"]
    # C1, C2 (both opened 2024) and C5 (open at the start of 2024, closed in March).
    assert c["cases"] == {"new": 2, "carried_over": 1, "reopened": 0, "examined": 3}
    assert c["closed"]["by_reason"] == {"goals_achieved": 2}
    assert c["risk_at_year_end"] == {"green": 1, "yellow": 0, "red": 0}


def test_counts_below_three_are_suppressed_but_zero_is_shown():
    assert [suppress(n) for n in (0, 1, 2, 3, 17, None)] == [0, "<3", "<3", 3, 17, None]


def test_suppression_applies_to_counts_percentages_and_medians(known_year):
    figs = indicators.compute(known_year["municipality"], YEAR)
    doc = dump({"municipality": "x", "atvk_code": "0999001", "year": YEAR, "recipient": "r",
                "status": "draft", "sections": {**{k: figs[k] for k in "ABC"}, "D": {}}})
    c = doc["sections"]["C"]
    assert c["cases"] == {"new": "x", "carried_over": "<3", "reopened": "<3", "examined": 5}
    assert c["red_to_meeting"]["median_working_days"] == "x"
    assert c["red_to_meeting"]["within_policy"] == {"count": "<3", "base": "<3",
                                                    "percent": "x"}
    assert c["triage"]["median_working_days"] == 1.0
    assert c["triage"]["within_policy"] == {"count": "<3", "base": 3, "percent": "x"}
    assert c["risk_at_year_end"] == {"green": "<3", "yellow": 0, "red": "<3"}
    assert doc["sections"]["B"]["decisions"]["total"] == 3
    # Members and meetings are not children: shown as they are.
    assert doc["sections"]["A"]["composition"]["school"] in (1, 2)


def test_a_change_just_after_a_quarter_ends_in_riga_time_counts_in_the_next_quarter(
        app_ctx, people):
    """The end of Q1 is midnight of 1 April in Riga (21:00 UTC on 31 March): a case closed at
    01:00 on 1 April was still open when the quarter ended, on SQLite as on PostgreSQL (the
    history's moments are compared in UTC)."""
    from sqlalchemy import select

    from casework.cases import operations as ops
    from casework.extensions import db

    from .conftest import _case, t

    case = _case(people["manager"], "yellow", t(YEAR, 2, 1))
    ops.record_event(case, people["manager"], "lifecycle", "close", from_state=case.status,
                     to_state="closed", at=t(YEAR, 4, 1, 1, 0))
    db.session.commit()
    states = indicators._states(case.municipality_id, YEAR)
    row = db.session.execute(select(states).where(states.c.case_id == case.id)).one()
    assert (row.open_1, row.open_2) == (1, 0)


def test_a_task_is_done_on_time_when_closed_before_riga_midnight_after_its_due_date(known_year):
    """Done on time is judged on the Riga calendar: 23:50 on the due date is on time, ten
    past midnight is late, although both are the due date in UTC (21:10 and 20:50)."""
    from datetime import date

    from casework.extensions import db
    from casework.tasks.models import Task

    from .conftest import t

    m = known_year["people"]["manager"]
    case = known_year["cases"]["c3"]
    for closed in (t(2025, 7, 15, 23, 50), t(2025, 7, 16, 0, 10)):
        db.session.add(Task(municipality_id=m.municipality_id, title="Pārbaude",
                            assignee_id=m.id, assignee_institution_id=m.institution_id,
                            due_date=date(2025, 7, 15), case_id=case.id,
                            issued_at=t(2025, 7, 1), status="done", closed_at=closed))
    db.session.commit()
    tasks = indicators.compute(known_year["municipality"], YEAR)["C"]["tasks"]
    assert tasks == {"issued": 6, "done": 4,
                     "done_on_time": {"count": 2, "base": 6, "percent": 33.3}}
