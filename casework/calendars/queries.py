"""Reads for the calendars: the meetings a user may see in a date range, laid out as a month
grid (weeks from Monday, Riga dates) or a week.

Everything starts from ``casework.groups.queries.visible_meetings(user)``, so the calendar, the
.ics files and the feeds show exactly what the meeting pages would show.
"""

from __future__ import annotations

import calendar as _calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from casework.extensions import db
from casework.groups.models import Meeting
from casework.groups.queries import visible_meetings
from casework.inputs import check_year
from workflows.policy import RIGA, local_date

#: Meetings shown in a day of the month view; the rest of a busy day are counted and linked
#: to the day's week, which lists them all (a service's month may hold hundreds).
MONTH_DAY_LIMIT = 5
#: The feed covers meetings from this far back...
FEED_PAST = timedelta(days=90)
#: ...to this far ahead.
FEED_FUTURE = timedelta(days=365)


def riga_midnight(day: date) -> datetime:
    """The start of ``day`` in Riga, as an aware UTC datetime."""
    return datetime.combine(day, time(0, 0), tzinfo=RIGA).astimezone(UTC)


#: What the week view and the feeds show of a meeting besides its own row.
WITH_GROUP_AND_AGENDA = (selectinload(Meeting.group), selectinload(Meeting.agenda))


def meetings_between(user, start: datetime, end: datetime, *, include_cancelled: bool = False):
    """A select of the meetings ``user`` may see that overlap [start, end), earliest first;
    cancelled meetings only when asked for (callers add what they show of each:
    ``WITH_GROUP_AND_AGENDA``)."""
    stmt = (visible_meetings(user)
            .where(Meeting.starts_at < end, Meeting.ends_at > start)
            .order_by(Meeting.starts_at, Meeting.id))
    if not include_cancelled:
        stmt = stmt.where(Meeting.status != "cancelled")
    return stmt


def feed_meetings(user, now: datetime) -> list[Meeting]:
    """What a personal feed serves: the meetings the owner may see now, from 90 days back to a
    year ahead, cancelled ones included (so that calendars remove them)."""
    return list(db.session.scalars(
        meetings_between(user, now - FEED_PAST, now + FEED_FUTURE, include_cancelled=True)
        .options(*WITH_GROUP_AND_AGENDA)))


@dataclass
class Day:
    """A day of a calendar view with its meetings."""

    date: date
    in_month: bool = True
    is_today: bool = False
    meetings: list[Meeting] = field(default_factory=list)
    #: Further meetings of the day not shown (the month view's cap).
    more: int = 0


def _by_local_day(meetings) -> dict[date, list[Meeting]]:
    days: dict[date, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        days[local_date(meeting.starts_at)].append(meeting)
    return days


def month_grid(user, year: int, month: int, *, today: date,
               include_cancelled: bool = False) -> list[list[Day]]:
    """The month as weeks of seven days (Monday first), including the days of the neighbouring
    months that complete the first and last week. A day shows its first ``MONTH_DAY_LIMIT``
    meetings and counts the others: the month's meetings are read as ids and start times, and
    only the shown ones as whole meetings (two queries, however busy the month)."""
    weeks = _calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    stmt = meetings_between(user, riga_midnight(first), riga_midnight(last + timedelta(days=1)),
                            include_cancelled=include_cancelled)
    ids_by_day: dict[date, list[int]] = defaultdict(list)
    for meeting_id, starts_at in db.session.execute(
            stmt.with_only_columns(Meeting.id, Meeting.starts_at)):
        ids_by_day[local_date(starts_at)].append(meeting_id)
    # The ids come from the user's visible meetings just read (and stay within the user's
    # municipality): loading them by key shows nothing more than that.
    shown = [i for ids in ids_by_day.values() for i in ids[:MONTH_DAY_LIMIT]]
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.id.in_(shown),
                              Meeting.municipality_id == user.municipality_id)
        .options(selectinload(Meeting.group))
        .order_by(Meeting.starts_at, Meeting.id)).all() if shown else []
    by_day = _by_local_day(meetings)
    return [[Day(d, d.month == month, d == today, by_day.get(d, []),
                 max(0, len(ids_by_day.get(d, ())) - MONTH_DAY_LIMIT)) for d in week]
            for week in weeks]


def week_days(user, monday: date, *, today: date, include_cancelled: bool = False) -> list[Day]:
    """The seven days from ``monday`` with their meetings."""
    meetings = db.session.scalars(meetings_between(
        user, riga_midnight(monday), riga_midnight(monday + timedelta(days=7)),
        include_cancelled=include_cancelled).options(*WITH_GROUP_AND_AGENDA)).all()
    by_day = _by_local_day(meetings)
    days = [monday + timedelta(days=i) for i in range(7)]
    return [Day(d, True, d == today, by_day.get(d, [])) for d in days]


def parse_month(value: str | None, today: date) -> tuple[int, int]:
    """``2026-11`` → (2026, 11); the current month when empty. Raises ValueError if malformed
    or outside the allowed years (``casework.inputs``)."""
    if not value:
        return today.year, today.month
    year, month = value.split("-")
    if len(year) != 4 or len(month) != 2:
        raise ValueError(value)
    found = date(check_year(int(year)), int(month), 1)
    return found.year, found.month


def parse_week(week: str | None, day: str | None, today: date) -> date:
    """The Monday of ``2026-W48`` or of the week of ``day`` (ISO date); this week's Monday when
    both are empty. Raises ValueError if malformed or outside the allowed years."""
    if week:
        year, _, number = week.partition("-W")
        monday = date.fromisocalendar(check_year(int(year)), int(number), 1)
    else:
        chosen = date.fromisoformat(day) if day else today
        check_year(chosen.year)
        monday = chosen - timedelta(days=chosen.weekday())
    check_year(monday.year)
    check_year((monday + timedelta(days=6)).year)
    return monday


def iso_week(monday: date) -> str:
    """``2026-W48`` for the week starting on ``monday``."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"
