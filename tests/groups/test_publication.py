"""Approving the minutes: decisions numbered per group and year, tasks issued, participants
notified once, the client's participation recorded."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from casework.cases.models import ClientParticipation
from casework.extensions import db
from casework.groups import operations as ops
from casework.groups.models import Decision
from casework.notifications.models import Notification
from casework.tasks.models import Task
from tests.groups.conftest import at, hold


@pytest.fixture
def member(make_user, make_institution):
    return make_user("specialist", institution=make_institution("orphans_court"))


def _approved(coordinator, make_meeting, group, member, starts, texts):
    meeting = make_meeting(group, starts=starts, invite=[member])
    hold(coordinator, meeting)
    for text in texts:
        ops.add_decision(coordinator, meeting, kind="decision", text=text)
    ops.approve_minutes(coordinator, meeting)
    db.session.commit()
    return meeting


def test_decisions_are_numbered_per_group_and_year_in_creation_order(
        coordinator, make_group, make_meeting, member):
    first, second = make_group("Pirmā", members=[member]), make_group("Otrā", members=[member])
    m1 = _approved(coordinator, make_meeting, first, member, at(2026, 2, 3), ["a", "b"])
    _approved(coordinator, make_meeting, second, member, at(2026, 2, 4), ["c"])
    m3 = _approved(coordinator, make_meeting, first, member, at(2026, 3, 3), ["d"])
    numbers = dict(db.session.execute(select(Decision.text, Decision.number)).all())
    assert numbers == {"a": "SG-2026/01", "b": "SG-2026/02", "c": "SG-2026/01",
                       "d": "SG-2026/03"}
    assert all(d.published_at and d.status == "pending" for d in
               db.session.scalars(select(Decision)))
    assert m1.status == m3.status == "minutes_approved"


def test_numbering_follows_the_meetings_year_in_riga_time(
        coordinator, make_group, make_meeting, member):
    group = make_group(members=[member])
    # 31 December 23:30 in UTC is already 1 January in Riga.
    from datetime import UTC, datetime

    _approved(coordinator, make_meeting, group, member, at(2025, 12, 30), ["old"])
    _approved(coordinator, make_meeting, group, member,
              datetime(2025, 12, 31, 22, 30, tzinfo=UTC), ["new"])
    rows = dict(db.session.execute(select(Decision.text, Decision.number)).all())
    assert rows == {"old": "SG-2025/01", "new": "SG-2026/01"}


def test_approval_issues_tasks_and_notifies_participants_once_even_if_retried(
        coordinator, make_group, make_meeting, member):
    group = make_group(members=[member])
    meeting = make_meeting(group, invite=[member])
    hold(coordinator, meeting)
    decision = ops.add_decision(coordinator, meeting, kind="proposal_state", text="Priekšlikums")
    task = ops.add_task(coordinator, meeting, title="Sagatavot vēstuli", assignee=member,
                        due_date=date.today() + timedelta(days=10), decision_id=decision.id)
    db.session.commit()
    assert task.issued_at is None
    ops.approve_minutes(coordinator, meeting, expected_version=meeting.version)
    db.session.commit()
    assert task.issued_at is not None and decision.number.startswith("SG-")
    with pytest.raises(ops.OperationRefused):
        ops.approve_minutes(coordinator, meeting)
    db.session.rollback()
    # Notifying again with the same key adds nothing.
    assert ops.notify_many([member.id], "minutes_approved", "x", None,
                           f"minutes_approved:m{meeting.id}") == 0
    rows = db.session.scalars(select(Notification).where(
        Notification.kind == "minutes_approved")).all()
    assert sorted(n.user_id for n in rows) == sorted({member.id, coordinator.id})
    assert all("Anna" not in n.text for n in rows)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "task_issued", Notification.user_id == member.id)) == 1


def test_interprofessional_approval_records_the_clients_participation(
        make_case, case_manager, make_user, make_institution):
    from casework.cases import operations as case_ops

    case = make_case()
    school = make_user("specialist", institution=make_institution("school"))
    case_ops.add_group_member(case_manager, case, school)
    group = case_ops.case_group(case)
    starts = at(2026, 4, 7)
    meeting = ops.plan_meeting(case_manager, group, starts_at=starts,
                               ends_at=starts + timedelta(hours=1),
                               invite_ids=[case_manager.id, school.id])
    ops.add_agenda_item(case_manager, meeting, kind="goal", text="Drošība skolā")
    ops.record_attendance(case_manager, meeting, {case_manager.id: "attended",
                                                  school.id: "excused"})
    ops.mark_held(case_manager, meeting)
    ops.save_minutes(case_manager, meeting, minutes="Vienojāmies.", participation={
        "client_took_part": True, "client_informed": True, "client_opinion": "Piekrīt",
        "child_took_part": False, "child_informed": True, "child_opinion": "Grib palikt"})
    decision = ops.add_decision(case_manager, meeting, kind="decision", text="Psihologs")
    ops.add_task(case_manager, meeting, title="Pieteikt", assignee=school,
                 due_date=date(2026, 4, 20))
    ops.approve_minutes(case_manager, meeting)
    db.session.commit()
    assert decision.number == "SPG-2026/01"
    row = db.session.scalar(select(ClientParticipation))
    assert (row.decision_id, row.informed, row.informed_on, row.opinion) == (
        decision.id, True, date(2026, 4, 7), "Piekrīt")
    task = db.session.scalar(select(Task).where(Task.meeting_id == meeting.id))
    assert task.case_id == case.id and task.issued_at is not None
    assert meeting.child_opinion == "Grib palikt"


def test_the_meeting_page_links_each_issued_task_to_its_page(client, coordinator, make_group,
                                                             member, make_meeting):
    group = make_group(members=[member])
    meeting = make_meeting(group, invite=[member])
    hold(coordinator, meeting)
    task = ops.add_task(coordinator, meeting, title="Sagatavot pārskatu", assignee=member,
                        due_date=date.today() + timedelta(days=14))
    db.session.commit()
    client.login(coordinator.email)
    draft = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'href="/tasks/{task.id}"' not in draft  # a draft is nobody's task yet
    ops.approve_minutes(coordinator, meeting)
    db.session.commit()
    issued = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'<a href="/tasks/{task.id}">Sagatavot pārskatu</a>' in issued


def test_the_minutes_show_each_items_decisions_and_tasks_inline(client, coordinator,
                                                                 make_group, member,
                                                                 make_meeting):
    group = make_group(members=[member])
    meeting = make_meeting(group, invite=[member])
    item = meeting.agenda[0]
    other = ops.add_agenda_item(coordinator, meeting, kind="item", text="Dažādi")
    db.session.commit()
    hold(coordinator, meeting)
    ops.add_decision(coordinator, meeting, kind="decision", text="Sadarbības plāns apstiprināts",
                     agenda_item_id=item.id)
    ops.add_task(coordinator, meeting, title="Izsūtīt plānu", assignee=member,
                 due_date=date.today() + timedelta(days=7), agenda_item_id=item.id)
    db.session.commit()
    client.login(coordinator.email)
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    minutes = html[html.index('id="minutes-h"'):html.index('id="decisions-h"')]
    first = minutes[minutes.index(item.text):minutes.index(other.text)]
    assert "Sadarbības plāns apstiprināts" in first and "Izsūtīt plānu" in first
    assert "Izsūtīt plānu" not in minutes[minutes.index(other.text):]
    # The agenda lists the items only: their outcomes are in the minutes, once.
    agenda = html[html.index('id="agenda-h"'):html.index('id="minutes-h"')]
    assert "Izsūtīt plānu" not in agenda
