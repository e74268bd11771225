"""Risk profile rules (DESIGN §4): the traffic light, its reasons and the group's decision."""

from __future__ import annotations

import pytest

from workflows import WorkflowError, risk_profile
from workflows.policy import Policy
from workflows.risk_profile import RiskFacts, review_interval_days


class Case:
    def __init__(self, risk: str) -> None:
        self.risk = risk


def facts(refs=("D-7",), in_crisis=False) -> RiskFacts:
    return RiskFacts(group_decision_refs=frozenset(refs), case_in_crisis=in_crisis)


LOWER_FROM_RED = {"reason": "family engaged", "decision_ref": "D-7"}

ACCEPTED = [
    ("green", "raise_to_yellow", {"reason": "school absences"}, "yellow"),
    ("green", "raise_to_red", {"reason": "injury seen"}, "red"),
    ("yellow", "raise_to_red", {"reason": "injury seen"}, "red"),
    ("red", "lower_to_yellow", LOWER_FROM_RED, "yellow"),
    ("yellow", "lower_to_green", {"reason": "goals met"}, "green"),
]


@pytest.mark.parametrize(("source", "trigger", "kwargs", "dest"), ACCEPTED)
def test_every_risk_change_is_accepted_with_its_inputs(source, trigger, kwargs, dest):
    case = Case(source)
    outcome = risk_profile.bind(case, facts()).fire(trigger, **kwargs)
    assert case.risk == dest
    assert type(case.risk) is str
    assert outcome.changes == {"risk": (source, dest)}


@pytest.mark.parametrize(
    ("source", "trigger"),
    [("green", "raise_to_yellow"), ("green", "raise_to_red"), ("yellow", "raise_to_red")],
)
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_raising_the_risk_needs_a_reason(source, trigger, reason):
    case = Case(source)
    with pytest.raises(WorkflowError) as refused:
        risk_profile.bind(case).fire(trigger, reason=reason)
    assert refused.value.code == "reason_required"
    assert case.risk == source


@pytest.mark.parametrize(
    ("source", "trigger", "kwargs"),
    [
        ("yellow", "lower_to_green", {}),
        ("red", "lower_to_yellow", {"decision_ref": "D-7"}),
    ],
)
def test_lowering_the_risk_needs_a_reason(source, trigger, kwargs):
    with pytest.raises(WorkflowError) as refused:
        risk_profile.bind(Case(source), facts()).fire(trigger, **kwargs)
    assert refused.value.code == "reason_required"


@pytest.mark.parametrize("decision_ref", [None, "", "  "])
def test_lowering_from_red_needs_a_group_decision(decision_ref):
    case = Case("red")
    with pytest.raises(WorkflowError) as refused:
        risk_profile.bind(case, facts()).fire(
            "lower_to_yellow", reason="family engaged", decision_ref=decision_ref
        )
    assert refused.value.code == "group_decision_required"
    assert "starpprofesionāļu sadarbības grupas lēmums" in refused.value.message("lv")
    assert "interprofessional cooperation group" in refused.value.message("en")
    assert case.risk == "red"


def test_lowering_from_red_needs_a_decision_of_the_case_s_own_group():
    with pytest.raises(WorkflowError) as refused:
        risk_profile.bind(Case("red"), facts(refs={"D-7"})).fire(
            "lower_to_yellow", reason="family engaged", decision_ref="D-99"
        )
    assert refused.value.code == "decision_of_case_group"


def test_decision_references_are_compared_as_text():
    case = Case("red")
    risk_profile.bind(case, facts(refs={"42"})).fire(
        "lower_to_yellow", reason="family engaged", decision_ref=42
    )
    assert case.risk == "yellow"


def test_risk_cannot_be_lowered_from_red_during_a_crisis():
    m = risk_profile.bind(Case("red"), facts(in_crisis=True))
    assert m.check("lower_to_yellow", **LOWER_FROM_RED).code == "not_in_crisis"
    assert m.allowed_triggers() == []


def test_lowering_from_red_without_facts_is_a_programming_error():
    with pytest.raises(TypeError, match="needs facts"):
        risk_profile.bind(Case("red")).fire("lower_to_yellow", **LOWER_FROM_RED)


@pytest.mark.parametrize(
    ("state", "trigger"),
    [
        ("green", "lower_to_yellow"),
        ("green", "lower_to_green"),
        ("yellow", "raise_to_yellow"),
        ("yellow", "lower_to_yellow"),
        ("red", "raise_to_red"),
        ("red", "raise_to_yellow"),
        ("red", "lower_to_green"),
    ],
)
def test_risk_changes_not_valid_from_the_current_colour_are_refused(state, trigger):
    case = Case(state)
    with pytest.raises(WorkflowError) as refused:
        risk_profile.bind(case, facts()).fire(trigger, **LOWER_FROM_RED)
    assert refused.value.code == "not_allowed_in_state"
    assert case.risk == state


def test_red_cannot_go_straight_to_green():
    err = risk_profile.bind(Case("red"), facts()).check("lower_to_green", reason="x")
    assert err.code == "not_allowed_in_state"
    assert "sarkans" in err.message("lv")


@pytest.mark.parametrize(
    ("state", "allowed"),
    [
        ("green", ["raise_to_yellow", "raise_to_red"]),
        ("yellow", ["raise_to_red", "lower_to_green"]),
        ("red", ["lower_to_yellow"]),
    ],
)
def test_allowed_risk_changes_per_colour(state, allowed):
    assert risk_profile.bind(Case(state), facts()).allowed_triggers() == allowed


def test_every_risk_change_asks_for_a_reason():
    assert risk_profile.REASON_REQUIRED == set(risk_profile.TRIGGER_LABELS)
    assert risk_profile.TRIGGER_INPUTS["lower_to_yellow"] == ("reason", "decision_ref")


def test_risk_labels_are_latvian_and_english():
    assert {k: v["lv"] for k, v in risk_profile.RISK_LABELS.items()} == {
        "green": "zaļš",
        "yellow": "dzeltens",
        "red": "sarkans",
    }


@pytest.mark.parametrize(("risk", "days"), [("red", 14), ("yellow", 42), ("green", 91)])
def test_next_review_interval_follows_the_colour(risk, days):
    assert review_interval_days(risk) == days
    assert review_interval_days(risk_profile.Risk(risk), Policy()) == days


def test_review_interval_follows_the_municipality_s_policy():
    policy = Policy.from_overrides({"review_days_red": 7})
    assert review_interval_days("red", policy) == 7


def test_review_interval_of_an_unknown_colour_is_an_error():
    with pytest.raises(ValueError, match="unknown risk colour"):
        review_interval_days("blue")
