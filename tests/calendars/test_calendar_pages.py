"""Month and week views and the .ics file of a meeting show exactly the meetings the user may
see (DESIGN.md §2): never another municipality's, never a case group the user is not part of."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar

from casework.extensions import db

ICS_LINK = re.compile(r"/meetings/(\d+)\.ics")


def shown(html: str) -> set[int]:
    return {int(n) for n in ICS_LINK.findall(html)}


def unfolded(body: bytes) -> str:
    return body.replace(b"\r\n ", b"").decode("utf-8")


def _who(world, name):
    return getattr(world, name)


EXPECTED = {
    # user in the world → meetings (by attribute) on the calendar, cancelled ones hidden
    "manager": {"case_meeting"},
    "other_manager": {"other_case_meeting"},
    "head": {"case_meeting", "other_case_meeting"},
    "coordinator": {"strategic_meeting"},
    "member": {"strategic_meeting"},
    "outsider": set(),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
@pytest.mark.parametrize("url", ["/calendar?month=2026-11", "/calendar/week?week=2026-W48",
                                 "/calendar/week?day=2026-11-26", "/calendar"])
def test_calendar_shows_exactly_the_meetings_the_user_may_see(client, world, who, url):
    client.login(_who(world, who).email)
    response = client.get(url)
    assert response.status_code == 200
    expected = {getattr(world, name).id for name in EXPECTED[who]}
    assert shown(response.get_data(as_text=True)) == expected


def test_cancelled_meetings_are_hidden_unless_asked_for_and_then_struck(client, world, lv):
    client.login(world.manager.email)
    html = client.get("/calendar/week?week=2026-W48&cancelled=1").get_data(as_text=True)
    assert shown(html) == {world.case_meeting.id, world.cancelled_meeting.id}
    assert "<s>" in html and f"({lv('cancelled')})" in html


def test_the_month_grid_starts_on_monday_in_riga_time(client, world):
    client.login(world.manager.email)
    html = client.get("/calendar?month=2026-11").get_data(as_text=True)
    # November 2026 starts on a Sunday: the first row is the week of Monday 26 October.
    assert html.index("2026-W44") < html.index("2026-W48") < html.index("2026-W49")
    # The weeks are named in words; the ISO code stays in the links only.
    assert ">44. nedēļa<" in html and ">2026-W44<" not in html
    headers = re.findall(r'<th scope="col">([^<]+)</th>', html)
    assert headers[1].lower() == "pirmdiena"
    # 10:00 in Riga is 08:00 UTC: the page shows Latvian time.
    assert "10:00" in html


def test_a_meeting_after_midnight_riga_time_is_on_the_riga_day(app_ctx, world, make_meeting):
    from datetime import UTC, date, datetime

    from casework.calendars.queries import week_days

    # 22:30 UTC on Sunday 22nd is 00:30 on Monday 23rd in Riga.
    late = make_meeting(world.strategic, datetime(2026, 11, 22, 22, 30, tzinfo=UTC))
    days = week_days(world.member, date(2026, 11, 23), today=date(2026, 11, 20))
    assert [m.id for m in days[0].meetings] == [late.id]


@pytest.mark.parametrize("value", ["/calendar?month=2026-13", "/calendar?month=november",
                                   "/calendar/week?week=2026-W60", "/calendar/week?day=x"])
def test_malformed_dates_are_a_bad_request(client, world, value):
    client.login(world.manager.email)
    assert client.get(value).status_code == 400


def test_the_inspector_has_no_calendar(client, login_as):
    login_as("inspector")
    assert client.get("/calendar").status_code == 403


# -- .ics of one meeting ------------------------------------------------------------------------
@pytest.mark.parametrize("who,meeting,status", [
    ("manager", "case_meeting", 200),
    ("manager", "other_case_meeting", 404),
    ("manager", "strategic_meeting", 404),
    ("manager", "neighbour_meeting", 404),
    ("member", "strategic_meeting", 200),
    ("member", "case_meeting", 404),
    ("coordinator", "case_meeting", 404),
    ("coordinator", "neighbour_meeting", 404),
    ("head", "other_case_meeting", 200),
])
def test_meeting_ics_is_not_found_unless_the_meeting_is_visible(client, world, who, meeting,
                                                                status):
    client.login(_who(world, who).email)
    response = client.get(f"/meetings/{getattr(world, meeting).id}.ics")
    assert response.status_code == status
    if status == 200:
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"


def test_meeting_ics_needs_a_login(client, world):
    response = client.get(f"/meetings/{world.case_meeting.id}.ics")
    assert response.status_code == 302


def test_case_meeting_ics_carries_no_free_text_place_or_title(client, world, lv):
    """Only "Lietas sanāksme", the time and a link back: the title and place are free text
    ("Anna Bērziņa: drošības plāns", an office or a family's address)."""
    client.login(world.manager.email)
    body = client.get(f"/meetings/{world.case_meeting.id}.ics").data
    text = unfolded(body)
    for fragment in ("Anna", "Bērziņ", "Annas", "drošības", "kabinets", "Sociālais dienests",
                     world.case.number):
        assert fragment not in text
    cal = Calendar.from_ical(body)
    assert cal["method"] == "PUBLISH" and "casework" in str(cal["prodid"])
    (event,) = cal.walk("VEVENT")
    assert str(event["summary"]) == lv("Case meeting") == "Lietas sanāksme"
    assert str(event["uid"]) == f"meeting-{world.case_meeting.id}@localhost"
    assert event.decoded("dtstart").isoformat() == "2026-11-25T08:00:00+00:00"
    assert event.decoded("dtend").isoformat() == "2026-11-25T10:00:00+00:00"
    assert "DTSTART:20261125T080000Z" in text
    assert "location" not in event
    # The description is the link back to casework and nothing else.
    assert str(event["description"]) == \
        f"Atvērt casework: http://localhost/meetings/{world.case_meeting.id}"
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["url"]).startswith("http://")
    assert str(event["url"]).endswith(f"/meetings/{world.case_meeting.id}")


def test_strategic_meeting_ics_keeps_its_place(client, world, make_meeting):
    meeting = make_meeting(world.strategic, world.strategic_meeting.starts_at,
                           title="Pusgada sanāksme", place="Domes zāle, Rīgas iela 1")
    client.login(world.member.email)
    (event,) = Calendar.from_ical(
        client.get(f"/meetings/{meeting.id}.ics").data).walk("VEVENT")
    assert str(event["location"]) == "Domes zāle, Rīgas iela 1"
    assert str(event["summary"]) == "Stratēģiskā grupa: Pusgada sanāksme"


def test_strategic_ics_shows_group_title_goals_and_online_link(client, world):
    client.login(world.member.email)
    body = client.get(f"/meetings/{world.strategic_meeting.id}.ics").data
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["summary"]) == "Stratēģiskā grupa: Ceturkšņa sanāksme"
    assert "Izvērtēt sadarbību ar skolām" in str(event["description"])
    assert str(event["location"]) == "https://teams.example.lv/m/1"
    assert "https://teams.example.lv/m/1" in str(event["description"])


def test_cancelled_meeting_ics_is_cancelled_with_a_higher_sequence(client, world):
    from casework.groups.models import Meeting

    meeting = db.session.get(Meeting, world.strategic_meeting.id)
    client.login(world.member.email)
    (before,) = Calendar.from_ical(
        client.get(f"/meetings/{meeting.id}.ics").data).walk("VEVENT")
    meeting.status = "cancelled"
    db.session.commit()
    (after,) = Calendar.from_ical(
        client.get(f"/meetings/{meeting.id}.ics").data).walk("VEVENT")
    assert str(after["status"]) == "CANCELLED"
    assert after["uid"] == before["uid"]
    assert int(after["sequence"]) == int(before["sequence"]) + 1


def test_a_month_cell_shows_the_first_meetings_of_a_busy_day_and_links_the_rest_to_its_week(
        client, world, make_meeting, lv):
    from datetime import UTC, datetime

    from casework.calendars.queries import MONTH_DAY_LIMIT

    busy = [make_meeting(world.strategic, datetime(2026, 11, 11, 6 + i, 0, tzinfo=UTC),
                         hours=0.5, title=f"Sēde {i}") for i in range(MONTH_DAY_LIMIT + 2)]
    client.login(world.coordinator.email)
    html = client.get("/calendar?month=2026-11").get_data(as_text=True)
    on_the_day = shown(html) & {m.id for m in busy}
    assert on_the_day == {m.id for m in busy[:MONTH_DAY_LIMIT]}
    assert lv("+ %(n)s more", n=2) in html
    assert "/calendar/week?day=2026-11-11" in html
    week = client.get("/calendar/week?day=2026-11-11").get_data(as_text=True)
    assert {m.id for m in busy} <= shown(week)
