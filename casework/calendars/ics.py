"""iCalendar files of meetings (RFC 5545, with the ``icalendar`` library).

A calendar file leaves casework for Outlook, Teams or a phone, so it carries no personal data.
An interprofessional (case) meeting is only "Lietas sanāksme" ("Case meeting") with its time and
a link back to casework: no title, place, online link or agenda, which are free text and may
hold an address or a name, and no case number. A strategic meeting shows its group, title,
place and goals. Times are in UTC, so no VTIMEZONE is needed. The UID is stable and SEQUENCE
follows the meeting's version, so a moved or cancelled meeting updates the entry already in the
user's calendar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from flask_babel import gettext as _
from icalendar import Calendar, Event

from casework.db_types import utcnow
from casework.groups.models import Meeting

PRODID = "-//casework//Sadarbibas grupas//LV"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def meeting_uid(meeting: Meeting) -> str:
    """The stable identifier of a meeting in every calendar."""
    return f"meeting-{meeting.id}@casework"


def _is_case_meeting(meeting: Meeting) -> bool:
    return meeting.group.kind != "strategic"


def meeting_summary(meeting: Meeting) -> str:
    """The event's title: "Case meeting" for a case's meeting, nothing of its free text."""
    if _is_case_meeting(meeting):
        text = _("Case meeting")
    else:
        text = f"{meeting.group.name}: {meeting.title}" if meeting.title else meeting.group.name
    if meeting.status == "cancelled":
        text = _("Cancelled: %(title)s", title=text)
    return text


def meeting_location(meeting: Meeting) -> str | None:
    """Where a strategic meeting takes place; nothing for a case's meeting (its place may be a
    family's address, its online link may name the child)."""
    if _is_case_meeting(meeting):
        return None
    return meeting.place or meeting.online_link


def meeting_description(meeting: Meeting) -> str | None:
    """The goals of a strategic meeting; nothing for an interprofessional one (its agenda may
    name the child or the family)."""
    if _is_case_meeting(meeting):
        return None
    goals = [item.text for item in meeting.agenda if item.kind == "goal"]
    if not goals:
        return None
    return _("Goals:") + "\n" + "\n".join(f"- {goal}" for goal in goals)


def meeting_event(meeting: Meeting, url: str | None, stamp: datetime) -> Event:
    """One VEVENT for a meeting."""
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
    description = meeting_description(meeting)
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    # The version starts at 1; RFC 5545 sequences start at 0.
    event.add("sequence", max((meeting.version or 1) - 1, 0))
    return event


def calendar_of(meetings: Iterable[Meeting], url_of: Callable[[Meeting], str | None],
                name: str | None = None) -> bytes:
    """The bytes of a VCALENDAR (METHOD:PUBLISH) with one event per meeting."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    stamp = utcnow().replace(microsecond=0)
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, url_of(meeting), stamp))
    return cal.to_ical()
