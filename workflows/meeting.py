"""Meeting workflow (DESIGN §4), kept in the meeting's ``status`` column.

    planned ─mark_held→ held ─approve_minutes→ minutes_approved
    planned ─cancel→ cancelled                 (reason required)

Marking a meeting held needs its start time to have come, at least one goal on its agenda and
the attendance recorded;
approving the minutes needs minutes written. Rescheduling is not a transition (the meeting stays
``planned``); `validate_meeting_times` checks the new times. What approval causes (minutes
locked, decisions published, tasks issued, participants notified) is the service layer's job.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflows import Condition, Spec, WorkflowMachine, fact_condition, input_condition
from workflows.errors import WorkflowError
from workflows.labels import L_, Label


class MeetingStatus(enum.StrEnum):
    """States of a meeting."""

    PLANNED = "planned"
    HELD = "held"
    MINUTES_APPROVED = "minutes_approved"
    CANCELLED = "cancelled"


STATUS_LABELS: dict[str, Label] = {
    MeetingStatus.PLANNED: L_("meeting status", "planned"),
    MeetingStatus.HELD: L_("meeting status", "held"),
    MeetingStatus.MINUTES_APPROVED: L_("meeting status", "minutes approved"),
    MeetingStatus.CANCELLED: L_("meeting status", "cancelled"),
}

TRIGGER_LABELS: dict[str, Label] = {
    "mark_held": L_("meeting action", "Mark the meeting as held"),
    "approve_minutes": L_("meeting action", "Approve the minutes"),
    "cancel": L_("meeting action", "Cancel the meeting"),
}


@dataclass(frozen=True)
class MeetingFacts:
    """What the service layer reads from the database before a meeting transition."""

    goal_count: int
    attendance_recorded: bool
    minutes_written: bool
    #: Whether the meeting's start time has come (a meeting is not held before it starts).
    started: bool = True


CONDITIONS: dict[str, Condition] = {
    "goal_on_agenda": fact_condition(
        "goal_on_agenda",
        L_("refusal", "The meeting's agenda must have at least one goal."),
        lambda facts, _kw: facts.goal_count >= 1,
    ),
    "attendance_recorded": fact_condition(
        "attendance_recorded",
        L_("refusal", "The attendance must be recorded."),
        lambda facts, _kw: facts.attendance_recorded,
    ),
    "meeting_started": fact_condition(
        "meeting_started",
        L_("refusal", "The meeting cannot be marked as held before its start time."),
        lambda facts, _kw: facts.started,
    ),
    "minutes_written": fact_condition(
        "minutes_written",
        L_("refusal", "The minutes cannot be approved before they are written."),
        lambda facts, _kw: facts.minutes_written,
    ),
    "reason_required": input_condition(
        "reason",
        "reason_required",
        L_("refusal", "A reason for cancelling the meeting is required."),
    ),
}

TRANSITIONS: list[dict[str, Any]] = [
    {
        "trigger": "mark_held",
        "source": [MeetingStatus.PLANNED],
        "dest": MeetingStatus.HELD,
        "conditions": ["meeting_started", "goal_on_agenda", "attendance_recorded"],
    },
    {
        "trigger": "approve_minutes",
        "source": [MeetingStatus.HELD],
        "dest": MeetingStatus.MINUTES_APPROVED,
        "conditions": ["minutes_written"],
    },
    {
        "trigger": "cancel",
        "source": [MeetingStatus.PLANNED],
        "dest": MeetingStatus.CANCELLED,
        "conditions": ["reason_required"],
    },
]

SPEC = Spec(
    name="meeting",
    states=MeetingStatus,
    initial=MeetingStatus.PLANNED,
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


def bind(obj: Any, facts: MeetingFacts | None = None) -> WorkflowMachine:
    """Bind the meeting workflow to `obj` (its ``status`` column) for one operation."""
    return WorkflowMachine(SPEC, obj, facts)


def validate_meeting_times(starts_at: datetime, ends_at: datetime | None) -> None:
    """Raise `WorkflowError` ("meeting_end_after_start") unless the meeting ends after it starts.

    A meeting without an end time passes; both times must be aware (or both naive).
    """
    if ends_at is not None and ends_at <= starts_at:
        raise WorkflowError(
            "meeting_end_after_start",
            L_("refusal", "The meeting must end after it starts."),
        )
