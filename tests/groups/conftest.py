"""Factories for groups and meetings (built through the service layer)."""

from datetime import UTC, datetime, timedelta

import pytest

from casework.extensions import db
from casework.groups import operations as ops
from tests.cases.conftest import case_manager, make_case, social_service  # noqa: F401


def at(year, month, day, hour=10, minute=0) -> datetime:
    """A UTC moment given as Riga wall time (EET/EEST)."""
    from workflows.policy import RIGA

    return datetime(year, month, day, hour, minute, tzinfo=RIGA).astimezone(UTC)


@pytest.fixture
def coordinator(make_user, make_institution):
    return make_user("coordinator", institution=make_institution("other", name="Administrācija"),
                     full_name="Kristīne Koordinatore")


@pytest.fixture
def make_group(app_ctx, coordinator):
    """Factory: ``make_group(members=[user, ...])`` a strategic group led by the coordinator."""

    def make(name="Stratēģiskā grupa", members=(), lead=coordinator):
        group = ops.create_strategic_group(lead, name=name, lead=lead)
        for user in members:
            ops.add_member(lead, group, user)
        db.session.commit()
        return group

    return make


@pytest.fixture
def make_meeting(app_ctx, coordinator):
    """Factory: ``make_meeting(group, starts=..., invite=[...], goal=True)``."""

    def make(group, starts=None, hours=2, invite=(), goal=True, actor=None, started=False,
             **kwargs):
        actor = actor or coordinator
        # A meeting is marked held only once it has started: ``started`` plans one that
        # began an hour ago; otherwise it is three days ahead.
        now = datetime.now(UTC).replace(microsecond=0)
        starts = starts or (now - timedelta(hours=1) if started else now + timedelta(days=3))
        meeting = ops.plan_meeting(actor, group, starts_at=starts,
                                   ends_at=starts + timedelta(hours=hours),
                                   invite_ids=[u.id for u in invite], **kwargs)
        if goal:
            ops.add_agenda_item(actor, meeting, kind="goal", text="Izvērtēt sadarbību")
        db.session.commit()
        return meeting

    return make


def hold(actor, meeting, minutes="Protokola teksts."):
    """Record attendance (everyone attended), mark held and write minutes. A meeting planned
    for later is first moved to have begun an hour ago (it cannot be held before it starts)."""
    now = datetime.now(UTC).replace(microsecond=0)
    if meeting.starts_at > now:
        length = meeting.ends_at - meeting.starts_at
        meeting.starts_at = now - timedelta(hours=1)
        meeting.ends_at = meeting.starts_at + length
        db.session.commit()
    ops.record_attendance(actor, meeting, {a.user_id: "attended" for a in meeting.attendance})
    ops.mark_held(actor, meeting)
    if minutes:
        ops.save_minutes(actor, meeting, minutes=minutes)
    db.session.commit()
