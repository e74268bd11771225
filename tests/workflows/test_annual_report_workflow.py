"""Annual report rules (DESIGN §4)."""

from __future__ import annotations

import pytest

from workflows import WorkflowError, annual_report


class Report:
    def __init__(self, status: str = "draft") -> None:
        self.status = status


ACCEPTED = [
    ("draft", "submit_for_review", {}, "in_review"),
    ("in_review", "send_back", {"comment": "add the school data"}, "draft"),
    ("in_review", "approve", {}, "approved"),
    ("approved", "submit", {}, "submitted"),
    ("submitted", "return_report", {"comment": "indicator 3 missing"}, "returned"),
    ("returned", "rework", {}, "draft"),
    ("submitted", "accept", {}, "accepted"),
]


@pytest.mark.parametrize(("source", "trigger", "kwargs", "dest"), ACCEPTED)
def test_every_report_transition_is_accepted(source, trigger, kwargs, dest):
    r = Report(source)
    annual_report.bind(r).fire(trigger, **kwargs)
    assert r.status == dest


def test_a_report_goes_from_draft_to_accepted_through_review_approval_and_submission():
    r = Report()
    m = annual_report.bind(r)
    for trigger in ("submit_for_review", "approve", "submit", "accept"):
        m.fire(trigger)
    assert r.status == "accepted"


@pytest.mark.parametrize(
    ("source", "trigger"), [("submitted", "return_report"), ("in_review", "send_back")]
)
@pytest.mark.parametrize("comment", [None, "", " "])
def test_returning_a_report_needs_a_comment(source, trigger, comment):
    r = Report(source)
    with pytest.raises(WorkflowError) as refused:
        annual_report.bind(r).fire(trigger, comment=comment)
    assert refused.value.code == "comment_required"
    assert r.status == source


DECLARED = {(str(s), row["trigger"]) for row in annual_report.TRANSITIONS for s in row["source"]}


@pytest.mark.parametrize(
    ("state", "trigger"),
    [
        (state.value, trigger)
        for state in annual_report.ReportStatus
        for trigger in annual_report.TRIGGER_LABELS
        if (state.value, trigger) not in DECLARED
    ],
)
def test_report_transitions_not_valid_from_the_current_state_are_refused(state, trigger):
    r = Report(state)
    with pytest.raises(WorkflowError) as refused:
        annual_report.bind(r).fire(trigger, comment="c")
    assert refused.value.code == "not_allowed_in_state"
    assert r.status == state


def test_an_accepted_report_is_final():
    assert annual_report.bind(Report("accepted")).allowed_triggers() == []


def test_comment_required_lists_the_returning_triggers():
    assert annual_report.COMMENT_REQUIRED == {"send_back", "return_report"}
