"""Case lifecycle (DESIGN §4), kept in the case's ``status`` column.

    registered ─start_assessment→ assessment ─start_intervention→ intervention
    intervention ─escalate_crisis→ crisis ─resolve_crisis→ intervention
    intervention ─start_monitoring→ monitoring
    intervention, monitoring ─deactivate→ inactive
    inactive ─reactivate→ intervention      inactive ─resume_monitoring→ monitoring
    assessment, intervention, monitoring, inactive ─close→ closed ─reopen→ assessment

Conditions: a case manager must be assigned to leave ``registered``; a red case cannot be closed,
go inactive or move to (or resume) monitoring; closing needs a closure reason from
`CLOSURE_REASONS` (``other`` with a text) and no open task; leaving ``crisis`` needs a meeting of
the case's group held after the crisis began. Going inactive, escalating and reopening need a
reason; reactivating does not (it is the client coming back, not a judgement to justify).

Side effect, declared on the ``crisis`` state: entering a crisis raises the risk to red through
the `risk_profile` machine (same reason) unless it is red already, and stamps
``case.crisis_started_at`` (the trigger's ``at`` keyword, default now in UTC). Both changes are
returned in ``Outcome.changes`` so that the service records them and, when ``"risk"`` is among
them, runs its usual "turned red" notifications and convening task.

Service layer::

    m = case_lifecycle.bind(case, facts)          # facts: CaseFacts computed from the database
    outcome = m.fire("close", closure_reason="goals_achieved")   # raises WorkflowError
    buttons = m.allowed_triggers()
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from workflows import (
    Condition,
    Spec,
    WorkflowMachine,
    fact_condition,
    input_condition,
    required_text,
    risk_profile,
)
from workflows.labels import L_, Label


class CaseStatus(enum.StrEnum):
    """States of a case."""

    REGISTERED = "registered"
    ASSESSMENT = "assessment"
    INTERVENTION = "intervention"
    CRISIS = "crisis"
    MONITORING = "monitoring"
    INACTIVE = "inactive"
    CLOSED = "closed"


class ClosureReason(enum.StrEnum):
    """The fixed list of reasons for closing a case."""

    GOALS_ACHIEVED = "goals_achieved"
    MOVED_MUNICIPALITY = "moved_municipality"
    CAME_OF_AGE = "came_of_age"
    PASSED_TO_INSTITUTION = "passed_to_institution"
    CLIENT_REFUSED_NO_RISK = "client_refused_no_risk"
    OTHER = "other"


STATUS_LABELS: dict[str, Label] = {
    CaseStatus.REGISTERED: L_("case status", "registered"),
    CaseStatus.ASSESSMENT: L_("case status", "assessment"),
    CaseStatus.INTERVENTION: L_("case status", "intervention (active cooperation)"),
    CaseStatus.CRISIS: L_("case status", "crisis"),
    CaseStatus.MONITORING: L_("case status", "follow-up (monitoring)"),
    CaseStatus.INACTIVE: L_("case status", "inactive cooperation"),
    CaseStatus.CLOSED: L_("case status", "closed"),
}

CLOSURE_REASONS: dict[str, Label] = {
    ClosureReason.GOALS_ACHIEVED: L_("case closure reason", "Goals achieved"),
    ClosureReason.MOVED_MUNICIPALITY: L_("case closure reason", "Moved to another municipality"),
    ClosureReason.CAME_OF_AGE: L_("case closure reason", "The child came of age"),
    ClosureReason.PASSED_TO_INSTITUTION: L_("case closure reason",
                                            "Responsibility passed to another institution"),
    ClosureReason.CLIENT_REFUSED_NO_RISK: L_("case closure reason",
                                             "The client refused support and no risk remains"),
    ClosureReason.OTHER: L_("case closure reason", "Other (describe)"),
}

TRIGGER_LABELS: dict[str, Label] = {
    "start_assessment": L_("case action", "Start the assessment"),
    "start_intervention": L_("case action", "Start the intervention"),
    "escalate_crisis": L_("case action", "Declare a crisis"),
    "resolve_crisis": L_("case action", "End the crisis"),
    "start_monitoring": L_("case action", "Start follow-up (monitoring)"),
    "deactivate": L_("case action", "Mark cooperation inactive"),
    "reactivate": L_("case action", "Resume active cooperation"),
    "resume_monitoring": L_("case action", "Resume follow-up (monitoring)"),
    "close": L_("case action", "Close the case"),
    "reopen": L_("case action", "Reopen the case"),
}

#: What the history says happened (past tense), for each trigger: the buttons say what to do.
EVENT_LABELS: dict[str, Label] = {
    "start_assessment": L_("case event", "Assessment started"),
    "start_intervention": L_("case event", "Intervention started"),
    "escalate_crisis": L_("case event", "Crisis declared"),
    "resolve_crisis": L_("case event", "Crisis ended"),
    "start_monitoring": L_("case event", "Follow-up (monitoring) started"),
    "deactivate": L_("case event", "Cooperation marked inactive"),
    "reactivate": L_("case event", "Active cooperation resumed"),
    "resume_monitoring": L_("case event", "Follow-up (monitoring) resumed"),
    "close": L_("case event", "Case closed"),
    "reopen": L_("case event", "Case reopened"),
}


@dataclass(frozen=True)
class CaseFacts:
    """What the service layer reads from the database before a case transition."""

    case_manager_assigned: bool
    risk: str
    open_task_count: int
    crisis_started_at: datetime | None
    #: When the latest meeting of the case's interprofessional group was held (status held or
    #: minutes approved), None if never.
    last_group_meeting_held_at: datetime | None


def _meeting_after_crisis(facts: CaseFacts, _kwargs: Any) -> bool:
    held, began = facts.last_group_meeting_held_at, facts.crisis_started_at
    # Without a known start of the crisis no meeting can be shown to follow it.
    return held is not None and began is not None and held > began


def _closure_reason_valid(_facts: Any, kwargs: Any) -> bool:
    return str(kwargs.get("closure_reason") or "") in CLOSURE_REASONS


def _closure_text_given(_facts: Any, kwargs: Any) -> bool:
    if str(kwargs.get("closure_reason") or "") != ClosureReason.OTHER:
        return True
    return required_text(kwargs.get("closure_reason_text"))


CONDITIONS: dict[str, Condition] = {
    "case_manager_required": fact_condition(
        "case_manager_required",
        L_("refusal", "A case manager must be assigned before the case can leave “registered”."),
        lambda facts, _kw: facts.case_manager_assigned,
    ),
    "not_red": fact_condition(
        "not_red",
        L_(
            "refusal",
            "The case's risk profile is red: a red case cannot be closed, marked inactive or "
            "moved to follow-up (monitoring).",
        ),
        lambda facts, _kw: str(facts.risk) != risk_profile.Risk.RED,
    ),
    "no_open_tasks": fact_condition(
        "no_open_tasks",
        L_(
            "refusal",
            "Every open task must be done or cancelled before the case is closed (open: "
            "{open_task_count}).",
        ),
        lambda facts, _kw: facts.open_task_count == 0,
    ),
    "group_meeting_after_crisis": fact_condition(
        "group_meeting_after_crisis",
        L_(
            "refusal",
            "The crisis can end only after a meeting of the case's interprofessional cooperation "
            "group has been held since the crisis began.",
        ),
        _meeting_after_crisis,
    ),
    "reason_required": input_condition(
        "reason",
        "reason_required",
        L_("refusal", "A reason is required."),
    ),
    "closure_reason_required": Condition(
        "closure_reason_required",
        L_("refusal", "Choose a closure reason from the list."),
        _closure_reason_valid,
        input="closure_reason",
    ),
    "closure_reason_text_required": Condition(
        "closure_reason_text_required",
        L_("refusal", "When the closure reason is “other”, describe it."),
        _closure_text_given,
        input="closure_reason_text",
    ),
}

_S = CaseStatus
TRANSITIONS: list[dict[str, Any]] = [
    {
        "trigger": "start_assessment",
        "source": [_S.REGISTERED],
        "dest": _S.ASSESSMENT,
        "conditions": ["case_manager_required"],
    },
    {
        "trigger": "start_intervention",
        "source": [_S.ASSESSMENT],
        "dest": _S.INTERVENTION,
        "conditions": [],
    },
    {
        "trigger": "escalate_crisis",
        "source": [_S.INTERVENTION],
        "dest": _S.CRISIS,
        "conditions": ["reason_required"],
    },
    {
        "trigger": "resolve_crisis",
        "source": [_S.CRISIS],
        "dest": _S.INTERVENTION,
        "conditions": ["group_meeting_after_crisis"],
    },
    {
        "trigger": "start_monitoring",
        "source": [_S.INTERVENTION],
        "dest": _S.MONITORING,
        "conditions": ["not_red"],
    },
    {
        "trigger": "deactivate",
        "source": [_S.INTERVENTION, _S.MONITORING],
        "dest": _S.INACTIVE,
        "conditions": ["not_red", "reason_required"],
    },
    {
        "trigger": "reactivate",
        "source": [_S.INACTIVE],
        "dest": _S.INTERVENTION,
        "conditions": [],
    },
    {
        "trigger": "resume_monitoring",
        "source": [_S.INACTIVE],
        "dest": _S.MONITORING,
        "conditions": ["not_red"],
    },
    {
        "trigger": "close",
        "source": [_S.ASSESSMENT, _S.INTERVENTION, _S.MONITORING, _S.INACTIVE],
        "dest": _S.CLOSED,
        "conditions": [
            "not_red",
            "no_open_tasks",
            "closure_reason_required",
            "closure_reason_text_required",
        ],
    },
    {
        "trigger": "reopen",
        "source": [_S.CLOSED],
        "dest": _S.ASSESSMENT,
        "conditions": ["reason_required"],
    },
]


def _enter_crisis(case: Any, kwargs: Any) -> dict[str, tuple[Any, Any]]:
    """Entering a crisis makes the risk red and records when the crisis began."""
    started = kwargs.get("at") or datetime.now(UTC)
    if started.tzinfo is None:
        raise ValueError("at must be a timezone-aware datetime")
    changes: dict[str, tuple[Any, Any]] = {}
    if str(getattr(case, "risk", None) or "") != risk_profile.Risk.RED:
        # Through the risk machine, so the rules for raising the risk apply here too.
        outcome = risk_profile.bind(case).fire("raise_to_red", reason=kwargs.get("reason"))
        changes.update(outcome.changes)
    changes["crisis_started_at"] = (getattr(case, "crisis_started_at", None), started)
    case.crisis_started_at = started
    return changes


SPEC = Spec(
    name="case_lifecycle",
    states=CaseStatus,
    initial=CaseStatus.REGISTERED,
    attribute="status",
    transitions=TRANSITIONS,
    conditions=CONDITIONS,
    state_labels=STATUS_LABELS,
    trigger_labels=TRIGGER_LABELS,
    on_enter={CaseStatus.CRISIS: _enter_crisis},
)

#: Triggers whose page must ask for a reason.
REASON_REQUIRED: frozenset[str] = frozenset(
    t for t, inputs in SPEC.inputs().items() if "reason" in inputs
)
#: Every input each trigger needs, e.g. ``{"close": ("closure_reason", "closure_reason_text")}``.
TRIGGER_INPUTS: dict[str, tuple[str, ...]] = SPEC.inputs()


def bind(obj: Any, facts: CaseFacts | None = None) -> WorkflowMachine:
    """Bind the case lifecycle to `obj` (its ``status`` column) for one operation."""
    return WorkflowMachine(SPEC, obj, facts)
