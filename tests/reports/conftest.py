"""A known year (2025) of one municipality, with every figure of the annual report known.

The story (Riga times; working days skip weekends and Latvian holidays):

Cases
- C1 opened 10.06.2024 green (carried over); yellow 10.03.2025; red 12.05.2025 (an escalation),
  its group met 13.05.2025 (1 working day, within the 2-day policy). Red at year end.
- C2 opened 04.11.2024 yellow, closed 16.12.2024, reopened 03.02.2025 (a reopened case),
  closed 06.10.2025 (moved to another municipality).
- C3 opened red by triage of R1 on 15.01.2025 (new; "opened red"), group met 20.01.2025
  (3 working days, after the deadline 17.01).
- C7 opened yellow by triage of R3 on 01.04.2025, closed 01.09.2025 (client refused, no risk).
- C4 opened 18.12.2025 green (new; crosses into 2026).
- C5 opened 2023 and closed 2024, C6 opened 2026: not in the year.

Referrals received in 2025: R1 school red (triaged same day), R2 state police green (no action
after 2 working days, late), R3 school yellow (1 working day), R4 school (untriaged).

Strategic group: members from 4 institution kinds in 2025 (the police member left in 2024);
meetings 12.03 (minutes approved), 11.06 (held, minutes not approved), 10.09, supervision
05.11; a cancelled meeting and a 2024 meeting. Decisions 2025: executed, in progress, pending,
a proposal to the municipality and one to the state.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from casework.cases import operations as ops
from casework.cases.models import ClientParticipation
from casework.extensions import db
from casework.groups.models import Attendance, CooperationGroup, Decision, GroupMember, Meeting
from casework.tasks.models import Task
from workflows.policy import RIGA

YEAR = 2025


def t(y, m, d, h=10, minute=0) -> datetime:
    """A moment in Riga time."""
    return datetime(y, m, d, h, minute, tzinfo=RIGA)


@pytest.fixture
def institutions(make_institution):
    return {kind: make_institution(kind, name=name) for kind, name in (
        ("social_service", "Sociālais dienests"), ("orphans_court", "Bāriņtiesa"),
        ("school", "Vidusskola"), ("state_police", "Valsts policija"),
        ("other", "Pašvaldības administrācija"))}


@pytest.fixture
def people(make_user, institutions):
    return {
        "manager": make_user("case_manager", institution=institutions["social_service"],
                             full_name="Gunta Vadītāja"),
        "coordinator": make_user("coordinator", institution=institutions["other"],
                                 full_name="Kristīne Koordinatore"),
        "head": make_user("head_of_service", institution=institutions["social_service"],
                          full_name="Vija Priekšniece"),
        "orphans": make_user("specialist", institution=institutions["orphans_court"]),
        "teacher": make_user("specialist", institution=institutions["school"]),
        "police": make_user("specialist", institution=institutions["state_police"]),
    }


def _case(manager, risk, at, categories=("neglect",), birth=None, code=None):
    child = {"given_name": "Anna", "family_name": "Bērziņa", "personal_code": code,
             "birth_date": birth}
    return ops.open_case(manager, municipality_id=manager.municipality_id, risk=risk,
                         categories=categories, case_manager=manager,
                         owner_institution_id=manager.institution_id, child=child, at=at)


def _close_tasks(case, at, status="cancelled"):
    for task in db.session.scalars(select(Task).where(Task.case_id == case.id,
                                                      Task.status == "open")):
        task.status, task.closed_at = status, at
    db.session.flush()


def _meeting(group, at, status="minutes_approved", kind="regular"):
    meeting = Meeting(group_id=group.id, kind=kind, starts_at=at, ends_at=at + timedelta(hours=1),
                      status=status, held_at=at + timedelta(hours=1)
                      if status in ("held", "minutes_approved") else None)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _decision(group, meeting, at, kind="decision", status="pending", year=YEAR):
    decision = Decision(group_id=group.id, meeting_id=meeting.id if meeting else None, kind=kind,
                        year=year, text="Lēmums", status=status, published_at=at)
    db.session.add(decision)
    db.session.flush()
    return decision


def _referral(user, at, urgency, categories, birth=None):
    return ops.file_referral(user, child_given_name="Jānis", child_family_name="Ozols",
                             child_personal_code=None, child_birth_date=birth,
                             categories=categories, description="Bažas", proposed_urgency=urgency,
                             at=at)


@pytest.fixture
def known_year(app_ctx, people, institutions, municipality):
    """Seed the story above; returns the people and the main objects."""
    m, p = people["manager"], people
    # -- cases ---------------------------------------------------------------------------------
    c1 = _case(m, "green", t(2024, 6, 10), ("neglect",), birth=date(2019, 3, 1))
    ops.add_person(m, c1, role="parent", given_name="Pēteris", family_name="Bērziņš",
                   personal_code=None, birth_date=date(1985, 1, 1), today=date(2024, 6, 11))
    ops.change_risk(m, c1, "raise_to_yellow", reason="Skola ziņo", at=t(2025, 3, 10))
    ops.change_risk(m, c1, "raise_to_red", reason="Vardarbība", at=t(2025, 5, 12))

    c2 = _case(m, "yellow", t(2024, 11, 4), ("school_absence",), birth=date(2012, 7, 7))
    _close_tasks(c2, t(2024, 11, 20))
    ops.transition_case(m, c2, "start_assessment", at=t(2024, 11, 5))
    ops.transition_case(m, c2, "close", closure_reason="goals_achieved", at=t(2024, 12, 16))
    ops.transition_case(m, c2, "reopen", reason="Atkal kavē skolu", at=t(2025, 2, 3))
    ops.transition_case(m, c2, "close", closure_reason="moved_municipality",
                        at=t(2025, 10, 6))

    r1 = _referral(p["teacher"], t(2025, 1, 15, 8), "red", ["violence"], birth=date(2015, 1, 1))
    c3 = ops.triage_referral(m, r1, outcome="new_case", risk="red", at=t(2025, 1, 15, 11))
    r2 = _referral(p["police"], t(2025, 3, 3, 9), "green", ["other"])
    ops.triage_referral(m, r2, outcome="no_action", reason="Nav pamata", at=t(2025, 3, 5, 9))
    r3 = _referral(p["teacher"], t(2025, 3, 31, 9), "yellow", ["neglect", "behaviour"])
    c7 = ops.triage_referral(m, r3, outcome="new_case", risk="yellow", at=t(2025, 4, 1, 10))
    _referral(p["teacher"], t(2025, 12, 30, 9), "green", ["neglect"])
    _referral(p["teacher"], t(2024, 12, 20, 9), "green", ["neglect"])
    _close_tasks(c7, t(2025, 8, 1))
    ops.transition_case(m, c7, "start_assessment", at=t(2025, 4, 2))
    ops.transition_case(m, c7, "close", closure_reason="client_refused_no_risk",
                        at=t(2025, 9, 1))

    c4 = _case(m, "green", t(2025, 12, 18), ("neglect",), birth=date(2007, 5, 5))
    c5 = _case(m, "green", t(2023, 5, 1), ("neglect",), birth=date(2010, 1, 1))
    ops.transition_case(m, c5, "start_assessment", at=t(2023, 5, 2))
    ops.transition_case(m, c5, "close", closure_reason="goals_achieved", at=t(2024, 3, 1))
    _case(m, "yellow", t(2026, 1, 12), ("violence",), birth=date(2016, 1, 1))

    # Tasks: C3's convene task done on time, C1's done late, C4's free task still open.
    c3_task = db.session.scalar(select(Task).where(Task.case_id == c3.id))
    c3_task.status, c3_task.closed_at = "done", t(2025, 1, 16)
    c1_task = db.session.scalar(select(Task).where(Task.case_id == c1.id))
    c1_task.status, c1_task.closed_at = "done", t(2025, 5, 20)
    db.session.add(Task(municipality_id=m.municipality_id, title="Mājas vizīte",
                        assignee_id=m.id, assignee_institution_id=m.institution_id,
                        due_date=date(2026, 1, 5), case_id=c4.id, issued_at=t(2025, 12, 19)))

    # Interprofessional meetings and decisions with client participation.
    g1, g3 = ops.case_group(c1), ops.case_group(c3)
    m1 = _meeting(g1, t(2025, 5, 13), status="held")
    m3 = _meeting(g3, t(2025, 1, 20))
    _meeting(ops.case_group(c2), t(2024, 12, 2))
    d1 = _decision(g1, m1, t(2025, 5, 13, 12))
    d3a = _decision(g3, m3, t(2025, 1, 21))
    _decision(g3, m3, t(2025, 1, 21))
    db.session.add_all([
        ClientParticipation(case_id=c1.id, decision_id=d1.id, subject="Lēmums", informed=True,
                            informed_on=date(2025, 5, 14), opinion="Piekrīt"),
        ClientParticipation(case_id=c3.id, decision_id=d3a.id, subject="Lēmums",
                            informed=True, informed_on=date(2025, 1, 22)),
    ])

    # -- the strategic group ------------------------------------------------------------------
    sg = CooperationGroup(municipality_id=m.municipality_id, kind="strategic",
                          name="Stratēģiskā grupa", lead_id=p["coordinator"].id,
                          created_at=t(2024, 1, 10))
    db.session.add(sg)
    db.session.flush()
    for key in ("coordinator", "manager", "orphans", "teacher"):
        db.session.add(GroupMember(group_id=sg.id, user_id=p[key].id,
                                   institution_id=p[key].institution_id,
                                   member_from=t(2024, 1, 10)))
    db.session.add(GroupMember(group_id=sg.id, user_id=p["police"].id,
                               institution_id=p["police"].institution_id,
                               member_from=t(2024, 1, 10), member_to=t(2024, 12, 31)))
    s1 = _meeting(sg, t(2025, 3, 12))
    s2 = _meeting(sg, t(2025, 6, 11), status="held")
    s3 = _meeting(sg, t(2025, 9, 10))
    _meeting(sg, t(2025, 11, 5), kind="supervision")
    _meeting(sg, t(2025, 12, 10), status="cancelled")
    s0 = _meeting(sg, t(2024, 12, 10))
    for meeting, rows in ((s1, (("coordinator", "attended"), ("manager", "attended"),
                                ("orphans", "excused"), ("teacher", "attended"))),
                          (s2, (("manager", "attended"), ("teacher", "absent")))):
        for key, status in rows:
            db.session.add(Attendance(meeting_id=meeting.id, user_id=p[key].id,
                                      institution_id=p[key].institution_id, status=status))
    _decision(sg, s1, t(2025, 3, 13), status="executed")
    _decision(sg, s1, t(2025, 3, 13), status="in_progress")
    _decision(sg, s3, t(2025, 9, 11))
    _decision(sg, s3, t(2025, 9, 11), kind="proposal_state")
    _decision(sg, s3, t(2025, 9, 11), kind="proposal_municipality", status="in_progress")
    _decision(sg, s0, t(2024, 12, 11), status="executed", year=2024)
    # A task of the strategic group is not interprofessional work.
    db.session.add(Task(municipality_id=m.municipality_id, title="Sagatavot priekšlikumu",
                        assignee_id=p["coordinator"].id,
                        assignee_institution_id=p["coordinator"].institution_id,
                        due_date=date(2025, 4, 1), meeting_id=s1.id, issued_at=t(2025, 3, 13)))
    db.session.commit()
    return {"people": p, "municipality": municipality, "cases": {"c1": c1, "c2": c2, "c3": c3,
                                                                 "c4": c4, "c7": c7}}
