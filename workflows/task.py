"""Task workflow (DESIGN §4), kept in the task's ``status`` column.

    open ─complete→ done          (completion note required)
    open ─cancel→ cancelled       (reason required)

Overdue is derived, never stored: `is_overdue`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from workflows import Condition, Spec, WorkflowMachine, input_condition
from workflows.labels import L_, Label


class TaskStatus(enum.StrEnum):
    """States of a task."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


STATUS_LABELS: dict[str, Label] = {
    TaskStatus.OPEN: L_("task status", "open"),
    TaskStatus.DONE: L_("task status", "done"),
    TaskStatus.CANCELLED: L_("task status", "cancelled"),
}

TRIGGER_LABELS: dict[str, Label] = {
    "complete": L_("task action", "Mark as done"),
    "cancel": L_("task action", "Cancel the task"),
}

OVERDUE_LABEL: Label = L_("task deadline", "overdue")

CONDITIONS: dict[str, Condition] = {
    "note_required": input_condition(
        "note",
        "note_required",
        L_("refusal", "A completion note is required."),
    ),
    "reason_required": input_condition(
        "reason",
        "reason_required",
        L_("refusal", "A reason for cancelling the task is required."),
    ),
}

TRANSITIONS: list[dict[str, Any]] = [
    {
        "trigger": "complete",
        "source": [TaskStatus.OPEN],
        "dest": TaskStatus.DONE,
        "conditions": ["note_required"],
    },
    {
        "trigger": "cancel",
        "source": [TaskStatus.OPEN],
        "dest": TaskStatus.CANCELLED,
        "conditions": ["reason_required"],
    },
]

SPEC = Spec(
    name="task",
    states=TaskStatus,
    initial=TaskStatus.OPEN,
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
#: Every input each trigger needs: ``{"complete": ("note",), "cancel": ("reason",)}``.
TRIGGER_INPUTS: dict[str, tuple[str, ...]] = SPEC.inputs()


def bind(obj: Any, facts: Any = None) -> WorkflowMachine:
    """Bind the task workflow to `obj` (its ``status`` column) for one operation."""
    return WorkflowMachine(SPEC, obj, facts)


def is_overdue(due_date: date | None, status: str, today: date) -> bool:
    """True when an open task's deadline has passed: the due day itself is still in time.

    `today` is the local (Europe/Riga) date; the caller passes it so that tests and the
    scheduler agree on what "today" is.
    """
    if due_date is None or str(status) != TaskStatus.OPEN:
        return False
    if isinstance(due_date, datetime):
        raise TypeError("due_date must be a date, not a datetime")
    return due_date < today
