"""iCalendar files of meetings (RFC 5545 and the invitations of RFC 5546, with ``icalendar``).

A calendar file leaves casework for Outlook, Teams or a phone, so it carries no personal data
of a client. Every entry is a meeting invitation: ORGANIZER (the chair, else the group's lead,
else whoever planned it) and one ATTENDEE per invited user, by e-mail, with their answer as
PARTSTAT; DESCRIPTION holds the online link and the link back to casework, LOCATION the place.

An interprofessional (case) meeting is only "Lietas sanāksme" ("Case meeting") with its time,
its invited users' e-mails (no names) and the link back to casework: no title, place, online
link or agenda, which are free text and may hold an address or a child's name, and no case
number. A strategic meeting shows its group, title, place, online link and goals.

Online links are only ever written as ``https://`` addresses (``meeting_link``). Times are in
UTC, so no VTIMEZONE is needed. The UID is stable and names the installation
(``meeting-<id>@<host of BASE_URL>``, or ``CALENDAR_UID_DOMAIN``), so two installations never
share one; SEQUENCE follows the meeting's version, so a moved or cancelled meeting updates the
entry already in the user's calendar. The feed tells calendars to refresh hourly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from casework.db_types import utcnow
from casework.groups.models import Meeting
from casework.inputs import is_https_url

if TYPE_CHECKING:  # icalendar is imported by the functions that write files (0.1 s at start)
    from icalendar import Event, vCalAddress

PRODID = "-//casework//Sadarbibas grupas//LV"
CONTENT_TYPE = "text/calendar; charset=utf-8"
#: How often a subscribed calendar should fetch the feed again.
REFRESH = timedelta(hours=1)
PARTSTAT = {"invited": "NEEDS-ACTION", "attended": "ACCEPTED", "excused": "DECLINED",
            "absent": "DECLINED"}


def uid_domain() -> str:
    """The installation's name in UIDs: ``CALENDAR_UID_DOMAIN``, else the host of BASE_URL."""
    configured = current_app.config.get("CALENDAR_UID_DOMAIN")
    if configured:
        return str(configured)
    return urlsplit(current_app.config.get("BASE_URL") or "").hostname or "casework.invalid"


def meeting_uid(meeting: Meeting) -> str:
    """The stable identifier of a meeting in every calendar, unique across installations."""
    return f"meeting-{meeting.id}@{uid_domain()}"


def meeting_link(link: str | None) -> str | None:
    """An online meeting link as it may be written anywhere: ``https://`` with a host, else
    nothing (an ``http://`` or odd link from before the rule is never passed on)."""
    link = (link or "").strip()
    if is_https_url(link):
        return link
    return None


def _is_case_meeting(meeting: Meeting) -> bool:
    return meeting.group.kind != "strategic"


def meeting_summary(meeting: Meeting) -> str:
    """The event's title: "Case meeting" for a case's meeting, nothing of its free text."""
    if _is_case_meeting(meeting):
        text = _("Case meeting")
    else:
        text = (f"{meeting.group.display_name}: {meeting.title}" if meeting.title
                else meeting.group.display_name)
    if meeting.status == "cancelled":
        text = _("Cancelled: %(title)s", title=text)
    return text


def meeting_location(meeting: Meeting) -> str | None:
    """Where a strategic meeting takes place (the online link if it has no place); nothing for
    a case's meeting (its place may be a family's address, its online link may name the
    child)."""
    if _is_case_meeting(meeting):
        return None
    return meeting.place or meeting_link(meeting.online_link)


def meeting_description(meeting: Meeting, url: str | None = None) -> str | None:
    """For a strategic meeting: the online link, the goals and the link back to casework; for
    an interprofessional one only the link back (its agenda may name the child or the
    family)."""
    lines = []
    if not _is_case_meeting(meeting):
        link = meeting_link(meeting.online_link)
        if link:
            lines.append(_("Online meeting link") + ": " + link)
        goals = [item.text for item in meeting.agenda if item.kind == "goal"]
        if goals:
            lines.append(_("Goals:") + "\n" + "\n".join(f"- {goal}" for goal in goals))
    if url:
        lines.append(_("Open in casework") + ": " + url)
    return "\n\n".join(lines) or None


def meeting_organizer(meeting: Meeting):
    """Who sends the invitation: the chair, else the group's lead, else who planned it."""
    from casework.auth.models import User
    from casework.extensions import db

    if meeting.chair is not None:
        return meeting.chair
    if meeting.group.lead is not None:
        return meeting.group.lead
    return db.session.get(User, meeting.created_by_id) if meeting.created_by_id else None


def _address(user, *, named: bool, **params) -> vCalAddress:
    from icalendar import vCalAddress

    address = vCalAddress(f"mailto:{user.email}")
    if named:
        address.params["CN"] = user.full_name
    for key, value in params.items():
        address.params[key.upper()] = value
    return address


def meeting_event(meeting: Meeting, url: str | None, stamp: datetime) -> Event:
    """One VEVENT for a meeting."""
    from icalendar import Event

    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", meeting_summary(meeting))
    location = meeting_location(meeting)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    description = meeting_description(meeting, url)
    if description:
        event.add("description", description)
    # Names of the professionals only in a strategic meeting's entry; a case meeting's shows
    # the invited users' e-mails and nothing else about them.
    named = not _is_case_meeting(meeting)
    organizer = meeting_organizer(meeting)
    if organizer is not None:
        event.add("organizer", _address(organizer, named=named))
    for row in meeting.attendance:
        event.add("attendee", _address(row.user, named=named, role="REQ-PARTICIPANT",
                                       partstat=PARTSTAT.get(row.status, "NEEDS-ACTION"),
                                       cutype="INDIVIDUAL"))
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    # The version starts at 1; RFC 5545 sequences start at 0.
    event.add("sequence", max((meeting.version or 1) - 1, 0))
    return event


def calendar_of(meetings: Iterable[Meeting], url_of: Callable[[Meeting], str | None],
                name: str | None = None, *, feed: bool = False) -> bytes:
    """The bytes of a VCALENDAR (METHOD:PUBLISH) with one event per meeting; a feed also says
    how often to refresh it (REFRESH-INTERVAL, RFC 7986, and X-PUBLISHED-TTL for Outlook)."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    if feed:
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
    stamp = utcnow().replace(microsecond=0)
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, url_of(meeting), stamp))
    return cal.to_ical()
