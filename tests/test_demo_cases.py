"""``flask seed-demo`` also creates demo cases of every status and colour (casework.demo_cases)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from casework.audit.models import AuditEvent
from casework.auth.models import User
from casework.cases.models import Case, CaseEvent, CasePerson, Note, Referral
from casework.cases.personal_code import validate_personal_code
from casework.cases.queries import visible_cases
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.models import Decision, Meeting
from casework.tasks.models import Task
from workflows.case_lifecycle import CaseStatus
from workflows.policy import local_date
from workflows.risk_profile import Risk


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def seeded(app_ctx, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result


def test_seed_demo_creates_between_50_and_70_cases(seeded):
    assert 50 <= _count(Case) <= 70
    assert f"case {_count(Case)}" in seeded.output


def test_demo_cases_cover_every_status_and_every_risk_colour(seeded):
    assert set(db.session.scalars(select(Case.status).distinct())) == set(CaseStatus)
    assert set(db.session.scalars(select(Case.risk).distinct())) == set(Risk)


def test_demo_case_history_spans_more_than_twelve_months_and_nothing_is_in_the_future(seeded):
    first, last = db.session.execute(select(func.min(CaseEvent.at), func.max(CaseEvent.at))).one()
    assert last - first > timedelta(days=365)
    assert last <= utcnow()
    assert db.session.scalar(select(func.min(Case.opened_at))) < utcnow() - timedelta(days=365)


def test_demo_leaves_referrals_waiting_for_triage_including_a_red_one(seeded):
    waiting = list(db.session.scalars(select(Referral).where(Referral.outcome.is_(None))))
    assert waiting and "red" in {r.proposed_urgency for r in waiting}
    no_action = list(db.session.scalars(select(Referral).where(Referral.outcome == "no_action")))
    assert no_action and all(r.outcome_reason for r in no_action)
    assert _count(Referral, Referral.outcome == "attached") > 0


def test_demo_tasks_are_open_overdue_open_in_time_done_and_cancelled(seeded):
    today = local_date(utcnow())
    assert _count(Task, Task.status == "open", Task.due_date < today) > 0
    assert _count(Task, Task.status == "open", Task.due_date >= today) > 0
    assert _count(Task, Task.status == "done") > 0
    assert _count(Task, Task.status == "cancelled") > 0
    closed_case_ids = select(Case.id).where(Case.status == "closed")
    assert _count(Task, Task.status == "open", Task.case_id.in_(closed_case_ids)) == 0


def test_demo_child_appears_in_two_cases_by_personal_code(seeded):
    shared = db.session.scalars(
        select(CasePerson.personal_code)
        .where(CasePerson.role == "child", CasePerson.personal_code.is_not(None))
        .group_by(CasePerson.personal_code)
        .having(func.count(func.distinct(CasePerson.case_id)) > 1)).all()
    assert len(shared) >= 1


def test_demo_personal_codes_are_valid_and_children_are_under_eighteen(seeded):
    today = local_date(utcnow())
    codes = db.session.scalars(select(CasePerson.personal_code)
                               .where(CasePerson.personal_code.is_not(None))).all()
    assert codes and _count(CasePerson, CasePerson.personal_code.is_(None)) > 0
    for code in codes:
        assert validate_personal_code(code, today=today).code == code
    for born in db.session.scalars(select(CasePerson.birth_date)
                                   .where(CasePerson.role == "child")):
        assert born <= today and (today.year - born.year) - (
            (today.month, today.day) < (born.month, born.day)) <= 17


def test_demo_cases_are_shared_between_two_case_managers_and_some_specialists(seeded):
    managers = db.session.scalars(select(Case.case_manager_id).distinct()).all()
    assert len(managers) == 2
    specialist = db.session.scalar(select(User).where(
        User.email == "specialist@parauga-novads.lv"))
    police = db.session.scalar(select(User).where(User.email == "specialist2@parauga-novads.lv"))
    assert police.institution.kind == "state_police"
    seen_by_specialist = len(db.session.scalars(visible_cases(specialist)).all())
    assert 10 <= seen_by_specialist < _count(Case)
    assert 0 < len(db.session.scalars(visible_cases(police)).all()) < seen_by_specialist


def test_demo_notes_have_every_level_and_leaving_crisis_rests_on_a_held_meeting(seeded):
    assert set(db.session.scalars(select(Note.level).distinct())) == {
        "group", "institution", "restricted"}
    assert len(db.session.scalars(select(Note.author_id).distinct()).all()) >= 3
    assert _count(CaseEvent, CaseEvent.trigger == "resolve_crisis") > 0
    assert _count(Meeting, Meeting.status == "held") > 0
    lowered = db.session.scalars(select(CaseEvent).where(
        CaseEvent.trigger == "lower_to_yellow")).all()
    assert lowered and all(db.session.get(Decision, e.decision_id) for e in lowered)


def test_second_seed_demo_creates_no_cases_referrals_tasks_or_audit_events(seeded, runner):
    models = (Case, Referral, CasePerson, CaseEvent, Note, Task, Meeting, Decision, AuditEvent,
              User)
    before = {m.__name__: _count(m) for m in models}
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "nothing changed" in result.output
    assert {m.__name__: _count(m) for m in models} == before


def test_demo_case_groups_are_multi_agency_and_every_held_meeting_has_two_institutions(seeded):
    from casework.groups.models import Attendance, CooperationGroup, GroupMember
    from casework.orgs.models import Institution

    groups = db.session.scalars(select(CooperationGroup.id).where(
        CooperationGroup.kind == "interprofessional")).all()
    other_kinds = db.session.execute(
        select(GroupMember.group_id, Institution.kind)
        .join(Institution, Institution.id == GroupMember.institution_id)
        .join(CooperationGroup, CooperationGroup.id == GroupMember.group_id)
        .where(CooperationGroup.kind == "interprofessional",
               Institution.kind != "social_service")).all()
    assert 3 * len({g for g, _kind in other_kinds}) >= 2 * len(groups)
    assert {"school", "state_police", "orphans_court"} <= {k for _g, k in other_kinds}
    held = db.session.execute(
        select(Meeting.id, func.count(Attendance.id),
               func.count(func.distinct(Attendance.institution_id)))
        .outerjoin(Attendance, (Attendance.meeting_id == Meeting.id)
                   & (Attendance.status == "attended"))
        .where(Meeting.status.in_(("held", "minutes_approved"))).group_by(Meeting.id)).all()
    assert held
    assert [m for m, people, institutions in held if people < 2 or institutions < 2] == []


def test_demo_cases_have_versioned_assessments_and_agreed_plans_with_goal_progress(seeded):
    from casework.groups.models import CooperationGroup
    from casework.plans.models import Assessment, GoalProgress, PlanGoal, SupportPlan

    versions = db.session.execute(select(Assessment.case_id, func.count())
                                  .group_by(Assessment.case_id)).all()
    assert len(versions) >= 30 and max(n for _c, n in versions) >= 2
    plans = db.session.execute(
        select(SupportPlan, CooperationGroup.case_id)
        .join(Decision, Decision.id == SupportPlan.agreement_decision_id)
        .join(CooperationGroup, CooperationGroup.id == Decision.group_id)).all()
    assert len(plans) >= 20
    assert all(plan.status == "agreed" and plan.case_id == case_id for plan, case_id in plans)
    assert _count(SupportPlan) == len(plans)
    assert _count(GoalProgress) > 0
    assert {"reached", "in_progress"} <= set(db.session.scalars(
        select(PlanGoal.status).distinct()))
    responsible = db.session.scalars(select(func.count(func.distinct(
        PlanGoal.responsible_institution_id)))).one()
    assert responsible >= 3
