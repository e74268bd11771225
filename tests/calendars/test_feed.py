"""The personal iCalendar feed: a secret, revocable token; the meetings its owner may see at the
moment of the request; no personal data of children; never cached by shared caches."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import select

from casework.calendars.models import CalendarFeed
from casework.cases import operations as case_ops
from casework.extensions import db
from casework.groups.models import GroupMember
from tests.conftest import audit_actions

FEED_URL = re.compile(r"(http://localhost/calendar/feed/[A-Za-z0-9_-]+\.ics)")


def unfolded(body: bytes) -> str:
    return body.replace(b"\r\n ", b"").decode("utf-8")


def event_uids(body: bytes) -> set[str]:
    return {str(e["uid"]) for e in Calendar.from_ical(body).walk("VEVENT")}


def uid(meeting) -> str:
    return f"meeting-{meeting.id}@localhost"


def make_feed(client, user, action="create") -> str:
    if action == "create":
        client.login(user.email)
    response = client.post_form("/calendar/feed", {"action": action},
                                token_from="/calendar/feed")
    assert response.status_code == 302
    page = client.get("/calendar/feed").get_data(as_text=True)
    return FEED_URL.search(page).group(1)


@pytest.fixture
def stranger(app):
    """A client with no session, as Outlook would be."""
    return app.test_client()


def test_feed_serves_the_owners_meetings_with_private_headers(client, stranger, world):
    url = make_feed(client, world.manager)
    response = stranger.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Set-Cookie" not in response.headers
    # Cancelled meetings are in the feed too, so that calendars drop them.
    assert event_uids(response.data) == {uid(world.case_meeting), uid(world.cancelled_meeting)}
    statuses = {str(e["uid"]): str(e["status"])
                for e in Calendar.from_ical(response.data).walk("VEVENT")}
    assert statuses[uid(world.cancelled_meeting)] == "CANCELLED"


def test_feed_contains_no_name_of_the_child(client, stranger, world):
    body = stranger.get(make_feed(client, world.manager)).data
    text = unfolded(body)
    for fragment in ("Anna", "Annas", "Bērziņ", "drošības plān", "neapmeklē"):
        assert fragment not in text
    assert "Lietas sanāksme" in text


def test_feed_case_meeting_carries_no_free_text_place_or_title(client, stranger, world):
    body = stranger.get(make_feed(client, world.manager)).data
    events = {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}
    event = events[uid(world.case_meeting)]
    assert str(event["summary"]) == "Lietas sanāksme"
    assert "location" not in event
    assert str(event["description"]) == f"Atvērt casework: {event['url']}"
    assert str(event["url"]).endswith(f"/meetings/{world.case_meeting.id}")
    text = unfolded(body)
    assert "kabinets" not in text and world.case.number not in text


def test_feed_summary_in_english_for_an_english_user(client, stranger, world):
    world.manager.locale = "en"
    db.session.commit()
    body = stranger.get(make_feed(client, world.manager)).data
    summaries = {str(e["summary"]) for e in Calendar.from_ical(body).walk("VEVENT")}
    assert summaries == {"Case meeting", "Cancelled: Case meeting"}


def test_feed_of_a_strategic_member_has_the_strategic_meeting_only(client, stranger, world):
    body = stranger.get(make_feed(client, world.member)).data
    assert event_uids(body) == {uid(world.strategic_meeting)}


def test_feed_covers_90_days_back_to_a_year_ahead(client, stranger, world, make_meeting):
    inside = [make_meeting(world.strategic, datetime(2026, 8, 23, 9, tzinfo=UTC)),
              make_meeting(world.strategic, datetime(2027, 11, 19, 9, tzinfo=UTC))]
    make_meeting(world.strategic, datetime(2026, 8, 21, 9, tzinfo=UTC))
    make_meeting(world.strategic, datetime(2027, 11, 21, 9, tzinfo=UTC))
    body = stranger.get(make_feed(client, world.member)).data
    assert event_uids(body) == {uid(world.strategic_meeting)} | {uid(m) for m in inside}


def test_feed_marks_its_last_use(client, stranger, world):
    url = make_feed(client, world.manager)
    assert db.session.get(CalendarFeed, world.manager.id).last_used_at is None
    stranger.get(url)
    db.session.expire_all()
    assert db.session.get(CalendarFeed, world.manager.id).last_used_at == \
        datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def test_unknown_token_is_not_found(stranger, world):
    assert stranger.get("/calendar/feed/not-a-token.ics").status_code == 404


def test_rotated_token_stops_and_the_new_one_works(client, stranger, world):
    old = make_feed(client, world.manager)
    new = make_feed(client, world.manager, action="rotate")
    assert old != new
    assert stranger.get(old).status_code == 404
    assert stranger.get(new).status_code == 200


def test_revoked_token_is_not_found(client, stranger, world):
    url = make_feed(client, world.manager)
    response = client.post_form("/calendar/feed", {"action": "revoke"},
                                token_from="/calendar/feed")
    assert response.status_code == 302
    assert db.session.scalar(select(CalendarFeed)) is None
    assert stranger.get(url).status_code == 404


def test_inactive_owner_feed_is_not_found(client, stranger, world):
    url = make_feed(client, world.manager)
    world.manager.active = False
    db.session.commit()
    assert stranger.get(url).status_code == 404


def test_removed_group_member_feed_loses_the_case_meeting(client, stranger, world, frozen):
    specialist = world.outsider
    case_ops.add_group_member(world.manager, world.case, specialist)
    db.session.commit()
    url = make_feed(client, specialist)
    assert uid(world.case_meeting) in event_uids(stranger.get(url).data)
    frozen.shift(60)
    member = db.session.scalar(select(GroupMember).where(GroupMember.user_id == specialist.id))
    case_ops.remove_group_member(world.manager, world.case, member.id)
    db.session.commit()
    frozen.shift(60)
    assert event_uids(stranger.get(url).data) == set()


def test_feed_changes_are_audited_without_the_token(client, world):
    make_feed(client, world.manager)
    make_feed(client, world.manager, action="rotate")
    client.post_form("/calendar/feed", {"action": "revoke"}, token_from="/calendar/feed")
    actions = audit_actions(user_id=world.manager.id)
    assert [a for a in actions if a.startswith("calendar_feed")] == \
        ["calendar_feed_created", "calendar_feed_rotated", "calendar_feed_revoked"]
    from casework.audit.models import AuditEvent

    for event in db.session.scalars(select(AuditEvent)):
        assert "token" not in str(event.details)


def test_feed_page_needs_a_csrf_token(client, world):
    client.login(world.manager.email)
    assert client.post("/calendar/feed", data={"action": "create"}).status_code in (302, 400)
    assert db.session.scalar(select(CalendarFeed)) is None
