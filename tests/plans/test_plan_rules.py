"""The rules of the assessment and the individual support plan (issue 12, point 4)."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from casework.auth.operations import OperationRefused
from casework.cases import operations as case_ops
from casework.cases.models import CaseEvent
from casework.extensions import db
from casework.plans import operations as ops
from casework.plans import queries
from casework.plans.models import Assessment, GoalProgress
from tests.conftest import audit_actions
from tests.plans.conftest import RATINGS
from workflows.support_plan import proposed_risk


@pytest.mark.parametrize(("ratings", "risk", "rule"), [
    ({}, "green", "no_significant_concern"),
    ({"needs": 1, "family": 2}, "green", "no_significant_concern"),
    ({"needs": 2, "family": 2}, "yellow", "two_areas_medium"),
    ({"risk_factors": 2}, "yellow", "risk_factors_medium"),
    ({"family": 3}, "yellow", "one_area_high"),
    ({"family": 3, "environment": 3}, "red", "two_areas_high"),
    ({"risk_factors": 3}, "red", "risk_factors_high"),
])
def test_proposed_colour_rule_follows_the_ratings(ratings, risk, rule):
    proposal = proposed_risk(ratings)
    assert (proposal.risk, proposal.rule) == (risk, rule)


def test_proposed_colour_is_shown_but_never_changes_the_case_risk(make_case, case_manager):
    case = make_case(risk="green", status="assessment")
    row = ops.save_assessment(case_manager, case, ratings={**RATINGS, "risk_factors": 3},
                              texts={"risk_factors": "Vardarbība ģimenē"})
    db.session.commit()
    assert row.proposed_risk == "red"
    db.session.refresh(case)
    assert case.risk == "green"
    assert not db.session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == case.id, CaseEvent.machine == "risk")).all()


def test_versioning_every_saved_assessment_is_a_new_version_old_ones_kept(make_case,
                                                                          case_manager):
    case = make_case(status="assessment")
    first = ops.save_assessment(case_manager, case, ratings=RATINGS, texts={"needs": "Pirmā"})
    second = ops.save_assessment(case_manager, case, ratings={**RATINGS, "family": 3},
                                 texts={"needs": "Otrā"})
    db.session.commit()
    assert (first.version, second.version) == (1, 2)
    rows = db.session.scalars(select(Assessment).where(Assessment.case_id == case.id)
                              .order_by(Assessment.version)).all()
    assert [r.needs_text for r in rows] == ["Pirmā", "Otrā"]
    assert queries.latest_assessment(case).id == second.id
    assert [e.details["version"] for e in db.session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == case.id, CaseEvent.trigger == "assessed"))] == [1, 2]


def test_assessment_needs_a_rating_for_every_area(make_case, case_manager):
    case = make_case(status="assessment")
    with pytest.raises(OperationRefused):
        ops.save_assessment(case_manager, case, ratings={"needs": 1}, texts={})


def test_plan_cannot_be_agreed_without_a_decision_of_the_cases_own_group(
        make_case, case_manager, make_decision, goal_kwargs):
    case = make_case(status="intervention")
    other = make_case()
    ops.add_goal(case_manager, case, **goal_kwargs())
    db.session.commit()
    with pytest.raises(OperationRefused):
        ops.agree_plan(case_manager, case, decision_id=None)
    foreign = make_decision(other, number="SPG-2026/09")
    with pytest.raises(OperationRefused):
        ops.agree_plan(case_manager, case, decision_id=foreign.id)
    draft = make_decision(case, number=None, published=False)
    with pytest.raises(OperationRefused):
        ops.agree_plan(case_manager, case, decision_id=draft.id)
    own = make_decision(case)
    plan = ops.agree_plan(case_manager, case, decision_id=own.id)
    db.session.commit()
    assert (plan.status, plan.agreement_decision_id) == ("agreed", own.id)
    assert "case_plan_agreed" in audit_actions()


def test_plan_without_goals_cannot_be_agreed(make_case, case_manager, make_decision):
    case = make_case(status="intervention")
    own = make_decision(case)
    with pytest.raises(OperationRefused):
        ops.agree_plan(case_manager, case, decision_id=own.id)


def test_goal_added_to_an_agreed_plan_returns_it_to_draft(make_case, case_manager,
                                                         make_decision, goal_kwargs):
    case = make_case(status="intervention")
    ops.add_goal(case_manager, case, **goal_kwargs())
    ops.agree_plan(case_manager, case, decision_id=make_decision(case).id)
    ops.add_goal(case_manager, case, **goal_kwargs(goal="Ģimene apmeklē konsultācijas"))
    db.session.commit()
    plan = queries.plan_with_goals(case)
    assert plan.status == "draft" and plan.agreement_decision_id is None
    assert len(plan.goals) == 2


def test_goal_may_reference_only_decisions_and_tasks_of_the_case(make_case, case_manager,
                                                                 make_decision, goal_kwargs):
    case = make_case(risk="yellow", status="intervention")
    other = make_case(risk="yellow")
    with pytest.raises(OperationRefused):
        ops.add_goal(case_manager, case, **goal_kwargs(decision_id=make_decision(other).id))
    foreign_task = next(iter(ops.case_task_ids(other)))
    with pytest.raises(OperationRefused):
        ops.add_goal(case_manager, case, **goal_kwargs(task_ids=[foreign_task]))
    own_task = next(iter(ops.case_task_ids(case)))
    goal = ops.add_goal(case_manager, case, **goal_kwargs(
        decision_id=make_decision(case).id, task_ids=[own_task]))
    db.session.commit()
    assert [t.id for t in queries.goal_tasks([goal.id])[goal.id]] == [own_task]


def test_goal_progress_recorded_at_review(make_case, case_manager, goal_kwargs):
    case = make_case(status="intervention")
    first = ops.add_goal(case_manager, case, **goal_kwargs())
    second = ops.add_goal(case_manager, case, **goal_kwargs(goal="Otrais mērķis"))
    db.session.commit()
    at = datetime(2026, 5, 4, 9, tzinfo=UTC)
    case_ops.record_review(case_manager, case, summary="Pārskatīts",
                           goal_statuses={first.id: "reached", second.id: "in_progress"}, at=at)
    db.session.commit()
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.status, first.closed_at) == ("reached", at)
    assert (second.status, second.closed_at) == ("in_progress", None)
    review = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                       CaseEvent.trigger == "reviewed"))
    assert review.details["goals"] == {str(first.id): "reached", str(second.id): "in_progress"}
    progress = db.session.scalars(select(GoalProgress).order_by(GoalProgress.id)).all()
    assert {(p.goal_id, p.status, p.review_event_id) for p in progress} == {
        (first.id, "reached", review.id), (second.id, "in_progress", review.id)}


def test_review_refuses_goal_of_another_case(make_case, case_manager, goal_kwargs):
    case = make_case(status="intervention")
    other = make_case(status="intervention")
    foreign = ops.add_goal(case_manager, other, **goal_kwargs())
    db.session.commit()
    with pytest.raises(OperationRefused):
        case_ops.record_review(case_manager, case, summary="Pārskatīts",
                               goal_statuses={foreign.id: "reached"})


def test_audit_details_of_plan_changes_hold_ids_and_codes_only(make_case, case_manager,
                                                              goal_kwargs):
    from casework.audit.models import AuditEvent

    case = make_case(status="intervention")
    ops.save_assessment(case_manager, case, ratings=RATINGS, texts={"family": "Slepens teksts"})
    ops.add_goal(case_manager, case, **goal_kwargs(goal="Slepens mērķis"))
    db.session.commit()
    details = [e.details for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("case_%"), AuditEvent.action != "case_opened"))]
    assert details and "Slepens" not in repr(details)


def test_specialist_group_member_may_read_but_not_change(make_case, case_manager, make_user,
                                                         school, goal_kwargs):
    case = make_case(status="intervention")
    teacher = make_user("specialist", institution=school)
    case_ops.add_group_member(case_manager, case, teacher)
    db.session.commit()
    with pytest.raises(case_ops.AccessRefused):
        ops.save_assessment(teacher, case, ratings=RATINGS, texts={})
    with pytest.raises(case_ops.AccessRefused):
        ops.add_goal(teacher, case, **goal_kwargs())
    with pytest.raises(case_ops.AccessRefused):
        ops.agree_plan(teacher, case, decision_id=None)


def test_closed_case_is_not_assessed(make_case, case_manager):
    case = make_case(risk="green", status="closed")
    with pytest.raises(OperationRefused):
        ops.save_assessment(case_manager, case, ratings=RATINGS, texts={},
                            assessed_on=date(2026, 1, 1))
