"""Factories for groups, published decisions and tasks (h2's tests of execution and tasks)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.models import CooperationGroup, Decision, GroupMember, Meeting
from casework.tasks.models import Task
from tests.cases.conftest import case_manager, make_case, social_service  # noqa: F401
from workflows.policy import local_date

_seq = itertools.count(1)


def today() -> date:
    """Today in Latvian time, as the application sees it."""
    return local_date(utcnow())


@pytest.fixture
def coordinator(make_user, make_institution):
    return make_user("coordinator", institution=make_institution("other", name="Pašvaldība"),
                     full_name="Ilze Koordinatore")


@pytest.fixture
def make_group(app_ctx, municipality):
    """Factory: a strategic group with active members ``members`` (users)."""

    def make(name: str = "Stratēģiskā grupa", members=(), municipality_id=None,
             lead=None) -> CooperationGroup:
        group = CooperationGroup(municipality_id=municipality_id or municipality.id,
                                 kind="strategic", name=name,
                                 lead_id=lead.id if lead else None)
        db.session.add(group)
        db.session.flush()
        for user in members:
            db.session.add(GroupMember(group_id=group.id, user_id=user.id,
                                       institution_id=user.institution_id,
                                       member_from=utcnow() - timedelta(days=30)))
        db.session.commit()
        return group

    return make


@pytest.fixture
def make_meeting(app_ctx):
    def make(group) -> Meeting:
        start = utcnow() - timedelta(days=10)
        meeting = Meeting(group_id=group.id, title="Sanāksme", starts_at=start,
                          ends_at=start + timedelta(hours=2), status="minutes_approved",
                          held_at=start, minutes_approved_at=start + timedelta(days=1))
        db.session.add(meeting)
        db.session.commit()
        return meeting

    return make


@pytest.fixture
def make_decision(app_ctx):
    """Factory: a published (or draft) decision of ``group``."""

    def make(group, *, text: str = "Izveidot sadarbības kārtību", institution=None,
             due: date | None = None, status: str = "pending", year: int | None = None,
             published: bool = True, meeting=None) -> Decision:
        year = year or today().year
        seq = next(_seq)
        prefix = "SG" if group.kind == "strategic" else "SPG"
        decision = Decision(
            group_id=group.id, meeting_id=meeting.id if meeting else None, year=year,
            text=text, status=status, due_date=due,
            responsible_institution_id=institution.id if institution else None,
            number=f"{prefix}-{year}/{seq:02d}" if published else None,
            seq=seq if published else None,
            published_at=utcnow() - timedelta(days=5) if published else None)
        db.session.add(decision)
        db.session.commit()
        return decision

    return make


@pytest.fixture
def make_task(app_ctx):
    """Factory: a task (issued unless ``issued=False``) assigned to ``assignee``."""

    def make(assignee, *, title: str = "Sagatavot pārskatu", due: date | None = None,
             status: str = "open", case=None, issued: bool = True, created_by=None,
             meeting=None, decision=None, closed_days_ago: int | None = None) -> Task:
        task = Task(municipality_id=assignee.municipality_id, title=title,
                    assignee_id=assignee.id, assignee_institution_id=assignee.institution_id,
                    due_date=due or today() + timedelta(days=7), status=status,
                    case_id=case.id if case else None,
                    meeting_id=meeting.id if meeting else None,
                    decision_id=decision.id if decision else None,
                    created_by_id=created_by.id if created_by else None,
                    issued_at=utcnow() - timedelta(days=20) if issued else None)
        if status != "open":
            task.closed_at = utcnow() - timedelta(days=closed_days_ago or 1)
        db.session.add(task)
        db.session.commit()
        return task

    return make
