"""Factories for groups and meetings made directly as rows (the calendar and the start page only
read them): ``make_strategic_group``, ``make_meeting``, ``case_group_of``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.groups.models import (
    AgendaItem,
    Attendance,
    CooperationGroup,
    Decision,
    GroupMember,
)
from casework.groups.models import Meeting as MeetingModel
from tests.cases.conftest import case_manager, make_case, social_service

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
# The case factories, used by name below and in the tests of this folder.
FIXTURES = (case_manager, make_case, social_service)


@pytest.fixture
def make_strategic_group(app_ctx):
    """``make_strategic_group(municipality, members=[...], lead=None, name=...)``."""

    def make(municipality, members=(), lead=None, name="Stratēģiskā grupa"):
        group = CooperationGroup(municipality_id=municipality.id, kind="strategic", name=name,
                                 lead_id=lead.id if lead else None)
        db.session.add(group)
        db.session.flush()
        for user in members:
            db.session.add(GroupMember(group_id=group.id, user_id=user.id,
                                       institution_id=user.institution_id,
                                       member_from=LONG_AGO))
        db.session.commit()
        return group

    return make


@pytest.fixture
def case_group_of(app_ctx):
    """The interprofessional group of a case."""

    def get(case):
        return db.session.scalar(select(CooperationGroup).where(
            CooperationGroup.case_id == case.id))

    return get


@pytest.fixture
def make_meeting(app_ctx):
    """``make_meeting(group, starts_at, status=..., agenda=[("goal", "...")], invite=[user])``."""

    def make(group, starts_at: datetime, *, hours: float = 2, status: str = "planned",
             title: str | None = None, place: str | None = None, online_link: str | None = None,
             held_at: datetime | None = None, agenda=(), invite=()):
        if held_at is None and status in ("held", "minutes_approved"):
            held_at = starts_at
        meeting = MeetingModel(group_id=group.id, title=title, starts_at=starts_at,
                               ends_at=starts_at + timedelta(hours=hours), place=place,
                               online_link=online_link, status=status, held_at=held_at)
        for position, (kind, text) in enumerate(agenda):
            meeting.agenda.append(AgendaItem(kind=kind, text=text, position=position))
        for user in invite:
            meeting.attendance.append(Attendance(user_id=user.id,
                                                 institution_id=user.institution_id))
        db.session.add(meeting)
        db.session.commit()
        return meeting

    return make


@pytest.fixture
def make_decision(app_ctx):
    """``make_decision(group, due_date=..., status="pending", published=True)``."""
    counter = iter(range(1, 1000))

    def make(group, due_date, *, status: str = "pending", published: bool = True,
             text: str = "Nodrošināt atbalstu"):
        seq = next(counter)
        decision = Decision(group_id=group.id, year=2026, seq=seq if published else None,
                            number=f"SG-2026/{seq:02d}" if published else None, text=text,
                            due_date=due_date, status=status,
                            published_at=LONG_AGO if published else None)
        db.session.add(decision)
        db.session.commit()
        return decision

    return make


@pytest.fixture
def frozen():
    """Friday 20 November 2026, 10:00 in Riga, for the whole test."""
    import time_machine

    with time_machine.travel(datetime(2026, 11, 20, 8, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(frozen, app_ctx, municipality, social_service, case_manager, make_user, make_case,
          make_municipality, make_institution, make_strategic_group, make_meeting,
          case_group_of):
    """Two cases of two case managers, a strategic group, and a neighbouring municipality, with
    their meetings in the week of 23 November 2026 (times in Riga)."""
    from types import SimpleNamespace

    from workflows.policy import RIGA

    def riga(*args):
        return datetime(*args, tzinfo=RIGA)

    w = SimpleNamespace(municipality=municipality, manager=case_manager)
    w.other_manager = make_user("case_manager", institution=social_service)
    w.head = make_user("head_of_service", institution=social_service)
    w.coordinator = make_user("coordinator", institution=make_institution("other"))
    w.school = make_institution("school")
    w.member = make_user("specialist", institution=w.school)
    w.outsider = make_user("specialist", institution=w.school)
    w.case = make_case(risk="red")  # the child is Anna Bērziņa
    w.other_case = make_case(risk="yellow", manager=w.other_manager)
    w.group = case_group_of(w.case)
    w.case_meeting = make_meeting(
        w.group, riga(2026, 11, 25, 10, 0), title="Anna Bērziņa: drošības plāns",
        place="Sociālais dienests, 2. kabinets",
        agenda=[("goal", "Vienoties par Annas Bērziņas drošības plānu"),
                ("item", "Anna Bērziņa neapmeklē skolu")], invite=[case_manager])
    w.cancelled_meeting = make_meeting(w.group, riga(2026, 11, 24, 10, 0), status="cancelled")
    w.other_case_meeting = make_meeting(case_group_of(w.other_case), riga(2026, 11, 26, 9, 0))
    w.strategic = make_strategic_group(municipality, members=[w.member], name="Stratēģiskā grupa")
    w.strategic_meeting = make_meeting(
        w.strategic, riga(2026, 11, 27, 13, 0), title="Ceturkšņa sanāksme",
        online_link="https://teams.example.lv/m/1",
        agenda=[("goal", "Izvērtēt sadarbību ar skolām")])
    neighbour = make_municipality()
    w.neighbour_meeting = make_meeting(
        make_strategic_group(neighbour, name="Kaimiņu grupa"), riga(2026, 11, 25, 12, 0))
    return w


@pytest.fixture
def lv(app):
    """The Latvian catalog's text for a msgid (the catalog is merged by the lead, so the tests
    compare with whatever it says today)."""
    from flask_babel import force_locale, gettext

    def tr(msgid: str, **kwargs) -> str:
        with app.test_request_context(), force_locale("lv"):
            return gettext(msgid, **kwargs)

    return tr
