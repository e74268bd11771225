"""Execution of a decision (DESIGN §4), kept in the decision's ``status`` column.

    pending ─start_execution→ in_progress ─mark_executed→ executed
    pending, in_progress ─mark_not_executed→ not_executed      (reason required)

``pending → not_executed`` is allowed as well as the DESIGN's ``in_progress → not_executed``:
a decision can become impossible or moot before anyone starts on it (the child moved away), and
forcing a fake "in progress" step first would falsify the record. The reason says why.
The dated progress entries are rows of their own, not transitions.
"""

from __future__ import annotations

import enum
from typing import Any

from workflows import Condition, Spec, WorkflowMachine, input_condition
from workflows.labels import L_, Label


class DecisionStatus(enum.StrEnum):
    """States of the execution of a decision."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    EXECUTED = "executed"
    NOT_EXECUTED = "not_executed"


#: A decision is open while it waits for or is in execution; closed once executed or not.
OPEN_STATUSES: tuple[str, ...] = (DecisionStatus.PENDING.value, DecisionStatus.IN_PROGRESS.value)
CLOSED_STATUSES: tuple[str, ...] = (DecisionStatus.EXECUTED.value,
                                    DecisionStatus.NOT_EXECUTED.value)

STATUS_LABELS: dict[str, Label] = {
    DecisionStatus.PENDING: L_("decision status", "pending"),
    DecisionStatus.IN_PROGRESS: L_("decision status", "in progress"),
    DecisionStatus.EXECUTED: L_("decision status", "executed"),
    DecisionStatus.NOT_EXECUTED: L_("decision status", "not executed"),
}

TRIGGER_LABELS: dict[str, Label] = {
    "start_execution": L_("decision action", "Start execution"),
    "mark_executed": L_("decision action", "Mark as executed"),
    "mark_not_executed": L_("decision action", "Mark as not executed"),
}

CONDITIONS: dict[str, Condition] = {
    "reason_required": input_condition(
        "reason",
        "reason_required",
        L_("refusal", "A reason why the decision was not executed is required."),
    ),
}

TRANSITIONS: list[dict[str, Any]] = [
    {
        "trigger": "start_execution",
        "source": [DecisionStatus.PENDING],
        "dest": DecisionStatus.IN_PROGRESS,
        "conditions": [],
    },
    {
        "trigger": "mark_executed",
        "source": [DecisionStatus.IN_PROGRESS],
        "dest": DecisionStatus.EXECUTED,
        "conditions": [],
    },
    {
        "trigger": "mark_not_executed",
        "source": [DecisionStatus.PENDING, DecisionStatus.IN_PROGRESS],
        "dest": DecisionStatus.NOT_EXECUTED,
        "conditions": ["reason_required"],
    },
]

SPEC = Spec(
    name="decision",
    states=DecisionStatus,
    initial=DecisionStatus.PENDING,
    attribute="status",
    transitions=TRANSITIONS,
    conditions=CONDITIONS,
    state_labels=STATUS_LABELS,
    trigger_labels=TRIGGER_LABELS,
)

#: Triggers whose page must ask for a reason.
REASON_REQUIRED: frozenset[str] = frozenset(
    t for t, inputs in SPEC.inputs().items() if "reason" in inputs
)
TRIGGER_INPUTS: dict[str, tuple[str, ...]] = SPEC.inputs()


def bind(obj: Any, facts: Any = None) -> WorkflowMachine:
    """Bind the decision workflow to `obj` (its ``status`` column) for one operation."""
    return WorkflowMachine(SPEC, obj, facts)
