"""Default policy, its overrides, the Latvian working-day calendar and the deadlines (DESIGN §5)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from workflows.policy import (
    LATVIA,
    RIGA,
    Policy,
    WorkingCalendar,
    annual_report_overdue_from,
    annual_report_reminder_dates,
    caseload_limit,
    client_informed_deadline,
    convene_deadline,
    end_of_day,
    local_date,
    minutes_deadline,
    monitoring_ends_on,
    next_review_date,
    triage_deadline,
)


def riga(y, m, d, hh=10, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=RIGA)


def eod(y, m, d) -> datetime:
    return datetime.combine(date(y, m, d), time(23, 59, 59), tzinfo=RIGA)


# --- the policy -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "default"),
    [
        ("triage_red_working_days", 0),
        ("triage_other_working_days", 1),
        ("convene_after_red_working_days", 2),
        ("convene_new_yellow_working_days", 10),
        ("review_days_red", 14),
        ("review_days_yellow", 42),
        ("review_days_green", 91),
        ("minutes_approval_working_days", 3),
        ("client_informed_working_days", 5),
        ("monitoring_months", 6),
        ("caseload_warning", 25),
        ("caseload_warning_reduced", 20),
        ("caseload_reduced_from", date(2027, 1, 1)),
        ("children_under_12_limit", 30),
        ("supervisions_per_year", 1),
        ("retention_years", 10),
    ],
)
def test_policy_defaults_are_those_of_the_design(name, default):
    assert getattr(Policy(), name) == default


def test_overrides_replace_defaults_and_ignore_unknown_keys():
    policy = Policy.from_overrides(
        {"review_days_red": 7, "minutes_approval_working_days": "5", "colour": "blue"}
    )
    assert policy.review_days_red == 7
    assert policy.minutes_approval_working_days == 5
    assert policy.review_days_yellow == 42


def test_no_overrides_is_the_default_policy():
    assert Policy.from_overrides(None) == Policy() == Policy.from_overrides({})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"caseload_warning": -1}, "caseload_warning: -1 must not be negative"),
        ({"retention_years": "-3"}, "retention_years: -3 must not be negative"),
        ({"review_days_red": 0}, "review_days_red: a review interval must be at least 1 day"),
        ({"monitoring_months": 1.5}, "monitoring_months: 1.5 is not a whole number"),
        ({"monitoring_months": True}, "monitoring_months: True is not a whole number"),
        ({"monitoring_months": "six"}, "monitoring_months: 'six' is not a whole number"),
        ({"caseload_reduced_from": "2027-13-01"}, "caseload_reduced_from"),
        ({"annual_report_reminders": ["02-30"]}, "annual_report_reminders"),
        ({"annual_report_overdue_from": "April"}, "annual_report_overdue_from"),
    ],
)
def test_bad_overrides_are_refused_with_a_message_naming_the_setting(overrides, message):
    with pytest.raises(ValueError, match="policy " + message.replace("(", r"\(")):
        Policy.from_overrides(overrides)


def test_date_and_list_settings_accept_text():
    policy = Policy.from_overrides(
        {"caseload_reduced_from": "2028-01-01", "annual_report_reminders": "03-10, 03-20"}
    )
    assert policy.caseload_reduced_from == date(2028, 1, 1)
    assert policy.annual_report_reminders == ("03-10", "03-20")


@pytest.mark.parametrize(
    ("on_date", "limit"),
    [(date(2026, 12, 31), 25), (date(2027, 1, 1), 20), (date(2030, 6, 1), 20)],
)
def test_caseload_limit_is_25_until_2027_and_20_from_then(on_date, limit):
    assert caseload_limit(Policy(), on_date) == limit


def test_caseload_limits_and_their_change_date_are_overridable():
    policy = Policy.from_overrides(
        {
            "caseload_warning": 30,
            "caseload_warning_reduced": 22,
            "caseload_reduced_from": "2026-07-01",
        }
    )
    assert caseload_limit(policy, date(2026, 6, 30)) == 30
    assert caseload_limit(policy, date(2026, 7, 1)) == 22


# --- the calendar ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "holiday",
    [
        date(2026, 1, 1),  # New Year's Day
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 1),  # Labour Day, Constituent Assembly
        date(2026, 5, 4),  # Restoration of Independence
        date(2027, 6, 23),  # Līgo
        date(2027, 6, 24),  # Jāņi
        date(2026, 11, 18),  # Proclamation of the Republic
        date(2025, 12, 24),
        date(2025, 12, 25),
        date(2025, 12, 26),
        date(2025, 12, 31),
    ],
)
def test_latvian_public_holidays_are_not_working_days(holiday):
    assert holiday.weekday() < 5
    assert not LATVIA.is_working_day(holiday)


def test_add_working_days_skips_restoration_of_independence_day_4_may():
    # Monday 3 May 2027; Tuesday 4 May is the holiday.
    assert LATVIA.add_working_days(date(2027, 5, 3), 1) == date(2027, 5, 5)


def test_4_may_on_a_weekend_makes_the_next_monday_a_holiday():
    # 4 May 2025 was a Sunday.
    assert not LATVIA.is_working_day(date(2025, 5, 5))
    assert LATVIA.add_working_days(date(2025, 5, 2), 1) == date(2025, 5, 6)


def test_midsummer_23_24_june_are_not_working_days():
    assert not LATVIA.is_working_day(date(2027, 6, 23))
    assert not LATVIA.is_working_day(date(2027, 6, 24))
    # Tuesday 22 June 2027 + 1 working day is Friday 25 June.
    assert LATVIA.add_working_days(date(2027, 6, 22), 1) == date(2027, 6, 25)


def test_18_november_is_not_a_working_day():
    assert not LATVIA.is_working_day(date(2027, 11, 18))
    assert LATVIA.add_working_days(date(2027, 11, 17), 1) == date(2027, 11, 19)


def test_18_november_on_a_weekend_makes_the_next_monday_a_holiday():
    # 18 November 2028 is a Saturday.
    assert not LATVIA.is_working_day(date(2028, 11, 20))
    assert LATVIA.is_working_day(date(2028, 11, 21))


def test_transferred_days_off_and_the_saturdays_worked_for_them_follow_the_holidays_package():
    # Monday 23 December 2024 was a day off, worked on Saturday 14 December 2024.
    assert not LATVIA.is_working_day(date(2024, 12, 23))
    assert LATVIA.is_working_day(date(2024, 12, 14))
    assert not LATVIA.is_working_day(date(2024, 12, 15))


def test_weekends_are_not_working_days():
    assert not LATVIA.is_working_day(date(2025, 3, 8))
    assert not LATVIA.is_working_day(date(2025, 3, 9))
    assert LATVIA.is_working_day(date(2025, 3, 10))


def test_municipal_extra_holidays_and_working_days():
    cal = WorkingCalendar(extra_holidays=[date(2025, 3, 10)], extra_working_days=[date(2025, 3, 8)])
    assert not cal.is_working_day(date(2025, 3, 10))
    assert cal.is_working_day(date(2025, 3, 8))
    assert cal.add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 8)


def test_a_day_cannot_be_both_an_extra_holiday_and_an_extra_working_day():
    with pytest.raises(ValueError, match="both"):
        WorkingCalendar(extra_holidays=[date(2025, 3, 8)], extra_working_days=[date(2025, 3, 8)])


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2025, 3, 7), 0, date(2025, 3, 7)),  # a working Friday is itself
        (date(2025, 3, 8), 0, date(2025, 3, 10)),  # Saturday → Monday
        (date(2025, 12, 24), 0, date(2025, 12, 29)),  # Christmas → the Monday after
        (date(2025, 3, 7), 1, date(2025, 3, 10)),  # Friday + 1 → Monday
        (date(2025, 3, 8), 1, date(2025, 3, 10)),  # Saturday + 1 → Monday
        (date(2025, 12, 23), 2, date(2025, 12, 30)),  # over Christmas and a weekend
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # over Easter
    ],
)
def test_add_working_days(start, n, expected):
    assert LATVIA.add_working_days(start, n) == expected


def test_add_working_days_refuses_negative_counts_and_datetimes():
    with pytest.raises(ValueError):
        LATVIA.add_working_days(date(2025, 3, 7), -1)
    with pytest.raises(TypeError):
        LATVIA.add_working_days(datetime(2025, 3, 7, tzinfo=UTC), 1)


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [
        (date(2025, 3, 7), date(2025, 3, 7), 0),
        (date(2025, 3, 7), date(2025, 3, 10), 1),  # Friday → Monday
        (date(2025, 3, 10), date(2025, 3, 14), 4),
        (date(2025, 12, 23), date(2025, 12, 29), 1),  # Christmas and a weekend between
        (date(2025, 3, 10), date(2025, 3, 7), -1),
    ],
)
def test_working_days_between_counts_days_after_a_up_to_and_including_b(a, b, count):
    assert LATVIA.working_days_between(a, b) == count


# --- deadlines ------------------------------------------------------------------------------


def test_triage_deadline_for_red_referral_is_the_end_of_the_same_working_day():
    assert triage_deadline(riga(2025, 3, 5), "red") == eod(2025, 3, 5)


def test_triage_deadline_for_red_referral_received_on_saturday_is_monday_end_of_day():
    deadline = triage_deadline(riga(2025, 3, 8, 14), "red")
    assert deadline == eod(2025, 3, 10)
    assert deadline.tzinfo is RIGA
    assert deadline.time() == time(23, 59, 59)


@pytest.mark.parametrize("urgency", ["yellow", "green"])
def test_triage_deadline_for_other_referrals_is_the_next_working_day(urgency):
    assert triage_deadline(riga(2025, 3, 7), urgency) == eod(2025, 3, 10)  # Friday → Monday
    assert triage_deadline(riga(2025, 3, 8), urgency) == eod(2025, 3, 11)  # Saturday → Tuesday


def test_triage_deadline_uses_the_date_in_riga_not_in_utc():
    # 22:30 UTC on Thursday 6 March 2025 is 00:30 on Friday in Riga.
    received = datetime(2025, 3, 6, 22, 30, tzinfo=UTC)
    assert local_date(received) == date(2025, 3, 7)
    assert triage_deadline(received, "red") == eod(2025, 3, 7)


def test_triage_deadline_in_summer_time_ends_at_local_midnight():
    deadline = triage_deadline(riga(2025, 7, 2), "red")
    assert deadline.utcoffset() == timedelta(hours=3)
    assert deadline.astimezone(UTC) == datetime(2025, 7, 2, 20, 59, 59, tzinfo=UTC)


def test_triage_deadline_follows_the_municipality_s_policy():
    policy = Policy.from_overrides({"triage_other_working_days": 2})
    assert triage_deadline(riga(2025, 3, 7), "yellow", policy) == eod(2025, 3, 11)


def test_deadlines_need_an_aware_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        triage_deadline(datetime(2025, 3, 7, 10, 0), "red")


def test_convene_deadline_is_2_working_days_after_a_case_turned_red():
    # Thursday → Monday.
    assert convene_deadline(riga(2025, 3, 6), "red") == eod(2025, 3, 10)


def test_convene_deadline_is_10_working_days_for_a_new_yellow_case():
    assert convene_deadline(riga(2025, 3, 3), "yellow") == eod(2025, 3, 17)


def test_green_cases_have_no_convening_deadline():
    with pytest.raises(ValueError):
        convene_deadline(riga(2025, 3, 3), "green")


def test_minutes_are_due_3_working_days_after_the_meeting():
    # Wednesday 29 April 2026: 1 May (Friday) and 4 May (Monday) are holidays.
    assert minutes_deadline(riga(2026, 4, 29)) == eod(2026, 5, 6)


def test_client_is_informed_within_5_working_days():
    # Thursday 2 April 2026, over Easter: 3, 6 April are holidays.
    assert client_informed_deadline(riga(2026, 4, 2)) == eod(2026, 4, 13)


@pytest.mark.parametrize(
    ("risk", "expected"),
    [("red", date(2025, 3, 17)), ("yellow", date(2025, 4, 14)), ("green", date(2025, 6, 2))],
)
def test_next_review_date_follows_the_colour_in_calendar_days(risk, expected):
    assert next_review_date(date(2025, 3, 3), risk) == expected


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2025, 1, 15), date(2025, 7, 15)), (date(2025, 8, 31), date(2026, 2, 28))],
)
def test_monitoring_lasts_6_months(start, end):
    assert monitoring_ends_on(start) == end


def test_annual_report_reminders_fall_in_march_of_the_next_year_and_overdue_from_1_april():
    assert annual_report_reminder_dates(2025) == [
        date(2026, 3, 1),
        date(2026, 3, 15),
        date(2026, 3, 25),
    ]
    assert annual_report_overdue_from(2025) == date(2026, 4, 1)


def test_end_of_day_is_23_59_59_in_riga():
    assert end_of_day(date(2025, 1, 2)) == datetime(2025, 1, 2, 21, 59, 59, tzinfo=UTC)
