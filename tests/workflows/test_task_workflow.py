"""Task rules (DESIGN §4): done with a note, cancelled with a reason, overdue derived."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from workflows import WorkflowError, task
from workflows.task import is_overdue


class Task:
    def __init__(self, status: str = "open") -> None:
        self.status = status


@pytest.mark.parametrize(
    ("trigger", "kwargs", "dest"),
    [
        ("complete", {"note": "visited the family"}, "done"),
        ("cancel", {"reason": "duplicate"}, "cancelled"),
    ],
)
def test_an_open_task_can_be_done_or_cancelled(trigger, kwargs, dest):
    t = Task()
    task.bind(t).fire(trigger, **kwargs)
    assert t.status == dest
    assert type(t.status) is str


@pytest.mark.parametrize("note", [None, "", " "])
def test_completing_a_task_needs_a_completion_note(note):
    t = Task()
    with pytest.raises(WorkflowError) as refused:
        task.bind(t).fire("complete", note=note)
    assert refused.value.code == "note_required"
    assert t.status == "open"


@pytest.mark.parametrize("reason", [None, "", " "])
def test_cancelling_a_task_needs_a_reason(reason):
    with pytest.raises(WorkflowError) as refused:
        task.bind(Task()).fire("cancel", reason=reason)
    assert refused.value.code == "reason_required"


@pytest.mark.parametrize("state", ["done", "cancelled"])
@pytest.mark.parametrize("trigger", ["complete", "cancel"])
def test_a_finished_task_cannot_change_again(state, trigger):
    t = Task(state)
    with pytest.raises(WorkflowError) as refused:
        task.bind(t).fire(trigger, note="n", reason="r")
    assert refused.value.code == "not_allowed_in_state"
    assert t.status == state


def test_task_buttons_and_inputs():
    assert task.bind(Task()).allowed_triggers() == ["complete", "cancel"]
    assert task.bind(Task("done")).allowed_triggers() == []
    assert task.TRIGGER_INPUTS == {"complete": ("note",), "cancel": ("reason",)}
    assert task.REASON_REQUIRED == {"cancel"}


TODAY = date(2025, 6, 10)


@pytest.mark.parametrize(
    ("due", "status", "overdue"),
    [
        (date(2025, 6, 9), "open", True),
        (date(2025, 6, 10), "open", False),
        (date(2025, 6, 11), "open", False),
        (date(2025, 6, 9), "done", False),
        (date(2025, 6, 9), "cancelled", False),
        (None, "open", False),
    ],
    ids=["past", "due-today", "future", "done", "cancelled", "no-deadline"],
)
def test_overdue_is_derived_from_the_due_date_for_open_tasks_only(due, status, overdue):
    assert is_overdue(due, status, TODAY) is overdue


def test_overdue_needs_a_date_not_a_datetime():
    with pytest.raises(TypeError):
        is_overdue(datetime(2025, 6, 9, 12, 0), "open", TODAY)
