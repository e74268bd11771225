"""Every change to assessments and support plans: check, change, flush, record the case's history
and the audit event (ids and codes only). Nothing here commits.

Only the case manager and the head of the social service change them (``may_manage_case``);
group members read them. The colour an assessment proposes is stored with it and shown; the
case's risk changes only through ``cases.operations.change_risk``.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from casework.audit.operations import record
from casework.auth.models import User
from casework.auth.operations import OperationRefused
from casework.cases.models import Case, CaseEvent
from casework.cases.operations import (
    _require_manager,
    case_group,
    record_event,
    refusal,
    risk_facts,
)
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.models import Decision, Meeting
from casework.orgs.models import Institution
from casework.plans.models import Assessment, GoalProgress, PlanGoal, PlanGoalTask, SupportPlan
from casework.tasks.models import Task
from workflows import WorkflowError
from workflows import support_plan as plan_workflow
from workflows.policy import local_date
from workflows.support_plan import AREAS, GOAL_CLOSED, GOAL_STATUSES, RATINGS

MAX_GOAL = 500
MAX_TEXT = 5000


class StaleAssessment(OperationRefused):
    """Another version was saved at the same moment."""

    def __init__(self):
        super().__init__(_l("Someone else saved an assessment of this case at the same time. "
                            "Open the latest version and save again."))


def _open_case_only(case: Case) -> None:
    if case.status == "closed":
        raise OperationRefused(_l("A closed case cannot be changed; reopen it first."))


# -- assessment -------------------------------------------------------------------------------
def save_assessment(actor, case: Case, *, ratings: dict[str, int], texts: dict[str, str | None],
                    assessed_on: date | None = None,
                    at: datetime | None = None) -> Assessment:
    """Save a new version of the case's assessment; the earlier versions stay as they were."""
    _require_manager(actor, case)
    _open_case_only(case)
    at = at or utcnow()
    assessed_on = assessed_on or local_date(at)
    if assessed_on > local_date(at):
        raise OperationRefused(_l("The date cannot be in the future."))
    clean: dict[str, int] = {}
    for area in AREAS:
        value = ratings.get(area)
        if value is None or int(value) not in RATINGS:
            raise OperationRefused(_l("Rate every area of the assessment."))
        clean[area] = int(value)
    proposal = plan_workflow.proposed_risk(clean)
    last = db.session.scalar(select(func.max(Assessment.version))
                             .where(Assessment.case_id == case.id)) or 0
    row = Assessment(case_id=case.id, version=last + 1, assessed_on=assessed_on,
                     assessed_by_id=actor.id, proposed_risk=proposal.risk,
                     proposal_rule=proposal.rule, created_at=at)
    for area in AREAS:
        setattr(row, f"{area}_rating", clean[area])
        setattr(row, f"{area}_text", (texts.get(area) or "").strip()[:MAX_TEXT] or None)
    db.session.add(row)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # the same version number saved by someone else
        raise StaleAssessment() from error
    details = {"assessment_id": row.id, "version": row.version,
               "proposed_risk": proposal.risk, "rule": proposal.rule}
    record_event(case, actor, "assessment", "assessed", at=at, details=details)
    record("case_assessment_saved", case, user=actor, details=details)
    return row


# -- plan and goals ---------------------------------------------------------------------------
def _plan(actor, case: Case) -> SupportPlan:
    plan = db.session.scalar(select(SupportPlan).where(SupportPlan.case_id == case.id))
    if plan is None:
        plan = SupportPlan(case_id=case.id, status="draft", created_by_id=actor.id)
        db.session.add(plan)
        db.session.flush()
        record_event(case, actor, "plan", "plan_created", details={"plan_id": plan.id})
        record("case_plan_created", case, user=actor, details={"plan_id": plan.id})
    return plan


def _group_decision_ids(case: Case) -> set[int]:
    group = case_group(case)
    if group is None:
        return set()
    return set(db.session.scalars(select(Decision.id).where(Decision.group_id == group.id)))


def case_task_ids(case: Case) -> set[int]:
    """Tasks that belong to the case: given on it, or issued by its group's meetings or
    decisions."""
    group = case_group(case)
    conditions = [Task.case_id == case.id]
    if group is not None:
        conditions.append(Task.decision_id.in_(
            select(Decision.id).where(Decision.group_id == group.id)))
        conditions.append(Task.meeting_id.in_(
            select(Meeting.id).where(Meeting.group_id == group.id)))
    return set(db.session.scalars(select(Task.id).where(or_(*conditions))))


def add_goal(actor, case: Case, *, goal: str, actions: str, responsible_institution_id: int,
             responsible_user_id: int | None, deadline: date | None, review_on: date | None,
             decision_id: int | None = None, task_ids=(),
             at: datetime | None = None) -> PlanGoal:
    """Add a goal to the case's plan (created on first use). A goal added to an agreed plan
    returns the plan to draft: the group must agree the changed plan again."""
    _require_manager(actor, case)
    _open_case_only(case)
    at = at or utcnow()
    goal, actions = (goal or "").strip(), (actions or "").strip()
    if not goal or not actions:
        raise OperationRefused(_l("Describe the goal and the services or actions."))
    if len(goal) > MAX_GOAL or len(actions) > MAX_TEXT:
        raise OperationRefused(_l("The text is too long."))
    if deadline is None:
        raise OperationRefused(_l("Give the deadline of the goal."))
    institution = db.session.get(Institution, responsible_institution_id or 0)
    if institution is None or institution.municipality_id != case.municipality_id \
            or not institution.active:
        raise OperationRefused(_l("Choose an active institution of the municipality."))
    if responsible_user_id:
        person = db.session.get(User, responsible_user_id)
        if person is None or not person.active or person.institution_id != institution.id:
            raise OperationRefused(_l("The responsible person must work at the responsible "
                                      "institution."))
    if decision_id and decision_id not in _group_decision_ids(case):
        raise OperationRefused(_l("Choose a decision of this case's interprofessional "
                                  "cooperation group."))
    task_ids = {int(t) for t in task_ids or () if t}
    if task_ids - case_task_ids(case):
        raise OperationRefused(_l("Choose tasks of this case."))
    plan = _plan(actor, case)
    position = db.session.scalar(select(func.count()).select_from(PlanGoal)
                                 .where(PlanGoal.plan_id == plan.id)) or 0
    row = PlanGoal(plan_id=plan.id, position=position + 1, goal=goal, actions=actions,
                   responsible_institution_id=institution.id,
                   responsible_user_id=responsible_user_id or None, deadline=deadline,
                   review_on=review_on, decision_id=decision_id or None,
                   status="not_started", created_at=at)
    db.session.add(row)
    db.session.flush()
    for task_id in sorted(task_ids):
        db.session.add(PlanGoalTask(goal_id=row.id, task_id=task_id))
    details = {"plan_id": plan.id, "goal_id": row.id,
               "institution_id": institution.id, "decision_id": row.decision_id,
               "task_ids": sorted(task_ids)}
    record_event(case, actor, "plan", "goal_added", at=at, details=details)
    record("case_plan_goal_added", case, user=actor, details=details)
    if plan.status == plan_workflow.PlanStatus.AGREED:
        _reopen(actor, case, plan, at)
    db.session.flush()
    return row


def _reopen(actor, case: Case, plan: SupportPlan, at: datetime) -> None:
    outcome = plan_workflow.bind(plan).fire("reopen")
    plan.agreed_at = plan.agreed_by_id = plan.agreement_decision_id = None
    details = {"plan_id": plan.id}
    record_event(case, actor, "plan", "plan_reopened", from_state=outcome.source,
                 to_state=outcome.dest, at=at, details=details)
    record("case_plan_reopened", case, user=actor, details=details)


def plan_facts(case: Case, plan: SupportPlan | None) -> plan_workflow.PlanFacts:
    """The published decisions of the case's group and the number of goals of the plan."""
    goals = 0 if plan is None else db.session.scalar(
        select(func.count()).select_from(PlanGoal).where(PlanGoal.plan_id == plan.id))
    return plan_workflow.PlanFacts(group_decision_refs=risk_facts(case).group_decision_refs,
                                   goal_count=goals or 0)


def agree_plan(actor, case: Case, *, decision_id: int | None,
               at: datetime | None = None) -> SupportPlan:
    """Mark the plan agreed; it must rest on a decision of the case's own group."""
    _require_manager(actor, case)
    _open_case_only(case)
    at = at or utcnow()
    plan = db.session.scalar(select(SupportPlan).where(SupportPlan.case_id == case.id))
    if plan is None:
        raise OperationRefused(_l("The case has no support plan yet: add its goals first."))
    kwargs = {"decision_ref": str(decision_id)} if decision_id else {}
    try:
        outcome = plan_workflow.bind(plan, plan_facts(case, plan)).fire("agree", **kwargs)
    except WorkflowError as error:
        raise refusal(error) from error
    plan.agreement_decision_id = decision_id
    plan.agreed_at = at
    plan.agreed_by_id = actor.id
    details = {"plan_id": plan.id, "decision_id": decision_id}
    record_event(case, actor, "plan", "plan_agreed", from_state=outcome.source,
                 to_state=outcome.dest, decision_id=decision_id, at=at, details=details)
    record("case_plan_agreed", case, user=actor, details=details)
    db.session.flush()
    return plan


# -- progress at case reviews -----------------------------------------------------------------
def validated_goal_statuses(case: Case, statuses: dict | None) -> dict[PlanGoal, str]:
    """The goals of the case's plan with the status a review records for each; refuses a goal
    of another case or an unknown status. Empty values ("no change") are left out."""
    wanted = {int(k): str(v) for k, v in (statuses or {}).items() if v}
    if not wanted:
        return {}
    if any(v not in GOAL_STATUSES for v in wanted.values()):
        raise OperationRefused(_l("Choose the progress of the goal from the list."))
    goals = db.session.scalars(
        select(PlanGoal).join(SupportPlan, SupportPlan.id == PlanGoal.plan_id)
        .where(SupportPlan.case_id == case.id, PlanGoal.id.in_(wanted))).all()
    if len(goals) != len(wanted):
        raise OperationRefused(_l("Choose goals of this case's support plan."))
    return {g: wanted[g.id] for g in goals}


def apply_goal_statuses(actor, goals: dict[PlanGoal, str], review_event: CaseEvent,
                        at: datetime) -> None:
    """Write each goal's progress as recorded at the review (one row per goal)."""
    for goal, status in goals.items():
        db.session.add(GoalProgress(goal_id=goal.id, review_event_id=review_event.id,
                                    status=status, recorded_at=at, recorded_by_id=actor.id))
        if status != goal.status:
            goal.status = status
            goal.closed_at = at if status in GOAL_CLOSED else None
