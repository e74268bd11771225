"""Reads of assessments and support plans. Each takes a case the user may already see (loaded
with ``cases.queries.get_case_or_404``), so the plan is exactly as visible as the case."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from casework.auth.models import User
from casework.extensions import db
from casework.groups.models import Decision
from casework.plans.models import Assessment, GoalProgress, PlanGoal, PlanGoalTask, SupportPlan
from casework.tasks.models import Task


def assessments_of(case):
    """The case's assessment versions, newest first."""
    return (select(Assessment).options(joinedload(Assessment.assessed_by)
                                       .lazyload(User.role_rows))
            .where(Assessment.case_id == case.id).order_by(Assessment.version.desc()))


def latest_assessment(case) -> Assessment | None:
    """The newest version of the case's assessment (one query)."""
    return db.session.scalar(assessments_of(case).limit(1))


def get_assessment_or_404(case, assessment_id: int) -> Assessment:
    """One version of the assessment of this case; 404 for another case's."""
    found = db.session.scalar(assessments_of(case).where(Assessment.id == assessment_id))
    if found is None:
        abort(404)
    return found


def plan_with_goals(case) -> SupportPlan | None:
    """The case's plan with its goals, their institutions, persons and decisions (one query)."""
    return db.session.scalars(
        select(SupportPlan)
        .outerjoin(PlanGoal, PlanGoal.plan_id == SupportPlan.id)
        .options(contains_eager(SupportPlan.goals).joinedload(PlanGoal.responsible_institution),
                 contains_eager(SupportPlan.goals).joinedload(PlanGoal.responsible_user)
                 .lazyload(User.role_rows),
                 contains_eager(SupportPlan.goals).joinedload(PlanGoal.decision),
                 joinedload(SupportPlan.agreement_decision))
        .where(SupportPlan.case_id == case.id)
        .order_by(PlanGoal.position, PlanGoal.id)
    ).unique().first()


def goal_tasks(goal_ids) -> dict[int, list[Task]]:
    """The tasks linked to each goal."""
    if not goal_ids:
        return {}
    rows = db.session.execute(
        select(PlanGoalTask.goal_id, Task).join(Task, Task.id == PlanGoalTask.task_id)
        .where(PlanGoalTask.goal_id.in_(goal_ids)).order_by(Task.due_date, Task.id)).all()
    result: dict[int, list[Task]] = {}
    for goal_id, task in rows:
        result.setdefault(goal_id, []).append(task)
    return result


def goal_progress(goal_ids) -> dict[int, list[GoalProgress]]:
    """The statuses recorded for each goal at case reviews, oldest first."""
    if not goal_ids:
        return {}
    result: dict[int, list[GoalProgress]] = {}
    for row in db.session.scalars(select(GoalProgress).where(GoalProgress.goal_id.in_(goal_ids))
                                  .order_by(GoalProgress.recorded_at, GoalProgress.id)):
        result.setdefault(row.goal_id, []).append(row)
    return result


def group_decisions(group_id: int):
    """Decisions of the case's group for the choice lists (published ones carry a number)."""
    return (select(Decision.id, Decision.number, Decision.text, Decision.published_at)
            .where(Decision.group_id == group_id).order_by(Decision.id.desc()))
