"""The assessment and plan pages: as visible as the case (404 otherwise), changed only by the
case manager and the head of the social service, shown on the case page."""

from sqlalchemy import select

from casework.cases import operations as case_ops
from casework.extensions import db
from casework.plans import operations as ops
from casework.plans.models import Assessment, PlanGoal
from tests.plans.conftest import RATINGS


def _post(client, url, data):
    return client.post_form(url, data, token_from="/")


def _world(make_case, case_manager, make_decision, goal_kwargs):
    case = make_case(status="intervention")
    assessment = ops.save_assessment(case_manager, case, ratings={**RATINGS, "family": 3},
                                     texts={"family": "Ģimenes apraksts"})
    goal = ops.add_goal(case_manager, case, **goal_kwargs())
    decision = make_decision(case)
    db.session.commit()
    return case, assessment, goal, decision


def _urls(case, assessment):
    gets = [f"/cases/{case.id}/assessments", f"/cases/{case.id}/assessments/{assessment.id}",
            f"/cases/{case.id}/assessments/new", f"/cases/{case.id}/plan"]
    posts = [f"/cases/{case.id}/assessments/new", f"/cases/{case.id}/plan/goals",
             f"/cases/{case.id}/plan/agree"]
    return gets, posts


def test_user_who_may_not_see_the_case_gets_404_on_every_assessment_and_plan_url(
        client, login_as, make_case, case_manager, make_decision, goal_kwargs, school):
    case, assessment, _goal, _decision = _world(make_case, case_manager, make_decision,
                                                goal_kwargs)
    gets, posts = _urls(case, assessment)
    login_as("specialist", institution=school)  # same institution as the goal, not a member
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert _post(client, url, {"decision_id": "1"}).status_code == 404, url


def test_other_case_managers_assessment_id_gives_404_under_my_case(
        client, make_case, case_manager, make_decision, goal_kwargs):
    case, assessment, _goal, _decision = _world(make_case, case_manager, make_decision,
                                                goal_kwargs)
    mine = make_case()
    client.login(case_manager.email)
    assert client.get(f"/cases/{mine.id}/assessments/{assessment.id}").status_code == 404
    assert client.get(f"/cases/{case.id}/assessments/{assessment.id}").status_code == 200


def test_specialist_group_member_may_read_but_not_change(
        client, make_user, make_case, case_manager, make_decision, goal_kwargs, school):
    case, assessment, goal, decision = _world(make_case, case_manager, make_decision,
                                              goal_kwargs)
    teacher = make_user("specialist", institution=school)
    case_ops.add_group_member(case_manager, case, teacher)
    db.session.commit()
    client.login(teacher.email)
    gets, posts = _urls(case, assessment)
    assert client.get(gets[0]).status_code == 200
    page = client.get(gets[1])
    assert page.status_code == 200 and "Ģimenes apraksts" in page.get_data(as_text=True)
    plan = client.get(gets[3]).get_data(as_text=True)
    assert goal.goal in plan and f'action="/cases/{case.id}/plan/goals"' not in plan
    assert client.get(gets[2]).status_code == 403
    for url in posts:
        response = _post(client, url, {"decision_id": str(decision.id)})
        assert response.status_code == 403, url
    assert db.session.scalar(select(Assessment.version).order_by(Assessment.version.desc())
                             .limit(1)) == 1


def test_case_manager_saves_an_assessment_and_agrees_the_plan_through_the_pages(
        client, make_case, case_manager, make_decision, goal_kwargs, school):
    case, _assessment, _goal, decision = _world(make_case, case_manager, make_decision,
                                                goal_kwargs)
    client.login(case_manager.email)
    data = {f"{a}_rating": str(v) for a, v in RATINGS.items()}
    data.update({"risk_factors_rating": "3", "needs_text": "Jaunā versija",
                 "assessed_on": "2026-01-15"})
    response = _post(client, f"/cases/{case.id}/assessments/new", data)
    assert response.status_code == 302
    assert db.session.scalar(select(Assessment.needs_text).where(Assessment.version == 2)) \
        == "Jaunā versija"
    response = _post(client, f"/cases/{case.id}/plan/goals", {
        "goal": "Bērns apmeklē pulciņu", "actions": "NVO pulciņš",
        "responsible_institution_id": str(school.id), "responsible_user_id": "0",
        "deadline": "2026-09-01", "review_on": "", "decision_id": "0"})
    assert response.status_code == 302
    assert _post(client, f"/cases/{case.id}/plan/agree",
                            {"decision_id": "0"}).status_code == 400
    assert _post(client, f"/cases/{case.id}/plan/agree",
                            {"decision_id": str(decision.id)}).status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Bērns apmeklē pulciņu" in page and 'id="plan-h"' in page


def test_goal_progress_recorded_at_review_through_the_case_page(
        client, make_case, case_manager, make_decision, goal_kwargs):
    case, _assessment, goal, _decision = _world(make_case, case_manager, make_decision,
                                                goal_kwargs)
    client.login(case_manager.email)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'name="goal-{goal.id}"' in page
    response = _post(client, f"/cases/{case.id}/review", {
        "summary": "Pārskatīšana", "version": str(case.version), f"goal-{goal.id}": "reached"})
    assert response.status_code == 302
    assert db.session.scalar(select(PlanGoal.status).where(PlanGoal.id == goal.id)) == "reached"
