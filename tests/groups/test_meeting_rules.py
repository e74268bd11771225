"""Meeting workflow through the service layer: every transition and every refusal."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from casework.auth.operations import OperationRefused
from casework.extensions import db
from casework.groups import operations as ops
from casework.groups.models import Decision
from casework.tasks.models import Task
from tests.conftest import audit_actions
from tests.groups.conftest import hold


@pytest.fixture
def member(make_user, make_institution):
    return make_user("specialist", institution=make_institution("school"))


@pytest.fixture
def group(make_group, member):
    return make_group(members=[member])


def test_meeting_is_held_with_a_goal_and_attendance_and_held_at_is_set(
        coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member])
    hold(coordinator, meeting)
    assert meeting.status == "held" and meeting.held_at is not None
    assert "meeting_held" in audit_actions()


def test_meeting_cannot_be_held_without_a_goal(coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member], goal=False, started=True)
    ops.record_attendance(coordinator, meeting, {member.id: "attended"})
    with pytest.raises(OperationRefused) as refused:
        ops.mark_held(coordinator, meeting)
    assert "mērķim" in str(refused.value.message)
    assert meeting.status == "planned"


def test_meeting_cannot_be_held_before_attendance_is_recorded(
        coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member], started=True)
    with pytest.raises(OperationRefused) as refused:
        ops.mark_held(coordinator, meeting)
    assert "piedalījās" in str(refused.value.message)


def test_minutes_cannot_be_approved_before_they_are_written(
        coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member])
    hold(coordinator, meeting, minutes=None)
    with pytest.raises(OperationRefused) as refused:
        ops.approve_minutes(coordinator, meeting)
    assert "Protokolu" in str(refused.value.message)
    assert meeting.status == "held"


def test_minutes_cannot_be_approved_while_the_meeting_is_planned(
        coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member])
    ops.save_minutes(coordinator, meeting, minutes="Teksts")
    with pytest.raises(OperationRefused):
        ops.approve_minutes(coordinator, meeting)


def test_cancelling_needs_a_reason_and_notifies_the_invited(
        coordinator, group, member, make_meeting):
    from casework.notifications.models import Notification

    meeting = make_meeting(group, invite=[member])
    with pytest.raises(OperationRefused) as refused:
        ops.cancel_meeting(coordinator, meeting, reason="  ")
    assert "iemesls" in str(refused.value.message)
    ops.cancel_meeting(coordinator, meeting, reason="Koordinatore slima")
    assert meeting.status == "cancelled" and meeting.cancel_reason == "Koordinatore slima"
    kinds = set(db.session.scalars(select(Notification.kind)
                                   .where(Notification.user_id == member.id)))
    assert kinds == {"meeting_invited", "meeting_cancelled"}


def test_approved_minutes_are_locked_and_nothing_can_be_added(
        coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member])
    hold(coordinator, meeting)
    ops.approve_minutes(coordinator, meeting)
    db.session.commit()
    for change in (
        lambda: ops.save_minutes(coordinator, meeting, minutes="Cits"),
        lambda: ops.add_agenda_item(coordinator, meeting, kind="goal", text="X"),
        lambda: ops.add_decision(coordinator, meeting, kind="decision", text="X"),
        lambda: ops.add_task(coordinator, meeting, title="X", assignee=member,
                             due_date=date.today()),
        lambda: ops.record_attendance(coordinator, meeting, {member.id: "absent"}),
    ):
        with pytest.raises(OperationRefused) as refused:
            change()
        assert "locked" in str(refused.value.message) or "slēgts" in str(refused.value.message)
    assert meeting.minutes == "Protokola teksts."


def test_cancelled_meeting_minutes_are_locked(coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member])
    ops.cancel_meeting(coordinator, meeting, reason="Nav kvoruma")
    with pytest.raises(OperationRefused):
        ops.save_minutes(coordinator, meeting, minutes="X")


def test_meeting_that_ends_before_it_starts_is_refused(coordinator, group, make_meeting):
    meeting = make_meeting(group)
    with pytest.raises(OperationRefused) as refused:
        ops.update_meeting(coordinator, meeting, starts_at=meeting.starts_at,
                           ends_at=meeting.starts_at - timedelta(minutes=5), kind="regular",
                           title=None, place=None, online_link=None, chair_id=None,
                           minute_taker_id=None)
    assert "beigu" in str(refused.value.message)


def test_rescheduling_keeps_the_meeting_planned_and_notifies_the_invited(
        coordinator, group, member, make_meeting):
    from casework.notifications.models import Notification

    meeting = make_meeting(group, invite=[member])
    later = meeting.starts_at + timedelta(days=2)
    moved = ops.update_meeting(coordinator, meeting, starts_at=later,
                               ends_at=later + timedelta(hours=1), kind="regular", title=None,
                               place="Zāle", online_link=None, chair_id=coordinator.id,
                               minute_taker_id=None, expected_version=meeting.version)
    db.session.commit()
    assert moved and meeting.status == "planned"
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == member.id, Notification.kind == "meeting_rescheduled")) == 1


def test_stale_version_is_refused(coordinator, group, make_meeting):
    meeting = make_meeting(group)
    with pytest.raises(ops.StaleMeeting):
        ops.save_minutes(coordinator, meeting, minutes="X", expected_version=meeting.version + 1)


def test_task_needs_an_assignee_and_a_deadline(coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member])
    with pytest.raises(OperationRefused):
        ops.add_task(coordinator, meeting, title="Sagatavot", assignee=None,
                     due_date=date.today())
    with pytest.raises(OperationRefused):
        ops.add_task(coordinator, meeting, title="Sagatavot", assignee=member, due_date=None)
    task = ops.add_task(coordinator, meeting, title="Sagatavot", assignee=member,
                        due_date=date.today() + timedelta(days=7))
    assert task.issued_at is None and task.assignee_institution_id == member.institution_id


def test_decision_and_task_drafts_can_be_edited_and_removed_while_held(
        coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member])
    hold(coordinator, meeting)
    decision = ops.add_decision(coordinator, meeting, kind="decision", text="Pirmais")
    assert decision.status == "pending" and decision.number is None
    ops.update_decision(coordinator, meeting, decision.id, kind="proposal_state",
                        text="Labots", responsible_institution_id=member.institution_id,
                        due_date=date.today())
    assert decision.kind == "proposal_state" and decision.text == "Labots"
    task = ops.add_task(coordinator, meeting, title="T", assignee=member,
                        due_date=date.today(), decision_id=decision.id)
    ops.remove_decision(coordinator, meeting, decision.id)
    ops.remove_task(coordinator, meeting, task.id)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0
    assert db.session.scalar(select(func.count()).select_from(Task)) == 0


def test_only_the_coordinator_or_lead_manages_strategic_meetings(
        group, member, make_meeting):
    from casework.cases.operations import AccessRefused

    meeting = make_meeting(group, invite=[member])
    with pytest.raises(AccessRefused):
        ops.add_agenda_item(member, meeting, kind="goal", text="X")


def test_meeting_cannot_be_held_before_it_starts(coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member])  # three days ahead
    ops.record_attendance(coordinator, meeting, {member.id: "attended"})
    with pytest.raises(OperationRefused) as refused:
        ops.mark_held(coordinator, meeting)
    assert "pirms tās sākuma" in str(refused.value.message)
    assert meeting.status == "planned"


def test_meeting_page_shows_its_steps_with_everything_still_missing(
        client, coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member], goal=False)
    client.login(coordinator.email)
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    stepper = html[html.index('<ol class="stepper"'):]
    stepper = stepper[:stepper.index("</ol>\n")]
    names = re.findall(r'<span class="step-name">([^<]+)</span>', stepper)
    assert names == ["Plānot", "Uzaicināt", "Dalība", "Notikusi", "Protokols", "Apstiprināt"]
    # Every reason the meeting cannot be held yet, at once, not only the first.
    for reason in ("pirms tās sākuma", "vismaz vienam mērķim", "kas sanāksmē piedalījās"):
        assert reason in stepper, reason
    assert 'aria-current="step"' in stepper
