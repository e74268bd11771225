"""Execution of published decisions: transitions, progress entries, who may record them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.auth.operations import OperationRefused
from casework.cases.operations import AccessRefused
from casework.decisions import operations as ops
from casework.extensions import db
from casework.groups.models import Decision, DecisionProgress
from tests.conftest import audit_actions
from tests.decisions.conftest import today


@pytest.fixture
def world(make_user, make_institution, make_group, make_decision, coordinator):
    school = make_institution("school", name="Skola")
    police = make_institution("municipal_police", name="Policija")
    teacher = make_user("specialist", institution=school, full_name="Skolotāja")
    officer = make_user("specialist", institution=police, full_name="Policists")
    outsider = make_user("specialist", institution=school, full_name="Nav grupā")
    group = make_group(members=[teacher, officer])
    decision = make_decision(group, institution=school, due=today() + timedelta(days=10))
    return {"school": school, "teacher": teacher, "officer": officer, "outsider": outsider,
            "group": group, "decision": decision, "coordinator": coordinator}


def _entries(decision):
    return db.session.scalars(select(DecisionProgress).where(
        DecisionProgress.decision_id == decision.id).order_by(DecisionProgress.id)).all()


def test_start_execution_moves_pending_to_in_progress_with_a_progress_entry(world):
    decision = world["decision"]
    ops.advance_decision(world["coordinator"], decision, "start_execution", note="Sākām darbu")
    db.session.commit()
    assert decision.status == "in_progress"
    [entry] = _entries(decision)
    assert (entry.text, entry.status_after, entry.on) == ("Sākām darbu", "in_progress", today())
    assert entry.author_id == world["coordinator"].id
    assert "decision_start_execution" in audit_actions()


def test_mark_executed_after_start_writes_a_second_entry(world):
    decision = world["decision"]
    ops.advance_decision(world["teacher"], decision, "start_execution")
    ops.advance_decision(world["teacher"], decision, "mark_executed",
                         on=today() - timedelta(days=1))
    db.session.commit()
    assert decision.status == "executed"
    entries = _entries(decision)
    assert [e.status_after for e in entries] == ["in_progress", "executed"]
    assert entries[1].on == today() - timedelta(days=1)
    assert entries[0].text  # the trigger's label when no note is given


def test_executing_a_pending_decision_needs_a_start_first(world):
    with pytest.raises(OperationRefused):
        ops.advance_decision(world["coordinator"], world["decision"], "mark_executed")


def test_not_executed_without_a_reason_is_refused(world):
    with pytest.raises(OperationRefused) as refused:
        ops.advance_decision(world["coordinator"], world["decision"], "mark_not_executed",
                             reason="   ")
    assert getattr(refused.value, "code", None) == "reason_required"
    db.session.rollback()
    assert db.session.get(Decision, world["decision"].id).status == "pending"
    assert _entries(world["decision"]) == []


def test_not_executed_stores_the_reason(world):
    decision = world["decision"]
    ops.advance_decision(world["coordinator"], decision, "mark_not_executed",
                         reason="Finansējums netika piešķirts")
    db.session.commit()
    assert decision.status == "not_executed"
    assert decision.not_executed_reason == "Finansējums netika piešķirts"
    assert _entries(decision)[0].text == "Finansējums netika piešķirts"


@pytest.mark.parametrize("trigger", ["start_execution", "mark_executed", "mark_not_executed"])
def test_executed_is_final(world, trigger):
    decision = world["decision"]
    ops.advance_decision(world["coordinator"], decision, "start_execution")
    ops.advance_decision(world["coordinator"], decision, "mark_executed")
    with pytest.raises(OperationRefused):
        ops.advance_decision(world["coordinator"], decision, trigger, reason="Tomēr ne")
    with pytest.raises(OperationRefused):
        ops.add_progress(world["coordinator"], decision, on=today(), text="Vēl kas")


def test_a_transition_dated_in_the_future_is_refused(world):
    with pytest.raises(OperationRefused):
        ops.advance_decision(world["coordinator"], world["decision"], "start_execution",
                             on=today() + timedelta(days=1))


def test_progress_entry_keeps_the_status(world):
    decision = world["decision"]
    ops.add_progress(world["teacher"], decision, on=today(), text="Notika tikšanās ar skolu")
    db.session.commit()
    [entry] = _entries(decision)
    assert entry.status_after == "pending" and decision.status == "pending"
    assert "decision_progress_added" in audit_actions()


def test_progress_entry_in_the_future_is_refused(world):
    with pytest.raises(OperationRefused):
        ops.add_progress(world["teacher"], world["decision"], on=today() + timedelta(days=1),
                         text="Būs")


@pytest.mark.parametrize("text", ["", "   ", None])
def test_progress_entry_needs_a_text(world, text):
    with pytest.raises(OperationRefused):
        ops.add_progress(world["teacher"], world["decision"], on=today(), text=text)


def test_progress_entry_needs_a_date(world):
    with pytest.raises(OperationRefused):
        ops.add_progress(world["teacher"], world["decision"], on=None, text="Kas notika")


def test_user_of_another_institution_not_managing_the_group_is_refused(world):
    with pytest.raises(AccessRefused):
        ops.advance_decision(world["officer"], world["decision"], "start_execution")
    with pytest.raises(AccessRefused):
        ops.add_progress(world["officer"], world["decision"], on=today(), text="Teksts")


def test_user_of_the_responsible_institution_who_cannot_see_the_decision_is_refused(world):
    assert not ops.may_track_decision(world["outsider"], world["decision"])
    assert ops.may_track_decision(world["teacher"], world["decision"])
    assert ops.may_track_decision(world["coordinator"], world["decision"])


def test_a_draft_decision_is_not_tracked(world, make_decision):
    draft = make_decision(world["group"], published=False, institution=world["school"])
    with pytest.raises(OperationRefused):
        ops.advance_decision(world["coordinator"], draft, "start_execution")


def test_stale_version_is_refused(world):
    decision = world["decision"]
    old = decision.version
    ops.advance_decision(world["coordinator"], decision, "start_execution")
    db.session.commit()
    with pytest.raises(ops.StaleDecision):
        ops.add_progress(world["teacher"], decision, on=today(), text="Vecā forma",
                         expected_version=old)


def test_case_manager_tracks_the_decisions_of_the_case_group(make_case, case_manager,
                                                             make_decision):
    from casework.cases.operations import case_group

    case = make_case()
    decision = make_decision(case_group(case))
    ops.advance_decision(case_manager, decision, "start_execution")
    db.session.commit()
    assert decision.status == "in_progress"
