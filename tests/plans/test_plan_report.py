"""Section C of the annual report: the share of plan goals reached among the goals due or
closed in the year, with the report's small-count rule."""

from datetime import UTC, date, datetime

from casework.cases import operations as case_ops
from casework.extensions import db
from casework.orgs.models import Municipality
from casework.plans import operations as ops
from casework.reports import indicators


def _review(manager, case, goal, status, when):
    case_ops.record_review(manager, case, summary="Pārskatīšana", goal_statuses={goal.id: status},
                           at=when)


def test_report_share_of_goals_reached_among_goals_due_or_closed_in_the_year(
        make_case, case_manager, goal_kwargs, make_user, make_institution, make_municipality):
    case = make_case(status="intervention")

    def goal(deadline):
        return ops.add_goal(case_manager, case, **goal_kwargs(deadline=deadline))

    reached = goal(date(2026, 6, 30))
    missed = goal(date(2026, 3, 31))
    open_due = goal(date(2026, 12, 1))
    reached_early = goal(date(2027, 3, 1))
    later = goal(date(2027, 5, 1))
    reached_late = goal(date(2026, 9, 1))
    _review(case_manager, case, reached, "reached", datetime(2026, 5, 4, 9, tzinfo=UTC))
    _review(case_manager, case, missed, "not_reached", datetime(2026, 4, 7, 9, tzinfo=UTC))
    _review(case_manager, case, open_due, "in_progress", datetime(2026, 6, 7, 9, tzinfo=UTC))
    _review(case_manager, case, reached_early, "reached", datetime(2026, 10, 7, 9, tzinfo=UTC))
    _review(case_manager, case, reached_late, "reached", datetime(2027, 1, 10, 9, tzinfo=UTC))
    db.session.commit()
    assert later.status == "not_started"

    muni = db.session.get(Municipality, case.municipality_id)
    figure = indicators.compute(muni, 2026)["C"]["plan_goals"]
    # Due in 2026: reached, missed, open_due, reached_late; closed in 2026: reached_early.
    assert figure == {"due_or_closed": 5,
                      "reached": {"count": 2, "base": 5, "percent": 40.0}}
    assert indicators.compute(muni, 2027)["C"]["plan_goals"]["due_or_closed"] == 3
    # The report's small-count rule: a count below 3 hides the percentage.
    from casework.reports.disclosure import ratio

    assert ratio({"count": 2, "base": 5, "percent": 40.0}) == {
        "count": "<3", "base": 5, "percent": "x"}
    # ...and the exports (JSON schema, PDF and XLSX rows) carry the figure.
    from casework.reports.exports import build_document, section_rows

    doc = build_document(None, muni, 2026)
    assert doc["sections"]["C"]["plan_goals"]["due_or_closed"] == 5
    labels = [label for label, _value in section_rows(doc)["C"]]
    assert "Atbalsta plānu mērķi, kuru termiņš bija gadā vai kas slēgti gadā" in labels or \
        "Support-plan goals due or closed in the year" in labels


def test_report_counts_only_the_municipalitys_own_plan_goals(
        make_case, case_manager, goal_kwargs, make_municipality):
    case = make_case(status="intervention")
    ops.add_goal(case_manager, case, **goal_kwargs(deadline=date(2026, 6, 30)))
    db.session.commit()
    other = make_municipality()
    assert indicators.compute(other, 2026)["C"]["plan_goals"] == {
        "due_or_closed": 0, "reached": {"count": 0, "base": 0, "percent": None}}
