"""Assessment (versioned), SupportPlan, PlanGoal, PlanGoalTask and GoalProgress (issue 12).

Every saved assessment is a new row with the next version number of its case; old versions are
never changed. A case has at most one support plan; its goals carry their status, and every
status recorded at a case review is a ``GoalProgress`` row of its own.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.auth.models import User
from casework.db_types import UTCDateTime, utcnow
from casework.extensions import db
from casework.groups.models import Decision
from casework.orgs.models import Institution
from workflows.support_plan import AREAS, GOAL_STATUSES

_RATING_CHECK = " AND ".join(f"{a}_rating BETWEEN 0 AND 3" for a in AREAS)
_GOAL_STATUS_CHECK = "status IN ({})".format(", ".join(f"'{s}'" for s in GOAL_STATUSES))


class Assessment(db.Model):
    """One version of the structured assessment of a case: five rated areas with their text."""

    __tablename__ = "assessment"
    __table_args__ = (
        UniqueConstraint("case_id", "version"),
        CheckConstraint(_RATING_CHECK, name="ratings_valid"),
        CheckConstraint("proposed_risk IN ('green', 'yellow', 'red')", name="proposed_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    assessed_on: Mapped[date] = mapped_column(Date)
    assessed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    needs_rating: Mapped[int] = mapped_column(Integer)
    needs_text: Mapped[str | None] = mapped_column(Text)
    family_rating: Mapped[int] = mapped_column(Integer)
    family_text: Mapped[str | None] = mapped_column(Text)
    environment_rating: Mapped[int] = mapped_column(Integer)
    environment_text: Mapped[str | None] = mapped_column(Text)
    risk_factors_rating: Mapped[int] = mapped_column(Integer)
    risk_factors_text: Mapped[str | None] = mapped_column(Text)
    strengths_rating: Mapped[int] = mapped_column(Integer)
    strengths_text: Mapped[str | None] = mapped_column(Text)
    # The colour the rule proposed when this version was saved (never applied by itself).
    proposed_risk: Mapped[str] = mapped_column(String(8))
    proposal_rule: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assessed_by: Mapped[User] = relationship()

    def rating(self, area: str) -> int:
        return getattr(self, f"{area}_rating")

    def text(self, area: str) -> str | None:
        return getattr(self, f"{area}_text")

    @property
    def ratings(self) -> dict[str, int]:
        return {a: self.rating(a) for a in AREAS}

    def __repr__(self) -> str:
        return f"<Assessment case={self.case_id} v{self.version} {self.proposed_risk}>"


class SupportPlan(db.Model):
    """The individual support plan of a case; agreed at a meeting of the case's group."""

    __tablename__ = "support_plan"
    __table_args__ = (
        UniqueConstraint("case_id"),
        CheckConstraint("status IN ('draft', 'agreed')", name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default="draft")
    agreement_decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"),
                                                              index=True)
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agreement_decision: Mapped[Decision | None] = relationship()
    goals: Mapped[list[PlanGoal]] = relationship(
        back_populates="plan", order_by="PlanGoal.position, PlanGoal.id")

    def __repr__(self) -> str:
        return f"<SupportPlan case={self.case_id} {self.status}>"


class PlanGoal(db.Model):
    """A goal of the plan: the services or actions, who is responsible, deadline, review."""

    __tablename__ = "plan_goal"
    __table_args__ = (CheckConstraint(_GOAL_STATUS_CHECK, name="status_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plan.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    goal: Mapped[str] = mapped_column(String(500))
    actions: Mapped[str] = mapped_column(Text)
    responsible_institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"),
                                                            index=True)
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    review_on: Mapped[date | None] = mapped_column(Date, index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="not_started", index=True)
    # When the goal was reached or not reached (None while open): the annual report's year.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    plan: Mapped[SupportPlan] = relationship(back_populates="goals")
    responsible_institution: Mapped[Institution] = relationship()
    responsible_user: Mapped[User | None] = relationship()
    decision: Mapped[Decision | None] = relationship()

    def __repr__(self) -> str:
        return f"<PlanGoal {self.id} {self.status}>"


class PlanGoalTask(db.Model):
    """A task of the case that serves a goal."""

    __tablename__ = "plan_goal_task"

    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goal.id"), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), primary_key=True, index=True)

    def __repr__(self) -> str:
        return f"<PlanGoalTask goal={self.goal_id} task={self.task_id}>"


class GoalProgress(db.Model):
    """A goal's status as recorded at one case review (the review is a ``CaseEvent``)."""

    __tablename__ = "goal_progress"
    __table_args__ = (CheckConstraint(_GOAL_STATUS_CHECK, name="status_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goal.id"), index=True)
    review_event_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("case_event.id"),
                                                       index=True)
    status: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)

    def __repr__(self) -> str:
        return f"<GoalProgress goal={self.goal_id} {self.status}>"
