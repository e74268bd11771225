"""Meeting rules (DESIGN §4): held with goals and attendance, minutes approved, cancelled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workflows import WorkflowError, meeting
from workflows.meeting import MeetingFacts, validate_meeting_times


class Meeting:
    def __init__(self, status: str = "planned") -> None:
        self.status = status


def facts(goals: int = 1, attendance: bool = True, minutes: bool = True) -> MeetingFacts:
    return MeetingFacts(goal_count=goals, attendance_recorded=attendance, minutes_written=minutes)


@pytest.mark.parametrize(
    ("source", "trigger", "kwargs", "dest"),
    [
        ("planned", "mark_held", {}, "held"),
        ("held", "approve_minutes", {}, "minutes_approved"),
        ("planned", "cancel", {"reason": "coordinator ill"}, "cancelled"),
    ],
)
def test_every_meeting_transition_is_accepted_when_its_conditions_hold(
    source, trigger, kwargs, dest
):
    m = Meeting(source)
    meeting.bind(m, facts()).fire(trigger, **kwargs)
    assert m.status == dest


def test_a_meeting_is_held_only_with_a_goal_on_the_agenda():
    m = Meeting()
    with pytest.raises(WorkflowError) as refused:
        meeting.bind(m, facts(goals=0)).fire("mark_held")
    assert refused.value.code == "goal_on_agenda"
    assert m.status == "planned"


def test_a_meeting_is_held_only_with_attendance_recorded():
    with pytest.raises(WorkflowError) as refused:
        meeting.bind(Meeting(), facts(attendance=False)).fire("mark_held")
    assert refused.value.code == "attendance_recorded"


def test_minutes_are_approved_only_when_written():
    with pytest.raises(WorkflowError) as refused:
        meeting.bind(Meeting("held"), facts(minutes=False)).fire("approve_minutes")
    assert refused.value.code == "minutes_written"


@pytest.mark.parametrize("reason", [None, "", " "])
def test_cancelling_a_meeting_needs_a_reason(reason):
    with pytest.raises(WorkflowError) as refused:
        meeting.bind(Meeting(), facts()).fire("cancel", reason=reason)
    assert refused.value.code == "reason_required"


@pytest.mark.parametrize(
    ("state", "trigger"),
    [
        ("planned", "approve_minutes"),
        ("held", "mark_held"),
        ("held", "cancel"),
        ("minutes_approved", "mark_held"),
        ("minutes_approved", "approve_minutes"),
        ("minutes_approved", "cancel"),
        ("cancelled", "mark_held"),
        ("cancelled", "approve_minutes"),
        ("cancelled", "cancel"),
    ],
)
def test_meeting_transitions_not_valid_from_the_current_state_are_refused(state, trigger):
    m = Meeting(state)
    with pytest.raises(WorkflowError) as refused:
        meeting.bind(m, facts()).fire(trigger, reason="r")
    assert refused.value.code == "not_allowed_in_state"
    assert m.status == state


def test_meeting_buttons_follow_the_facts():
    assert meeting.bind(Meeting(), facts()).allowed_triggers() == ["mark_held", "cancel"]
    assert meeting.bind(Meeting(), facts(goals=0)).allowed_triggers() == ["cancel"]


START = datetime(2025, 5, 6, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("end", [START, START - timedelta(minutes=1)], ids=["equal", "before"])
def test_meeting_end_must_be_after_start(end):
    with pytest.raises(WorkflowError) as refused:
        validate_meeting_times(START, end)
    assert refused.value.code == "meeting_end_after_start"
    assert refused.value.message("en") == "The meeting must end after it starts."


@pytest.mark.parametrize("end", [START + timedelta(hours=1), None])
def test_meeting_with_a_later_end_or_no_end_passes(end):
    validate_meeting_times(START, end)


def test_a_meeting_is_not_held_before_its_start_time():
    m = Meeting()
    not_started = MeetingFacts(goal_count=1, attendance_recorded=True, minutes_written=False,
                               started=False)
    with pytest.raises(WorkflowError) as refused:
        meeting.bind(m, not_started).fire("mark_held")
    assert refused.value.code == "meeting_started" and m.status == "planned"


def test_every_missing_step_of_an_action_is_listed_at_once():
    nothing_yet = MeetingFacts(goal_count=0, attendance_recorded=False, minutes_written=False,
                               started=False)
    codes = [e.code for e in meeting.bind(Meeting(), nothing_yet).unmet("mark_held")]
    assert codes == ["meeting_started", "goal_on_agenda", "attendance_recorded"]
    assert meeting.bind(Meeting(), facts()).unmet("mark_held") == []
