"""Risk profile of a case, the traffic light (DESIGN §4): green ⇄ yellow ⇄ red, and green → red.

The state lives in the case's ``risk`` column. Every change needs a reason. Lowering from red
needs a decision of the case's interprofessional cooperation group (``decision_ref``, checked
against ``RiskFacts.group_decision_refs``) and is refused while the case is in crisis, because
entering a crisis is what made it red: end the crisis first (`case_lifecycle`).

What turning red *causes* (notify the group and the head of service, create the task "convene
the interprofessional group" due by policy) is the service layer's job after `fire` returns;
the next review date follows the colour through `review_interval_days`.

    m = risk_profile.bind(case)
    outcome = m.fire("raise_to_red", reason="...")   # WorkflowError if refused
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from workflows import Condition, Spec, WorkflowMachine, fact_condition, input_condition
from workflows.labels import L_, Label
from workflows.policy import Policy


class Risk(enum.StrEnum):
    """Traffic-light colours of the risk profile."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


RISK_LABELS: dict[str, Label] = {
    Risk.GREEN: L_("risk profile colour", "green"),
    Risk.YELLOW: L_("risk profile colour", "yellow"),
    Risk.RED: L_("risk profile colour", "red"),
}

TRIGGER_LABELS: dict[str, Label] = {
    "raise_to_yellow": L_("risk profile action", "Raise the risk to yellow"),
    "raise_to_red": L_("risk profile action", "Raise the risk to red"),
    "lower_to_yellow": L_("risk profile action", "Lower the risk to yellow"),
    "lower_to_green": L_("risk profile action", "Lower the risk to green"),
}

#: What the history says happened (past tense), for each trigger.
EVENT_LABELS: dict[str, Label] = {
    "raise_to_yellow": L_("risk profile event", "Risk raised to yellow"),
    "raise_to_red": L_("risk profile event", "Risk raised to red"),
    "lower_to_yellow": L_("risk profile event", "Risk lowered to yellow"),
    "lower_to_green": L_("risk profile event", "Risk lowered to green"),
}


@dataclass(frozen=True)
class RiskFacts:
    """What the service layer knows from the database; needed only to lower from red."""

    #: References (ids or numbers, compared as text) of the decisions taken by the case's
    #: interprofessional cooperation group.
    group_decision_refs: frozenset[str]
    case_in_crisis: bool


def _decision_of_group(facts: RiskFacts, kwargs: Any) -> bool:
    refs = {str(r) for r in facts.group_decision_refs}
    return str(kwargs.get("decision_ref", "")).strip() in refs


CONDITIONS: dict[str, Condition] = {
    "reason_required": input_condition(
        "reason",
        "reason_required",
        L_("refusal", "A reason for changing the risk profile is required."),
    ),
    "group_decision_required": input_condition(
        "decision_ref",
        "group_decision_required",
        L_(
            "refusal",
            "Lowering the risk from red needs a decision of the case's interprofessional "
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
    "not_in_crisis": fact_condition(
        "not_in_crisis",
        L_(
            "refusal",
            "The risk cannot be lowered from red while the case is in crisis; end the crisis "
            "first.",
        ),
        lambda facts, _kw: not facts.case_in_crisis,
    ),
}

TRANSITIONS: list[dict[str, Any]] = [
    {
        "trigger": "raise_to_yellow",
        "source": [Risk.GREEN],
        "dest": Risk.YELLOW,
        "conditions": ["reason_required"],
    },
    {
        "trigger": "raise_to_red",
        "source": [Risk.GREEN, Risk.YELLOW],
        "dest": Risk.RED,
        "conditions": ["reason_required"],
    },
    {
        "trigger": "lower_to_yellow",
        "source": [Risk.RED],
        "dest": Risk.YELLOW,
        "conditions": [
            "not_in_crisis",
            "reason_required",
            "group_decision_required",
            "decision_of_case_group",
        ],
    },
    {
        "trigger": "lower_to_green",
        "source": [Risk.YELLOW],
        "dest": Risk.GREEN,
        "conditions": ["reason_required"],
    },
]

SPEC = Spec(
    name="risk_profile",
    states=Risk,
    initial=Risk.GREEN,
    attribute="risk",
    transitions=TRANSITIONS,
    conditions=CONDITIONS,
    state_labels=RISK_LABELS,
    trigger_labels=TRIGGER_LABELS,
)

#: Triggers whose page must ask for a reason.
REASON_REQUIRED: frozenset[str] = frozenset(
    t for t, inputs in SPEC.inputs().items() if "reason" in inputs
)
#: Every input each trigger needs, e.g. ``{"lower_to_yellow": ("reason", "decision_ref")}``.
TRIGGER_INPUTS: dict[str, tuple[str, ...]] = SPEC.inputs()


def bind(obj: Any, facts: RiskFacts | None = None) -> WorkflowMachine:
    """Bind the risk machine to `obj` (its ``risk`` column) for one operation.

    `facts` are needed only to lower the risk from red.
    """
    return WorkflowMachine(SPEC, obj, facts)


def review_interval_days(risk: str, policy: Policy | None = None) -> int:
    """Calendar days between case reviews for `risk` (red 14, yellow 42, green 91 by default);
    None for `policy` means the defaults."""
    return (policy or Policy()).review_days(str(risk))
