"""Assessment ratings, the proposed risk colour, and the individual support plan's agreement.

The assessment rates five areas on one scale of concern (none, low, medium, high; for the
strengths area "high" means few strengths to build on). From the ratings a colour is
*proposed* by `proposed_risk`; the case manager decides the colour through the risk profile's
own transitions, so the proposal never changes the case by itself.

The plan is kept in the plan's ``status`` column:

    draft ─agree→ agreed      (a decision of the case's interprofessional group is required)
    agreed ─reopen→ draft     (the goals changed after the agreement: agree again)

Goals carry a status of their own (not started, in progress, reached, not reached), recorded at
case reviews; a status is a plain value, not a machine, because a review may record any of them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from workflows import Condition, Spec, WorkflowMachine, input_condition
from workflows.labels import L_, Label


class Area(enum.StrEnum):
    """The areas of the structured assessment, in the order they are shown."""

    NEEDS = "needs"
    FAMILY = "family"
    ENVIRONMENT = "environment"
    RISK_FACTORS = "risk_factors"
    STRENGTHS = "strengths"


AREAS: tuple[str, ...] = tuple(a.value for a in Area)

AREA_LABELS: dict[str, Label] = {
    Area.NEEDS: L_("support plan assessment area", "The child's needs"),
    Area.FAMILY: L_("support plan assessment area", "Family"),
    Area.ENVIRONMENT: L_("support plan assessment area", "Environment"),
    Area.RISK_FACTORS: L_("support plan assessment area", "Risk factors"),
    Area.STRENGTHS: L_("support plan assessment area", "Strengths"),
}

#: Concern ratings 0–3.
RATINGS: tuple[int, ...] = (0, 1, 2, 3)
NONE, LOW, MEDIUM, HIGH = RATINGS

RATING_LABELS: dict[int, Label] = {
    NONE: L_("support plan assessment rating", "no concern"),
    LOW: L_("support plan assessment rating", "low concern"),
    MEDIUM: L_("support plan assessment rating", "medium concern"),
    HIGH: L_("support plan assessment rating", "high concern"),
}


@dataclass(frozen=True)
class Proposal:
    """A proposed colour and the code of the rule that gave it."""

    risk: str
    rule: str


PROPOSAL_LABELS: dict[str, Label] = {
    "risk_factors_high": L_("support plan proposal", "risk factors of high concern"),
    "two_areas_high": L_("support plan proposal", "two or more areas of high concern"),
    "one_area_high": L_("support plan proposal", "one area of high concern"),
    "risk_factors_medium": L_("support plan proposal", "risk factors of medium concern"),
    "two_areas_medium": L_("support plan proposal", "two or more areas of medium concern"),
    "no_significant_concern": L_("support plan proposal", "no significant concern"),
}


def proposed_risk(ratings: dict[str, int]) -> Proposal:
    """The colour the ratings suggest (the rule, in order):

    red: risk factors of high concern, or two or more areas of high concern;
    yellow: one area of high concern, risk factors of medium concern, or two or more areas of
    medium concern;
    green: otherwise.
    """
    values = [int(ratings.get(a, NONE)) for a in AREAS]
    risk_factors = int(ratings.get(Area.RISK_FACTORS, NONE))
    high = sum(1 for v in values if v >= HIGH)
    medium = sum(1 for v in values if v == MEDIUM)
    if risk_factors >= HIGH:
        return Proposal("red", "risk_factors_high")
    if high >= 2:
        return Proposal("red", "two_areas_high")
    if high == 1:
        return Proposal("yellow", "one_area_high")
    if risk_factors == MEDIUM:
        return Proposal("yellow", "risk_factors_medium")
    if medium >= 2:
        return Proposal("yellow", "two_areas_medium")
    return Proposal("green", "no_significant_concern")


class GoalStatus(enum.StrEnum):
    """Progress of a goal of the plan, recorded at case reviews."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    REACHED = "reached"
    NOT_REACHED = "not_reached"


GOAL_STATUSES: tuple[str, ...] = tuple(s.value for s in GoalStatus)
#: A goal in one of these states is closed (counted in the annual report when closed).
GOAL_CLOSED: frozenset[str] = frozenset({GoalStatus.REACHED, GoalStatus.NOT_REACHED})

GOAL_STATUS_LABELS: dict[str, Label] = {
    GoalStatus.NOT_STARTED: L_("support plan goal status", "not started"),
    GoalStatus.IN_PROGRESS: L_("support plan goal status", "in progress"),
    GoalStatus.REACHED: L_("support plan goal status", "reached"),
    GoalStatus.NOT_REACHED: L_("support plan goal status", "not reached"),
}


class PlanStatus(enum.StrEnum):
    """States of the individual support plan."""

    DRAFT = "draft"
    AGREED = "agreed"


PLAN_STATUS_LABELS: dict[str, Label] = {
    PlanStatus.DRAFT: L_("support plan plan status", "draft"),
    PlanStatus.AGREED: L_("support plan plan status", "agreed"),
}

TRIGGER_LABELS: dict[str, Label] = {
    "agree": L_("support plan action", "Mark the plan as agreed"),
    "reopen": L_("support plan action", "Return the plan to draft"),
}


@dataclass(frozen=True)
class PlanFacts:
    """The published decisions of the case's own interprofessional group (ids as text)."""

    group_decision_refs: frozenset[str]
    goal_count: int


def _decision_of_group(facts: PlanFacts, kwargs: Any) -> bool:
    return str(kwargs.get("decision_ref", "")).strip() in {str(r) for r in
                                                            facts.group_decision_refs}


CONDITIONS: dict[str, Condition] = {
    "group_decision_required": input_condition(
        "decision_ref",
        "group_decision_required",
        L_(
            "refusal",
            "Marking the plan as agreed needs a decision of the case's interprofessional "
            "cooperation group.",
        ),
    ),
    "decision_of_case_group": Condition(
        "decision_of_case_group",
        L_(
            "refusal",
            "The decision given is not a decision of this case's interprofessional cooperation "
            "group.",
        ),
        _decision_of_group,
        input="decision_ref",
        needs_facts=True,
    ),
    "has_goals": Condition(
        "has_goals",
        L_("refusal", "The plan has no goals."),
        lambda facts, _kw: facts.goal_count > 0,
        needs_facts=True,
    ),
}

TRANSITIONS: list[dict[str, Any]] = [
    {
        "trigger": "agree",
        "source": [PlanStatus.DRAFT],
        "dest": PlanStatus.AGREED,
        "conditions": ["has_goals", "group_decision_required", "decision_of_case_group"],
    },
    {
        "trigger": "reopen",
        "source": [PlanStatus.AGREED],
        "dest": PlanStatus.DRAFT,
        "conditions": [],
    },
]

SPEC = Spec(
    name="support_plan",
    states=PlanStatus,
    initial=PlanStatus.DRAFT,
    attribute="status",
    transitions=TRANSITIONS,
    conditions=CONDITIONS,
    state_labels=PLAN_STATUS_LABELS,
    trigger_labels=TRIGGER_LABELS,
)


def bind(obj: Any, facts: PlanFacts | None = None) -> WorkflowMachine:
    """Bind the plan machine to `obj` (its ``status`` column) for one operation."""
    return WorkflowMachine(SPEC, obj, facts)
