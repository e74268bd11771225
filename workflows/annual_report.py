"""Annual report on the cooperation groups' work (DESIGN §4, §6), kept in its ``status`` column.

    draft ─submit_for_review→ in_review ─approve→ approved ─submit→ submitted
    in_review ─send_back→ draft                       (comment required)
    submitted ─return_report→ returned ─rework→ draft (comment required to return)
    submitted ─accept→ accepted

``send_back`` is not in the DESIGN's list; without it a head of service who disagrees with the
draft could neither approve nor let it be corrected. Who may approve (the head of service) and
who may return or accept (the Child Protection Centre) is access policy, not workflow. Freezing
the indicators on ``submit`` is the service layer's job.
"""

from __future__ import annotations

import enum
from typing import Any

from workflows import Condition, Spec, WorkflowMachine, input_condition
from workflows.labels import L_, Label


class ReportStatus(enum.StrEnum):
    """States of an annual report."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


STATUS_LABELS: dict[str, Label] = {
    ReportStatus.DRAFT: L_("annual report status", "draft"),
    ReportStatus.IN_REVIEW: L_("annual report status", "in review"),
    ReportStatus.APPROVED: L_("annual report status", "approved"),
    ReportStatus.SUBMITTED: L_("annual report status", "submitted"),
    ReportStatus.RETURNED: L_("annual report status", "returned"),
    ReportStatus.ACCEPTED: L_("annual report status", "accepted"),
}

TRIGGER_LABELS: dict[str, Label] = {
    "submit_for_review": L_("annual report action", "Send for review"),
    "send_back": L_("annual report action", "Send back for changes"),
    "approve": L_("annual report action", "Approve"),
    "submit": L_("annual report action", "Submit"),
    "return_report": L_("annual report action", "Return to the municipality"),
    "rework": L_("annual report action", "Rework the returned report"),
    "accept": L_("annual report action", "Accept"),
}

CONDITIONS: dict[str, Condition] = {
    "comment_required": input_condition(
        "comment",
        "comment_required",
        L_("refusal", "A comment saying what to correct in the report is required."),
    ),
}

_R = ReportStatus
TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "submit_for_review", "source": [_R.DRAFT], "dest": _R.IN_REVIEW, "conditions": []},
    {
        "trigger": "send_back",
        "source": [_R.IN_REVIEW],
        "dest": _R.DRAFT,
        "conditions": ["comment_required"],
    },
    {"trigger": "approve", "source": [_R.IN_REVIEW], "dest": _R.APPROVED, "conditions": []},
    {"trigger": "submit", "source": [_R.APPROVED], "dest": _R.SUBMITTED, "conditions": []},
    {
        "trigger": "return_report",
        "source": [_R.SUBMITTED],
        "dest": _R.RETURNED,
        "conditions": ["comment_required"],
    },
    {"trigger": "rework", "source": [_R.RETURNED], "dest": _R.DRAFT, "conditions": []},
    {"trigger": "accept", "source": [_R.SUBMITTED], "dest": _R.ACCEPTED, "conditions": []},
]

SPEC = Spec(
    name="annual_report",
    states=ReportStatus,
    initial=ReportStatus.DRAFT,
    attribute="status",
    transitions=TRANSITIONS,
    conditions=CONDITIONS,
    state_labels=STATUS_LABELS,
    trigger_labels=TRIGGER_LABELS,
)

#: Triggers whose page must ask for a comment.
COMMENT_REQUIRED: frozenset[str] = frozenset(
    t for t, inputs in SPEC.inputs().items() if "comment" in inputs
)
#: Same shape as the other workflows; no trigger of the report asks for a "reason".
REASON_REQUIRED: frozenset[str] = frozenset()
TRIGGER_INPUTS: dict[str, tuple[str, ...]] = SPEC.inputs()


def bind(obj: Any, facts: Any = None) -> WorkflowMachine:
    """Bind the annual report workflow to `obj` (its ``status`` column) for one operation."""
    return WorkflowMachine(SPEC, obj, facts)
