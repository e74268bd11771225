"""Case lifecycle rules (DESIGN §4): every transition, every refusal."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from transitions import Machine

from workflows import WorkflowError, case_lifecycle
from workflows.case_lifecycle import CLOSURE_REASONS, CaseFacts, CaseStatus

CRISIS_BEGAN = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


class Case:
    """Stands in for the ORM row: a plain object with the two columns the machines use."""

    def __init__(self, status: str = "registered", risk: str = "green") -> None:
        self.status = status
        self.risk = risk


def facts(**changes) -> CaseFacts:
    """Facts under which every condition on facts holds; tests change one thing at a time."""
    base = CaseFacts(
        case_manager_assigned=True,
        risk="green",
        open_task_count=0,
        crisis_started_at=CRISIS_BEGAN,
        last_group_meeting_held_at=CRISIS_BEGAN + timedelta(days=1),
    )
    return replace(base, **changes)


ACCEPTED = [
    ("registered", "start_assessment", {}, "assessment"),
    ("assessment", "start_intervention", {}, "intervention"),
    ("intervention", "escalate_crisis", {"reason": "violence at home"}, "crisis"),
    ("crisis", "resolve_crisis", {}, "intervention"),
    ("intervention", "start_monitoring", {}, "monitoring"),
    ("intervention", "deactivate", {"reason": "unreachable"}, "inactive"),
    ("monitoring", "deactivate", {"reason": "refuses contact"}, "inactive"),
    ("inactive", "reactivate", {}, "intervention"),
    ("inactive", "resume_monitoring", {}, "monitoring"),
    ("assessment", "close", {"closure_reason": "moved_municipality"}, "closed"),
    ("intervention", "close", {"closure_reason": "goals_achieved"}, "closed"),
    ("monitoring", "close", {"closure_reason": "came_of_age"}, "closed"),
    ("inactive", "close", {"closure_reason": "client_refused_no_risk"}, "closed"),
    ("closed", "reopen", {"reason": "new referral"}, "assessment"),
]


@pytest.mark.parametrize(("source", "trigger", "kwargs", "dest"), ACCEPTED)
def test_every_declared_transition_is_accepted_when_its_conditions_hold(
    source, trigger, kwargs, dest
):
    case = Case(source, risk="red" if source == "crisis" else "green")
    outcome = case_lifecycle.bind(case, facts()).fire(trigger, **kwargs)
    assert case.status == dest
    assert (outcome.source, outcome.dest) == (source, dest)
    assert outcome.changes["status"] == (source, dest)


def test_the_column_holds_a_plain_string_after_a_transition():
    case = Case("registered")
    case_lifecycle.bind(case, facts()).fire("start_assessment")
    assert case.status == "assessment"
    assert type(case.status) is str


def test_a_column_holding_an_enum_member_is_read_by_its_value():
    case = Case(CaseStatus.ASSESSMENT)
    case_lifecycle.bind(case, facts()).fire("start_intervention")
    assert type(case.status) is str
    assert case.status == "intervention"


def test_a_new_case_without_status_starts_registered():
    case = Case(None)
    m = case_lifecycle.bind(case, facts())
    assert case.status == "registered"
    assert m.allowed_triggers() == ["start_assessment"]


def test_an_unknown_status_in_the_column_is_a_data_error():
    with pytest.raises(ValueError, match="not a known state"):
        case_lifecycle.bind(Case("archived"), facts())


def test_leaving_registered_needs_a_case_manager():
    case = Case("registered")
    with pytest.raises(WorkflowError) as refused:
        case_lifecycle.bind(case, facts(case_manager_assigned=False)).fire("start_assessment")
    assert refused.value.code == "case_manager_required"
    assert case.status == "registered"


@pytest.mark.parametrize(
    ("source", "trigger", "kwargs"),
    [
        ("intervention", "close", {"closure_reason": "goals_achieved"}),
        ("inactive", "close", {"closure_reason": "goals_achieved"}),
        ("intervention", "deactivate", {"reason": "unreachable"}),
        ("monitoring", "deactivate", {"reason": "unreachable"}),
        ("intervention", "start_monitoring", {}),
        ("inactive", "resume_monitoring", {}),
    ],
)
def test_red_case_cannot_be_closed_go_inactive_or_move_to_monitoring(source, trigger, kwargs):
    case = Case(source, risk="red")
    with pytest.raises(WorkflowError) as refused:
        case_lifecycle.bind(case, facts(risk="red")).fire(trigger, **kwargs)
    assert refused.value.code == "not_red"
    assert case.status == source


def test_red_case_cannot_be_closed():
    case = Case("monitoring", risk="red")
    m = case_lifecycle.bind(case, facts(risk="red"))
    assert m.check("close", closure_reason="goals_achieved").code == "not_red"
    assert "close" not in m.allowed_triggers()


def test_closing_needs_every_open_task_closed_or_cancelled():
    case = Case("intervention")
    with pytest.raises(WorkflowError) as refused:
        case_lifecycle.bind(case, facts(open_task_count=2)).fire(
            "close", closure_reason="goals_achieved"
        )
    assert refused.value.code == "no_open_tasks"
    assert "(atvērti: 2)" in refused.value.message("lv")
    assert "(open: 2)" in refused.value.message("en")
    assert case.status == "intervention"


@pytest.mark.parametrize("closure_reason", [None, "", "bored", "GOALS_ACHIEVED"])
def test_closing_needs_a_closure_reason_from_the_fixed_list(closure_reason):
    with pytest.raises(WorkflowError) as refused:
        case_lifecycle.bind(Case("intervention"), facts()).fire(
            "close", closure_reason=closure_reason
        )
    assert refused.value.code == "closure_reason_required"


@pytest.mark.parametrize("text", [None, "", "   "])
def test_closure_reason_other_needs_a_text(text):
    with pytest.raises(WorkflowError) as refused:
        case_lifecycle.bind(Case("intervention"), facts()).fire(
            "close", closure_reason="other", closure_reason_text=text
        )
    assert refused.value.code == "closure_reason_text_required"


@pytest.mark.parametrize("closure_reason", sorted(CLOSURE_REASONS))
def test_every_listed_closure_reason_closes_the_case(closure_reason):
    case = Case("intervention")
    case_lifecycle.bind(case, facts()).fire(
        "close", closure_reason=closure_reason, closure_reason_text="family moved abroad"
    )
    assert case.status == "closed"


def test_closure_reasons_are_the_designed_list_with_both_languages():
    assert set(CLOSURE_REASONS) == {
        "goals_achieved",
        "moved_municipality",
        "came_of_age",
        "passed_to_institution",
        "client_refused_no_risk",
        "other",
    }
    assert all(label["lv"] and label["en"] for label in CLOSURE_REASONS.values())


@pytest.mark.parametrize("risk", ["green", "yellow"])
def test_entering_crisis_sets_risk_red(risk):
    case = Case("intervention", risk=risk)
    outcome = case_lifecycle.bind(case, facts(risk=risk)).fire(
        "escalate_crisis", reason="threat of violence", at=CRISIS_BEGAN
    )
    assert case.status == "crisis"
    assert case.risk == "red"
    assert type(case.risk) is str
    assert outcome.changes["risk"] == (risk, "red")


def test_entering_crisis_records_when_it_began():
    case = Case("intervention")
    outcome = case_lifecycle.bind(case, facts()).fire(
        "escalate_crisis", reason="threat of violence", at=CRISIS_BEGAN
    )
    assert case.crisis_started_at == CRISIS_BEGAN
    assert outcome.changes["crisis_started_at"] == (None, CRISIS_BEGAN)


def test_entering_crisis_defaults_its_start_to_now_in_utc():
    case = Case("intervention")
    before = datetime.now(UTC)
    case_lifecycle.bind(case, facts()).fire("escalate_crisis", reason="threat")
    assert before <= case.crisis_started_at <= datetime.now(UTC)


def test_entering_crisis_on_a_red_case_leaves_the_risk_alone():
    case = Case("intervention", risk="red")
    outcome = case_lifecycle.bind(case, facts(risk="red")).fire("escalate_crisis", reason="x")
    assert case.risk == "red"
    assert "risk" not in outcome.changes


def test_entering_crisis_needs_a_reason():
    case = Case("intervention", risk="yellow")
    with pytest.raises(WorkflowError) as refused:
        case_lifecycle.bind(case, facts()).fire("escalate_crisis", reason=" ")
    assert refused.value.code == "reason_required"
    assert (case.status, case.risk) == ("intervention", "yellow")


@pytest.mark.parametrize(
    "meeting_held_at",
    [None, CRISIS_BEGAN - timedelta(days=2), CRISIS_BEGAN],
    ids=["no-meeting", "meeting-before-crisis", "meeting-at-the-moment-it-began"],
)
def test_leaving_crisis_needs_group_meeting_after_crisis_began(meeting_held_at):
    case = Case("crisis", risk="red")
    with pytest.raises(WorkflowError) as refused:
        case_lifecycle.bind(case, facts(last_group_meeting_held_at=meeting_held_at)).fire(
            "resolve_crisis"
        )
    assert refused.value.code == "group_meeting_after_crisis"
    assert case.status == "crisis"


def test_leaving_crisis_with_an_unknown_start_is_refused():
    m = case_lifecycle.bind(Case("crisis", risk="red"), facts(crisis_started_at=None))
    assert m.check("resolve_crisis").code == "group_meeting_after_crisis"


def test_leaving_crisis_after_a_group_meeting_returns_to_intervention_still_red():
    case = Case("crisis", risk="red")
    case_lifecycle.bind(case, facts(risk="red")).fire("resolve_crisis")
    # Lowering the risk is a separate decision of the group (risk_profile).
    assert (case.status, case.risk) == ("intervention", "red")


@pytest.mark.parametrize(
    ("source", "trigger"),
    [("intervention", "deactivate"), ("monitoring", "deactivate"), ("closed", "reopen")],
)
@pytest.mark.parametrize("reason", [None, "", "  \n"])
def test_going_inactive_and_reopening_need_a_reason(source, trigger, reason):
    case = Case(source)
    with pytest.raises(WorkflowError) as refused:
        case_lifecycle.bind(case, facts()).fire(trigger, reason=reason)
    assert refused.value.code == "reason_required"
    assert case.status == source


def test_reason_required_lists_the_triggers_whose_page_asks_for_a_reason():
    assert case_lifecycle.REASON_REQUIRED == {"escalate_crisis", "deactivate", "reopen"}
    assert case_lifecycle.TRIGGER_INPUTS["close"] == ("closure_reason", "closure_reason_text")


DECLARED = {(str(s), row["trigger"]) for row in case_lifecycle.TRANSITIONS for s in row["source"]}
UNDECLARED = [
    (state.value, trigger)
    for state in CaseStatus
    for trigger in case_lifecycle.TRIGGER_LABELS
    if (state.value, trigger) not in DECLARED
]


@pytest.mark.parametrize(("state", "trigger"), UNDECLARED)
def test_triggers_not_valid_from_the_current_state_are_refused(state, trigger):
    case = Case(state, risk="green")
    kwargs = {"reason": "r", "closure_reason": "goals_achieved"}
    with pytest.raises(WorkflowError) as refused:
        case_lifecycle.bind(case, facts()).fire(trigger, **kwargs)
    assert refused.value.code == "not_allowed_in_state"
    assert case.status == state


def test_refused_trigger_names_condition_in_latvian_and_english():
    m = case_lifecycle.bind(Case("registered"), facts(case_manager_assigned=False))
    with pytest.raises(WorkflowError) as refused:
        m.fire("start_assessment")
    err = refused.value
    assert err.code == "case_manager_required"
    assert err.trigger == "start_assessment"
    assert err.state == "registered"
    assert "gadījuma vadītājs" in err.message("lv")
    assert "case manager" in err.message("en")
    assert str(err) == err.message("lv") == err.message("lv") == err.message(None)
    assert err.message("en") == err.message("en_GB") == err.message("en")


def test_trigger_invalid_in_state_names_action_and_status_in_both_languages():
    err = case_lifecycle.bind(Case("crisis", risk="red"), facts()).check(
        "close", closure_reason="goals_achieved"
    )
    assert err.message("lv") == "Darbība “Slēgt lietu” nav iespējama, kad statuss ir “krīze”."
    assert err.message("en") == "“Close the case” is not possible while the status is “crisis”."


def test_unknown_trigger_is_refused_not_crashed():
    err = case_lifecycle.bind(Case("registered"), facts()).check("delete")
    assert err.code == "unknown_trigger"


def test_the_first_failing_condition_is_reported():
    # Red and with open tasks: the red rule comes first in the table.
    m = case_lifecycle.bind(Case("intervention", risk="red"), facts(risk="red", open_task_count=1))
    assert m.check("close").code == "not_red"
    m = case_lifecycle.bind(Case("intervention"), facts(open_task_count=1))
    assert m.check("close").code == "no_open_tasks"


def test_check_reports_without_changing_state():
    case = Case("registered")
    m = case_lifecycle.bind(case, facts())
    assert m.check("start_assessment") is None
    assert case.status == "registered"


@pytest.mark.parametrize(
    ("state", "case_facts", "allowed"),
    [
        ("registered", facts(case_manager_assigned=False), []),
        ("registered", facts(), ["start_assessment"]),
        ("assessment", facts(), ["start_intervention", "close"]),
        (
            "intervention",
            facts(),
            ["escalate_crisis", "start_monitoring", "deactivate", "close"],
        ),
        ("intervention", facts(risk="red"), ["escalate_crisis"]),
        (
            "intervention",
            facts(open_task_count=3),
            ["escalate_crisis", "start_monitoring", "deactivate"],
        ),
        ("crisis", facts(last_group_meeting_held_at=None), []),
        ("crisis", facts(), ["resolve_crisis"]),
        ("inactive", facts(), ["reactivate", "resume_monitoring", "close"]),
        ("closed", facts(), ["reopen"]),
    ],
)
def test_allowed_triggers_follow_the_state_and_the_facts(state, case_facts, allowed):
    assert case_lifecycle.bind(Case(state), case_facts).allowed_triggers() == allowed


def test_refusals_explain_the_buttons_shown_disabled():
    m = case_lifecycle.bind(Case("intervention"), facts(risk="red"))
    refusals = m.refusals()
    assert set(refusals) == {"start_monitoring", "deactivate", "close"}
    assert {err.code for err in refusals.values()} == {"not_red"}


def test_conditions_on_facts_need_facts():
    with pytest.raises(TypeError, match="needs facts"):
        case_lifecycle.bind(Case("registered")).fire("start_assessment")


def test_bind_returns_a_real_transitions_machine_with_the_conditions_installed():
    case = Case("intervention")
    m = case_lifecycle.bind(case, facts(open_task_count=1))
    assert isinstance(m, Machine)
    assert m.auto_transitions is False
    assert m.send_event is True
    assert m.model_attribute == "status"
    assert m.models == [case]
    # The helpers transitions adds to the model consult the same conditions.
    assert case.may_deactivate(reason="unreachable") is True
    assert case.may_close(closure_reason="goals_achieved") is False
    assert case.is_status_intervention() is True
    assert not hasattr(case, "to_closed")


def test_rebinding_replaces_the_helpers_left_by_the_previous_binding():
    case = Case("registered")
    case_lifecycle.bind(case, facts(case_manager_assigned=False))
    assert case.may_start_assessment() is False
    case_lifecycle.bind(case, facts(case_manager_assigned=True))
    assert case.may_start_assessment() is True


def test_case_and_risk_machines_can_be_bound_to_the_same_object():
    from workflows import risk_profile

    case = Case("intervention", risk="green")
    lifecycle = case_lifecycle.bind(case, facts())
    risk = risk_profile.bind(case)
    risk.fire("raise_to_yellow", reason="school absences")
    lifecycle.fire("start_monitoring")
    assert (case.status, case.risk) == ("monitoring", "yellow")
    assert case.may_deactivate(reason="x") is True


def test_outcome_keeps_the_inputs_for_the_history_row():
    outcome = case_lifecycle.bind(Case("closed"), facts()).fire("reopen", reason="new referral")
    assert outcome.trigger == "reopen"
    assert outcome.kwargs == {"reason": "new referral"}


def test_labels_follow_the_glossary():
    labels = {state: label["lv"] for state, label in case_lifecycle.STATUS_LABELS.items()}
    assert labels == {
        "registered": "reģistrēta",
        "assessment": "izvērtēšana",
        "intervention": "intervence (aktīva sadarbība)",
        "crisis": "krīze",
        "monitoring": "pēcnovērošana",
        "inactive": "neaktīva sadarbība",
        "closed": "slēgta",
    }
    m = case_lifecycle.bind(Case("monitoring"), facts())
    assert m.label("en") == "follow-up (monitoring)"
