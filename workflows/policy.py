"""Municipal policy (DESIGN §5): the deadlines and limits, and the working-day calendar.

`Policy` holds the defaults; a municipality overrides some of them with
``Policy.from_overrides(settings)``. Working days skip weekends and Latvian public holidays as
the ``holidays`` package knows them, including the transferred days off (for example Monday
23 December 2024) and the Saturdays worked in exchange (Saturday 14 December 2024), plus the
municipality's own `extra_holidays` / `extra_working_days`.

Deadline helpers take timezone-aware datetimes, work on the local date in Europe/Riga and return
the *end* of the due working day (23:59:59 Riga time, aware). Something received on a
non-working day counts as received on the next working day, so a red referral that arrives on
Saturday is due on Monday and any other referral on Tuesday.
"""

from __future__ import annotations

import calendar as _calendar
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays

RIGA = ZoneInfo("Europe/Riga")


def _check_month_day(value: str, name: str) -> None:
    try:
        # A common year: 02-29 would not exist in most years.
        date.fromisoformat(f"2023-{value}")
    except (TypeError, ValueError):
        raise ValueError(f"policy {name}: {value!r} is not a month-day like '03-15'") from None


@dataclass(frozen=True)
class Policy:
    """Deadlines and limits of one municipality; the defaults are those of DESIGN §5."""

    #: Triage of a referral proposed red: 0 means the same working day.
    triage_red_working_days: int = 0
    triage_other_working_days: int = 1
    convene_after_red_working_days: int = 2
    convene_new_yellow_working_days: int = 10
    review_days_red: int = 14
    review_days_yellow: int = 42
    review_days_green: int = 91
    minutes_approval_working_days: int = 3
    client_informed_working_days: int = 5
    monitoring_months: int = 6
    #: Warn when a case manager has more active cases than this...
    caseload_warning: int = 25
    #: ...and than this from `caseload_reduced_from` (the 2027 limit).
    caseload_warning_reduced: int = 20
    caseload_reduced_from: date = date(2027, 1, 1)
    children_under_12_limit: int = 30
    supervisions_per_year: int = 1
    #: Reminders to submit the annual report, as month-days of the year after the report's year.
    annual_report_reminders: tuple[str, ...] = ("03-01", "03-15", "03-25")
    annual_report_overdue_from: str = "04-01"
    retention_years: int = 10

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "caseload_reduced_from":
                if not isinstance(value, date) or isinstance(value, datetime):
                    raise ValueError(f"policy {f.name}: {value!r} is not a date")
            elif f.name == "annual_report_reminders":
                if not isinstance(value, tuple):
                    raise ValueError(f"policy {f.name}: {value!r} is not a list of month-days")
                for item in value:
                    _check_month_day(item, f.name)
            elif f.name == "annual_report_overdue_from":
                _check_month_day(value, f.name)
            else:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f"policy {f.name}: {value!r} is not a whole number")
                if value < 0:
                    raise ValueError(f"policy {f.name}: {value} must not be negative")
                if f.name.startswith("review_days_") and value < 1:
                    raise ValueError(f"policy {f.name}: a review interval must be at least 1 day")

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None) -> Policy:
        """Defaults updated with a municipality's settings.

        Unknown keys are ignored (settings of other versions). Whole numbers may be given as
        text (they come from forms and environment variables), dates as ISO text, the reminder
        list as a list or a comma-separated text. Raises ValueError naming a bad setting.
        """
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, value in (overrides or {}).items():
            if name not in known:
                continue
            if name == "caseload_reduced_from" and isinstance(value, str):
                try:
                    value = date.fromisoformat(value.strip())
                except ValueError:
                    raise ValueError(f"policy {name}: {value!r} is not a date") from None
            elif name == "annual_report_reminders":
                if isinstance(value, str):
                    value = [v.strip() for v in value.split(",") if v.strip()]
                if isinstance(value, list | tuple):
                    value = tuple(value)
            elif isinstance(value, str) and name != "annual_report_overdue_from":
                try:
                    value = int(value.strip())
                except ValueError:
                    raise ValueError(f"policy {name}: {value!r} is not a whole number") from None
            values[name] = value
        return cls(**values)

    def review_days(self, risk: str) -> int:
        """Calendar days between case reviews for the risk colour `risk`."""
        try:
            return {
                "red": self.review_days_red,
                "yellow": self.review_days_yellow,
                "green": self.review_days_green,
            }[str(risk)]
        except KeyError:
            raise ValueError(f"unknown risk colour {risk!r}") from None


def caseload_limit(policy: Policy, on_date: date) -> int:
    """Active cases a case manager may have on `on_date` before the caseload warning."""
    if on_date >= policy.caseload_reduced_from:
        return policy.caseload_warning_reduced
    return policy.caseload_warning


@functools.lru_cache(maxsize=64)
def _year_days(country: str, year: int) -> tuple[frozenset[date], frozenset[date], frozenset[int]]:
    """(public holidays, weekend days worked in exchange, weekday numbers of the weekend)."""
    table = holidays.country_holidays(country, years=year)
    workdays = frozenset(getattr(table, "weekend_workdays", ()) or ())
    weekend = frozenset(getattr(table, "weekend", (5, 6)))
    return frozenset(table.keys()), workdays, weekend


def _plain_date(d: date) -> date:
    # A datetime is a date too; refuse it, because its local date depends on a time zone.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__}; use local_date() first")
    return d


#: Results of ``add_working_days`` one calendar remembers at most.
ADDED_CACHE_LIMIT = 4096


class WorkingCalendar:
    """Working days of a country (default Latvia) with a municipality's own exceptions."""

    def __init__(
        self,
        country: str = "LV",
        extra_holidays: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        self.country = country
        self.extra_holidays = frozenset(_plain_date(d) for d in extra_holidays)
        self.extra_working_days = frozenset(_plain_date(d) for d in extra_working_days)
        both = self.extra_holidays & self.extra_working_days
        if both:
            raise ValueError(f"days both extra holidays and extra working days: {sorted(both)}")

    def __repr__(self) -> str:
        return f"WorkingCalendar({self.country!r})"

    def is_working_day(self, d: date) -> bool:
        """True when `d` is a working day (set lookups; a year's holidays are computed once,
        ``_year_days``)."""
        d = _plain_date(d)
        if d in self.extra_working_days:
            return True
        if d in self.extra_holidays:
            return False
        public_holidays, weekend_workdays, weekend = _year_days(self.country, d.year)
        if d.weekday() in weekend:
            return d in weekend_workdays
        return d not in public_holidays

    def add_working_days(self, d: date, n: int) -> date:
        """The `n`-th working day after `d`; for n=0, `d` itself if it is a working day, else the
        next working day."""
        d = _plain_date(d)
        if n < 0:
            raise ValueError("n must not be negative")
        # Remembered per calendar (sweeps ask about the same days thousands of times), bounded:
        # a long-running process forgets them all once the limit is reached.
        cache = self.__dict__.setdefault("_added", {})
        if (d, n) not in cache:
            if len(cache) >= ADDED_CACHE_LIMIT:
                cache.clear()
            cache[(d, n)] = self._add_working_days(d, n)
        return cache[(d, n)]

    def _add_working_days(self, d: date, n: int) -> date:
        if n == 0:
            while not self.is_working_day(d):
                d += timedelta(days=1)
        while n > 0:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def _prefix(self, year: int) -> tuple[int, list[int]]:
        """The ordinal of 1 January of ``year`` and the working days of ``year`` from 1 January
        up to and including each day (by day of the year, 0-based); counted once per calendar
        and year."""
        cache = self.__dict__.setdefault("_prefixes", {})
        found = cache.get(year)
        if found is None:
            counts, n, d = [], 0, date(year, 1, 1)
            while d.year == year:
                n += self.is_working_day(d)
                counts.append(n)
                d += timedelta(days=1)
            found = cache[year] = (date(year, 1, 1).toordinal(), counts)
        return found

    def _up_to(self, d: date) -> int:
        """Working days of ``d``'s year from 1 January up to and including ``d``."""
        first, counts = self._prefix(d.year)
        return counts[d.toordinal() - first]

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after `a` up to and including `b` (so Friday → Monday is 1);
        negative when `b` is before `a`, zero when they are the same day.

        Counted from per-year running totals, so a report over thousands of pairs does not walk
        every day of each."""
        a, b = _plain_date(a), _plain_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        if a.year == b.year:
            return self._up_to(b) - self._up_to(a)
        whole = sum(self._prefix(y)[1][-1] for y in range(a.year + 1, b.year))
        return self._prefix(a.year)[1][-1] - self._up_to(a) + whole + self._up_to(b)


LATVIA = WorkingCalendar()


def local_date(moment: datetime) -> date:
    """The date of the aware datetime `moment` in Europe/Riga."""
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("expected a timezone-aware datetime")
    return moment.astimezone(RIGA).date()


def end_of_day(d: date) -> datetime:
    """23:59:59 of the day `d` in Europe/Riga, as an aware datetime."""
    return datetime.combine(_plain_date(d), time(23, 59, 59), tzinfo=RIGA)


def _due(moment: datetime, working_days: int, cal: WorkingCalendar | None) -> datetime:
    cal = cal or LATVIA
    # Counting starts from the first working day on or after the event.
    start = cal.add_working_days(local_date(moment), 0)
    return end_of_day(cal.add_working_days(start, working_days))


def triage_deadline(
    received_at: datetime,
    proposed_urgency: str,
    policy: Policy | None = None,
    cal: WorkingCalendar | None = None,
) -> datetime:
    """When a referral received at `received_at` must be triaged: the end of the same working day
    for a proposed red, of the next working day otherwise (by default)."""
    policy = policy or Policy()
    if str(proposed_urgency) == "red":
        days = policy.triage_red_working_days
    else:
        days = policy.triage_other_working_days
    return _due(received_at, days, cal)


def convene_deadline(
    since: datetime,
    risk: str,
    policy: Policy | None = None,
    cal: WorkingCalendar | None = None,
) -> datetime:
    """By when the interprofessional group must meet: 2 working days after a case turned red,
    10 working days after a new yellow case (by default). Green cases have no such deadline."""
    policy = policy or Policy()
    if str(risk) == "red":
        return _due(since, policy.convene_after_red_working_days, cal)
    if str(risk) == "yellow":
        return _due(since, policy.convene_new_yellow_working_days, cal)
    raise ValueError(f"no convening deadline for risk {risk!r}")


def minutes_deadline(
    held_at: datetime, policy: Policy | None = None, cal: WorkingCalendar | None = None
) -> datetime:
    """By when the minutes of a meeting held at `held_at` must be approved (3 working days)."""
    return _due(held_at, (policy or Policy()).minutes_approval_working_days, cal)


def client_informed_deadline(
    decided_at: datetime, policy: Policy | None = None, cal: WorkingCalendar | None = None
) -> datetime:
    """By when the client must be informed of a decision concerning them (5 working days)."""
    return _due(decided_at, (policy or Policy()).client_informed_working_days, cal)


def next_review_date(from_date: date, risk: str, policy: Policy | None = None) -> date:
    """The next case review: `from_date` plus the calendar days of the risk colour."""
    return _plain_date(from_date) + timedelta(days=(policy or Policy()).review_days(risk))


def monitoring_ends_on(started_on: date, policy: Policy | None = None) -> date:
    """The end of the follow-up (monitoring) period begun on `started_on` (6 months by default);
    the day of month is clamped, so 31 August + 6 months is 28/29 February."""
    started_on = _plain_date(started_on)
    months = started_on.month - 1 + (policy or Policy()).monitoring_months
    year, month = started_on.year + months // 12, months % 12 + 1
    day = min(started_on.day, _calendar.monthrange(year, month)[1])
    return date(year, month, day)


def annual_report_reminder_dates(report_year: int, policy: Policy | None = None) -> list[date]:
    """Reminder dates for the annual report on `report_year`; they fall in the following year."""
    policy = policy or Policy()
    return sorted(
        date.fromisoformat(f"{report_year + 1}-{md}") for md in policy.annual_report_reminders
    )


def annual_report_overdue_from(report_year: int, policy: Policy | None = None) -> date:
    """The first day the annual report on `report_year` is overdue (1 April of the next year)."""
    return date.fromisoformat(
        f"{report_year + 1}-{(policy or Policy()).annual_report_overdue_from}"
    )
