"""Decision execution rules (DESIGN §4)."""

from __future__ import annotations

import pytest

from workflows import WorkflowError, decision


class Decision:
    def __init__(self, status: str = "pending") -> None:
        self.status = status


@pytest.mark.parametrize(
    ("source", "trigger", "kwargs", "dest"),
    [
        ("pending", "start_execution", {}, "in_progress"),
        ("in_progress", "mark_executed", {}, "executed"),
        ("in_progress", "mark_not_executed", {"reason": "family moved"}, "not_executed"),
        ("pending", "mark_not_executed", {"reason": "became moot"}, "not_executed"),
    ],
)
def test_every_decision_transition_is_accepted(source, trigger, kwargs, dest):
    d = Decision(source)
    decision.bind(d).fire(trigger, **kwargs)
    assert d.status == dest


@pytest.mark.parametrize("source", ["pending", "in_progress"])
@pytest.mark.parametrize("reason", [None, "", " "])
def test_not_executed_needs_a_reason(source, reason):
    with pytest.raises(WorkflowError) as refused:
        decision.bind(Decision(source)).fire("mark_not_executed", reason=reason)
    assert refused.value.code == "reason_required"


@pytest.mark.parametrize(
    ("state", "trigger"),
    [
        ("pending", "mark_executed"),
        ("in_progress", "start_execution"),
        *[
            (final, trigger)
            for final in ("executed", "not_executed")
            for trigger in ("start_execution", "mark_executed", "mark_not_executed")
        ],
    ],
)
def test_decision_transitions_not_valid_from_the_current_state_are_refused(state, trigger):
    d = Decision(state)
    with pytest.raises(WorkflowError) as refused:
        decision.bind(d).fire(trigger, reason="r")
    assert refused.value.code == "not_allowed_in_state"
    assert d.status == state


def test_decision_labels_follow_the_glossary():
    assert decision.STATUS_LABELS["in_progress"]["lv"] == "izpildē"
    assert decision.STATUS_LABELS["not_executed"]["lv"] == "nav izpildīts"
