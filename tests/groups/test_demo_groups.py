"""``flask seed-demo`` also creates the strategic group's two years of structured meetings and
makes the demo cases' interprofessional meetings real (casework.demo_groups, demo_cases)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.models import (
    AgendaItem,
    Attendance,
    CooperationGroup,
    Decision,
    DecisionProgress,
    Meeting,
)
from casework.tasks.models import Task
from workflows.policy import local_date


@pytest.fixture
def seeded(app_ctx, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(CooperationGroup).where(CooperationGroup.kind == "strategic"))


def test_demo_strategic_group_has_members_from_every_required_institution(seeded):
    assert seeded.name == "Parauga novada stratēģiskās sadarbības grupa"
    assert seeded.lead.email == "coordinator@parauga-novads.lv"
    kinds = {m.institution.kind for m in seeded.members}
    assert {"social_service", "orphans_court", "state_police", "education_board", "school",
            "health_care"} <= kinds


def test_demo_strategic_meetings_span_two_years_with_supervision_and_every_state(seeded):
    meetings = db.session.scalars(select(Meeting).where(Meeting.group_id == seeded.id)).all()
    assert len(meetings) >= 12
    assert {m.status for m in meetings} == {"minutes_approved", "held", "planned"}
    assert sum(m.kind == "supervision" for m in meetings) >= 1
    planned = [m for m in meetings if m.status == "planned"]
    assert len(planned) == 1 and planned[0].starts_at - utcnow() < timedelta(days=15)
    for m in meetings:
        assert any(a.kind == "goal" for a in m.agenda)
        if m.status != "planned":
            assert m.minutes and any(a.status == "attended" for a in m.attendance)
            # Issue 18.4: the demo shows the minutes per agenda item.
            assert all(a.minutes for a in m.agenda)


def test_demo_strategic_decisions_are_in_every_execution_state_with_progress(seeded):
    rows = db.session.scalars(select(Decision).where(Decision.group_id == seeded.id,
                                                     Decision.published_at.is_not(None))).all()
    assert {d.status for d in rows} == {"pending", "in_progress", "executed", "not_executed"}
    assert {d.kind for d in rows} == {"decision", "proposal_municipality", "proposal_state"}
    assert all(d.number.startswith("SG-") for d in rows)
    assert all(d.not_executed_reason for d in rows if d.status == "not_executed")
    assert db.session.scalar(select(func.count()).select_from(DecisionProgress)) > 0
    today = local_date(utcnow())
    tasks = db.session.scalars(select(Task).where(Task.decision_id.in_([d.id for d in rows])))
    states = {(t.status, t.due_date < today) for t in tasks}
    assert {("done", True), ("open", True), ("open", False)} <= states


def test_demo_case_meetings_have_a_goal_attendance_and_approved_minutes(seeded):
    meetings = db.session.scalars(
        select(Meeting).join(CooperationGroup, CooperationGroup.id == Meeting.group_id)
        .where(CooperationGroup.kind == "interprofessional",
               Meeting.status != "planned")).all()
    assert meetings and all(m.status == "minutes_approved" and m.minutes for m in meetings)
    ids = [m.id for m in meetings]
    with_goal = set(db.session.scalars(select(AgendaItem.meeting_id).where(
        AgendaItem.meeting_id.in_(ids), AgendaItem.kind == "goal")))
    with_attendance = set(db.session.scalars(select(Attendance.meeting_id).where(
        Attendance.meeting_id.in_(ids), Attendance.status == "attended")))
    assert with_goal == with_attendance == set(ids)
    assert any(m.client_informed and m.client_opinion for m in meetings)
    assert all(a.minutes for m in meetings for a in m.agenda)


def test_demo_coordinator_opens_the_group_and_a_meeting(seeded, client):
    client.login("coordinator@parauga-novads.lv", "parauga-parole-2026")
    assert client.get("/groups").status_code == 200
    assert client.get(f"/groups/{seeded.id}").status_code == 200
    meeting = db.session.scalar(select(Meeting).where(Meeting.group_id == seeded.id,
                                                      Meeting.status == "held"))
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Apstiprināt protokolu" in html
