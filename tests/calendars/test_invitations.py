"""Calendar entries that are meeting invitations: ORGANIZER and ATTENDEE by e-mail, the online
link and the link back in DESCRIPTION, a UID unique across installations, a refresh hint in the
feed, webcal:// and .ics links on the pages, https:// meeting links only."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from casework.extensions import db
from casework.groups.models import Attendance, Meeting

from .test_feed import make_feed


def _event(client, meeting):
    (event,) = Calendar.from_ical(client.get(f"/meetings/{meeting.id}.ics").data).walk("VEVENT")
    return event


def _attendees(event) -> list:
    found = event.get("attendee") or []
    return found if isinstance(found, list) else [found]


def test_strategic_ics_is_an_invitation_with_organizer_attendees_and_description(
        client, world, make_user):
    meeting = db.session.get(Meeting, world.strategic_meeting.id)
    meeting.chair_id = world.coordinator.id
    meeting.attendance.append(Attendance(user_id=world.member.id,
                                         institution_id=world.member.institution_id,
                                         status="excused"))
    db.session.commit()
    client.login(world.member.email)
    event = _event(client, meeting)
    organizer = event["organizer"]
    assert str(organizer) == f"mailto:{world.coordinator.email}"
    assert organizer.params["CN"] == world.coordinator.full_name
    (attendee,) = _attendees(event)
    assert str(attendee) == f"mailto:{world.member.email}"
    assert attendee.params["PARTSTAT"] == "DECLINED"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    description = str(event["description"])
    # Both the online link and the way back to casework; the place stays in LOCATION.
    assert "https://teams.example.lv/m/1" in description
    assert f"http://localhost/meetings/{meeting.id}" in description
    assert "Izvērtēt sadarbību ar skolām" in description


def test_case_meeting_ics_names_only_the_invited_users_emails(client, world):
    client.login(world.manager.email)
    event = _event(client, world.case_meeting)
    assert str(event["summary"]) == "Lietas sanāksme"
    emails = {str(a) for a in _attendees(event)}
    assert emails == {f"mailto:{world.manager.email}"}
    assert all("CN" not in a.params for a in _attendees(event))
    assert "CN" not in event["organizer"].params
    assert str(event["organizer"]).startswith("mailto:")
    assert str(event["description"]).endswith(f"/meetings/{world.case_meeting.id}")
    for fragment in ("Anna", "Bērziņ", world.manager.full_name, "kabinets"):
        assert fragment not in event.to_ical().decode()


def test_uid_names_the_installation(client, world, app):
    client.login(world.member.email)
    assert str(_event(client, world.strategic_meeting)["uid"]) == \
        f"meeting-{world.strategic_meeting.id}@localhost"
    app.config["CALENDAR_UID_DOMAIN"] = "casework.riga.lv"
    try:
        assert str(_event(client, world.strategic_meeting)["uid"]) == \
            f"meeting-{world.strategic_meeting.id}@casework.riga.lv"
    finally:
        app.config.pop("CALENDAR_UID_DOMAIN")


def test_feed_tells_calendars_to_refresh_hourly(client, world, app):
    url = make_feed(client, world.manager)
    cal = Calendar.from_ical(app.test_client().get(url).data)
    assert cal.decoded("refresh-interval") == timedelta(hours=1)
    assert str(cal["x-published-ttl"]) == "PT1H"


def test_feed_page_offers_a_webcal_link(client, world):
    make_feed(client, world.manager)
    page = client.get("/calendar/feed").get_data(as_text=True)
    assert 'href="webcal://localhost/calendar/feed/' in page


def test_meeting_page_links_its_ics(client, world):
    client.login(world.member.email)
    page = client.get(f"/meetings/{world.strategic_meeting.id}").get_data(as_text=True)
    assert f'href="/meetings/{world.strategic_meeting.id}.ics"' in page


def test_meeting_links_must_be_https_at_input_and_output(client, world, make_meeting):
    from casework.auth.operations import OperationRefused
    from casework.groups import operations as group_ops
    from casework.groups.forms import MeetingForm

    meeting = make_meeting(world.strategic, world.strategic_meeting.starts_at,
                           online_link="http://teams.example.lv/m/2", place=None)
    client.login(world.member.email)
    event = _event(client, meeting)
    text = event.to_ical().decode()
    assert "http://teams.example.lv" not in text  # never passed on
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'href="http://teams.example.lv/m/2"' not in page
    with client.application.test_request_context(method="POST", data={
            "online_link": "http://teams.example.lv/m/3"}):
        form = MeetingForm(meta={"csrf": False})
        form.online_link.validate(form)
        assert form.online_link.errors
    try:
        group_ops.plan_meeting(world.coordinator, world.strategic, starts_at=meeting.starts_at,
                               ends_at=meeting.ends_at, online_link="http://x.example/1")
    except OperationRefused as refused:
        db.session.rollback()
        assert "https://" in str(refused.message)
    else:
        raise AssertionError("an http:// meeting link was accepted")
