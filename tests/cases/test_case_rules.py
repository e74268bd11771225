"""The case lifecycle and risk rules of DESIGN.md §4 through the service layer."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from casework.auth.operations import OperationRefused
from casework.cases import operations as ops
from casework.cases.models import Case, CaseEvent
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.models import CooperationGroup, Decision, Meeting
from casework.tasks.models import Task
from casework.tasks.operations import cancel_task, complete_task
from tests.conftest import audit_actions


def _events(case):
    return [(e.machine, e.trigger, e.from_state, e.to_state) for e in db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))]


def _open_tasks(case):
    return list(db.session.scalars(select(Task).where(Task.case_id == case.id,
                                                      Task.status == "open")))


def test_case_number_is_year_slash_four_digits_and_unique_per_municipality(make_case):
    first, second = make_case(), make_case()
    year = first.opened_at.year
    assert first.number == f"{year}/0001"
    assert second.number == f"{year}/0002"


def test_case_numbering_restarts_each_year(make_case):
    old = make_case(at=datetime(2025, 12, 31, 12, 0, tzinfo=UTC))
    new = make_case(at=datetime(2026, 1, 2, 12, 0, tzinfo=UTC))
    assert (old.number, new.number) == ("2025/0001", "2026/0001")


def test_new_case_has_its_interprofessional_group_led_by_the_case_manager(make_case,
                                                                          case_manager):
    case = make_case()
    group = db.session.scalar(select(CooperationGroup).where(CooperationGroup.case_id == case.id))
    assert group.kind == "interprofessional"
    assert group.lead_id == case_manager.id
    assert [m.user_id for m in group.members] == [case_manager.id]


def test_leaving_registered_needs_a_case_manager(make_case):
    case = make_case()
    case.case_manager_id = None
    db.session.flush()
    head = _head(case)
    with pytest.raises(OperationRefused, match="gadījuma vadītājs"):
        ops.transition_case(head, case, "start_assessment")


def _head(case):
    from casework.auth.models import User

    head = User(email="head@example.lv", full_name="Vadītāja",
                institution_id=case.owner_institution_id)
    head.roles = ["head_of_service"]
    head.set_password("x" * 12)
    db.session.add(head)
    db.session.flush()
    return head


def test_every_transition_writes_the_history_and_the_audit_log(make_case, case_manager):
    case = make_case(risk="green")
    ops.transition_case(case_manager, case, "start_assessment")
    ops.transition_case(case_manager, case, "start_intervention")
    ops.transition_case(case_manager, case, "start_monitoring")
    ops.transition_case(case_manager, case, "deactivate", reason="Ģimene izbraukusi")
    ops.transition_case(case_manager, case, "resume_monitoring")
    ops.transition_case(case_manager, case, "close", closure_reason="goals_achieved")
    ops.transition_case(case_manager, case, "reopen", reason="Jauns ziņojums")
    lifecycle = [e[1:] for e in _events(case) if e[0] == "lifecycle"]
    assert lifecycle == [
        ("opened", None, "registered"),
        ("start_assessment", "registered", "assessment"),
        ("start_intervention", "assessment", "intervention"),
        ("start_monitoring", "intervention", "monitoring"),
        ("deactivate", "monitoring", "inactive"),
        ("resume_monitoring", "inactive", "monitoring"),
        ("close", "monitoring", "closed"),
        ("reopen", "closed", "assessment"),
    ]
    assert audit_actions().count("case_transition") == 7
    assert case.closed_at is None and case.closure_reason is None


def test_red_case_cannot_be_closed(make_case, case_manager):
    case = make_case(risk="red", status="intervention")
    for task in _open_tasks(case):
        cancel_task(case_manager, task, "Nav vajadzīgs")
    with pytest.raises(OperationRefused, match="sarkan"):
        ops.transition_case(case_manager, case, "close", closure_reason="goals_achieved")
    assert case.status == "intervention"


@pytest.mark.parametrize("trigger", ["deactivate", "start_monitoring"])
def test_red_case_cannot_go_inactive_or_to_monitoring(make_case, case_manager, trigger):
    case = make_case(risk="red", status="intervention")
    with pytest.raises(OperationRefused):
        ops.transition_case(case_manager, case, trigger, reason="Iemesls")
    assert case.status == "intervention"


def test_closing_needs_every_open_task_closed_or_cancelled(make_case, case_manager):
    case = make_case(risk="yellow", status="intervention")
    [task] = _open_tasks(case)  # "convene the group", created for a new yellow case
    with pytest.raises(OperationRefused, match="uzdevum"):
        ops.transition_case(case_manager, case, "close", closure_reason="goals_achieved")
    complete_task(case_manager, task, "Sanāksme notika")
    ops.transition_case(case_manager, case, "close", closure_reason="goals_achieved")
    assert case.status == "closed" and case.closed_at is not None


def test_closing_with_other_reason_needs_a_text(make_case, case_manager):
    case = make_case(risk="green", status="intervention")
    with pytest.raises(OperationRefused):
        ops.transition_case(case_manager, case, "close", closure_reason="other")
    ops.transition_case(case_manager, case, "close", closure_reason="other",
                        closure_reason_text="Ģimene pārcēlās uz ārzemēm")
    assert case.closure_reason_text == "Ģimene pārcēlās uz ārzemēm"


def test_closing_needs_a_reason_from_the_fixed_list(make_case, case_manager):
    case = make_case(risk="green", status="intervention")
    with pytest.raises(OperationRefused):
        ops.transition_case(case_manager, case, "close", closure_reason="bored")


def test_reopening_needs_a_reason(make_case, case_manager):
    case = make_case(risk="green", status="closed")
    with pytest.raises(OperationRefused):
        ops.transition_case(case_manager, case, "reopen")
    ops.transition_case(case_manager, case, "reopen", reason="Jauns ziņojums no skolas")
    assert case.status == "assessment"


def test_going_inactive_needs_a_reason(make_case, case_manager):
    case = make_case(risk="green", status="intervention")
    with pytest.raises(OperationRefused):
        ops.transition_case(case_manager, case, "deactivate")


def test_entering_crisis_sets_the_risk_red_and_asks_to_convene_the_group(make_case,
                                                                        case_manager):
    case = make_case(risk="green", status="intervention")
    at = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # a Friday
    ops.transition_case(case_manager, case, "escalate_crisis", reason="Vardarbība", at=at)
    assert case.status == "crisis" and case.risk == "red"
    assert case.crisis_started_at == at
    assert ("risk", "raise_to_red", "green", "red") in _events(case)
    [task] = _open_tasks(case)
    # 2 working days after Friday 20 November: Tuesday 24 November.
    assert task.due_date == date(2026, 11, 24)
    assert task.assignee_id == case_manager.id


def test_leaving_crisis_needs_a_group_meeting_held_after_the_crisis_began(make_case,
                                                                          case_manager):
    case = make_case(risk="yellow", status="crisis")
    with pytest.raises(OperationRefused, match="sanāksm"):
        ops.transition_case(case_manager, case, "resolve_crisis")
    group = ops.case_group(case)
    before = case.crisis_started_at - timedelta(days=1)
    db.session.add(Meeting(group_id=group.id, starts_at=before, ends_at=before + timedelta(hours=1),
                           status="held", held_at=before))
    db.session.flush()
    with pytest.raises(OperationRefused):
        ops.transition_case(case_manager, case, "resolve_crisis")
    after = case.crisis_started_at + timedelta(hours=2)
    db.session.add(Meeting(group_id=group.id, starts_at=after, ends_at=after + timedelta(hours=1),
                           status="held", held_at=after))
    db.session.flush()
    ops.transition_case(case_manager, case, "resolve_crisis")
    assert case.status == "intervention"


def test_raising_the_risk_needs_a_reason(make_case, case_manager):
    case = make_case(risk="green")
    with pytest.raises(OperationRefused):
        ops.change_risk(case_manager, case, "raise_to_yellow", reason="")
    ops.change_risk(case_manager, case, "raise_to_yellow", reason="Skolas kavējumi")
    assert case.risk == "yellow"


def test_lowering_from_red_needs_a_decision_of_the_cases_group(make_case, case_manager):
    case = make_case(risk="red", status="intervention")
    with pytest.raises(OperationRefused):
        ops.change_risk(case_manager, case, "lower_to_yellow", reason="Situācija uzlabojusies")
    other = make_case(risk="green")
    foreign = Decision(group_id=ops.case_group(other).id, number="X-1", year=2026, text="t",
                       published_at=utcnow())
    own = Decision(group_id=ops.case_group(case).id, number="IG-1", year=2026, text="Samazināt",
                   published_at=utcnow())
    db.session.add_all([foreign, own])
    db.session.flush()
    with pytest.raises(OperationRefused):
        ops.change_risk(case_manager, case, "lower_to_yellow", reason="Uzlabojies",
                        decision_id=foreign.id)
    ops.change_risk(case_manager, case, "lower_to_yellow", reason="Uzlabojies",
                    decision_id=own.id)
    assert case.risk == "yellow"
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.trigger == "lower_to_yellow"))
    assert event.decision_id == own.id


def test_green_case_may_turn_red_directly_and_gets_a_convening_task(make_case, case_manager):
    case = make_case(risk="green")
    assert _open_tasks(case) == []
    ops.change_risk(case_manager, case, "raise_to_red", reason="Policijas ziņojums")
    assert case.risk == "red"
    assert [t.title for t in _open_tasks(case)] == [ops.CONVENE_TASK_TITLE]


@pytest.mark.parametrize("risk,days", [("red", 14), ("yellow", 42), ("green", 91)])
def test_next_review_date_follows_the_colour(make_case, risk, days):
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    case = make_case(risk=risk, at=at)
    assert case.next_review_due == date(2026, 3, 2) + timedelta(days=days)


def test_case_history_is_append_only(make_case):
    case = make_case()
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id))
    event.reason = "changed"
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(CaseEvent, event.id))
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_a_stale_form_version_is_refused(make_case, case_manager):
    case = make_case(risk="green")
    old_version = case.version
    ops.transition_case(case_manager, case, "start_assessment", expected_version=old_version)
    with pytest.raises(ops.StaleCase):
        ops.transition_case(case_manager, case, "start_intervention",
                            expected_version=old_version)
    assert case.status == "assessment"


def test_only_the_case_manager_or_the_head_may_change_the_case(make_case, make_user):
    case = make_case()
    outsider = make_user("case_manager")
    with pytest.raises(OperationRefused):
        ops.transition_case(outsider, case, "start_assessment")
    assert db.session.get(Case, case.id).status == "registered"


def test_a_case_review_sets_the_next_review_by_the_colour(make_case, case_manager):
    case = make_case(risk="yellow", at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    ops.record_review(case_manager, case, summary="Situācija stabila",
                      at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    assert case.next_review_due == date(2026, 3, 2) + timedelta(days=42)
    assert ("case", "reviewed", None, None) in _events(case)
    with pytest.raises(OperationRefused):
        ops.record_review(case_manager, case, summary=" ")


def test_the_closing_refusal_links_to_the_open_tasks_it_counts(client, make_case, case_manager):
    """Issue 11.6: "close" is blocked by open tasks; the page lists them with links."""
    case = make_case("yellow", status="assessment")
    task = db.session.scalar(select(Task).where(Task.case_id == case.id))
    client.login(case_manager.email)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    start = html.index('class="blocked"')
    block = html[start:html.index("</div>", start)]
    assert f'href="/tasks/{task.id}"' in block
