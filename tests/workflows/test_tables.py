"""Every machine's table is consistent data: known states, known conditions, labels, no
automatic transitions."""

from __future__ import annotations

import enum

import pytest
from transitions import Machine

from workflows import annual_report, case_lifecycle, decision, meeting, risk_profile, task
from workflows.labels import Label

MODULES = [case_lifecycle, risk_profile, task, meeting, decision, annual_report]
IDS = [m.__name__.rsplit(".", 1)[1] for m in MODULES]


class Row:
    """A bare object standing in for an ORM row."""


def _bound(module):
    obj = Row()
    setattr(obj, module.SPEC.attribute, str(module.SPEC.initial))
    return obj, module.bind(obj)


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_states_are_a_str_enum(module):
    assert issubclass(module.SPEC.states, enum.StrEnum)
    assert module.SPEC.initial in set(module.SPEC.states)


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_transitions_refer_only_to_declared_states(module):
    states = {s.value for s in module.SPEC.states}
    for row in module.TRANSITIONS:
        assert set(row) == {"trigger", "source", "dest", "conditions"}, row
        assert {str(s) for s in row["source"]} <= states, row
        assert str(row["dest"]) in states, row


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_transitions_refer_only_to_declared_conditions(module):
    for row in module.TRANSITIONS:
        for code in row["conditions"]:
            assert code in module.CONDITIONS, (row["trigger"], code)
            assert module.CONDITIONS[code].code == code


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_each_trigger_leaves_each_state_at_most_once(module):
    pairs = [(str(s), row["trigger"]) for row in module.TRANSITIONS for s in row["source"]]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_every_state_is_reachable_from_the_initial_state(module):
    reached, frontier = set(), {str(module.SPEC.initial)}
    while frontier:
        reached |= frontier
        frontier = {
            str(row["dest"])
            for row in module.TRANSITIONS
            if {str(s) for s in row["source"]} & reached
        } - reached
    assert reached == {s.value for s in module.SPEC.states}


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_every_state_trigger_and_condition_has_latvian_and_english_text(module):
    for state in module.SPEC.states:
        label = module.SPEC.state_labels[state]
        assert label["lv"] and label["en"]
    assert set(module.SPEC.trigger_labels) == set(module.SPEC.triggers())
    for label in module.SPEC.trigger_labels.values():
        assert label["lv"] and label["en"]
    for condition in module.CONDITIONS.values():
        assert isinstance(condition.message, Label), condition.code
        assert condition.message["lv"] and condition.message["en"]
        assert condition.message["lv"] != condition.message["en"], condition.code


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_bind_gives_a_transitions_machine_without_auto_transitions(module):
    obj, machine = _bound(module)
    assert isinstance(machine, Machine)
    assert machine.auto_transitions is False
    assert machine.model_attribute == module.SPEC.attribute
    assert machine.send_event is True
    assert not [name for name in vars(obj) if name.startswith("to_")]
    assert set(machine.events) == set(module.SPEC.triggers())


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_reason_required_is_derived_from_the_table(module):
    assert module.REASON_REQUIRED <= set(module.SPEC.triggers())
    for trigger in module.REASON_REQUIRED:
        assert "reason" in module.TRIGGER_INPUTS[trigger]
