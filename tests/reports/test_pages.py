"""The authority's pages, the deadline banner and the access matrix."""

from __future__ import annotations

import time_machine
from sqlalchemy import select

from casework.extensions import db
from casework.reports import operations as ops
from casework.reports.models import AnnualReport
from casework.reports.queries import banner_for

from .conftest import YEAR


def _submit(known_year):
    p = known_year["people"]
    report = ops.start_report(p["coordinator"], YEAR)
    for trigger, who in (("submit_for_review", "coordinator"), ("approve", "head"),
                         ("submit", "coordinator")):
        ops.transition(p[who], report, trigger)
    db.session.commit()
    return report


def test_inspector_sees_every_municipality_with_status_overdue_and_not_started(
        client, known_year, make_municipality, make_user):
    other = make_municipality("Citu novads", "0888001")
    late = make_municipality("Vēlais novads", "0777001")
    db.session.add(AnnualReport(municipality_id=late.id, year=YEAR, status="draft"))
    db.session.add(AnnualReport(municipality_id=other.id, year=YEAR - 1, status="accepted"))
    db.session.commit()
    _submit(known_year)
    inspector = make_user("inspector")

    def page():
        fresh = client.application.test_client()
        fresh.login(inspector.email)
        return fresh.get(f"/reports/municipalities?year={YEAR}").get_data(as_text=True)

    with time_machine.travel("2026-02-15 10:00 +0200", tick=False):
        html = page()
    assert "Parauga novads" in html and "Citu novads" in html and "Vēlais novads" in html
    assert html.count("nav uzsākts") + html.count("not started") == 1
    assert "iesniegts" in html or "submitted" in html
    assert "nokavēts" not in html and "overdue" not in html
    with time_machine.travel("2026-04-01 10:00 +0300", tick=False):
        html = page()
    assert html.count("report-status-overdue") == 2  # the one not started and the draft
    assert f"/reports/municipalities/0999001/{YEAR}" in html


def test_inspector_never_opens_a_draft(client, known_year, login_as):
    ops.start_report(known_year["people"]["coordinator"], YEAR)
    db.session.commit()
    login_as("inspector")
    assert client.get(f"/reports/municipalities/0999001/{YEAR}").status_code == 404
    assert client.get(f"/reports/municipalities/0999001/{YEAR}/export.pdf").status_code == 404


def test_inspector_reads_the_snapshot_and_the_national_aggregate_csv(client, known_year,
                                                                     login_as):
    _submit(known_year)
    login_as("inspector")
    page = client.get(f"/reports/municipalities/0999001/{YEAR}").get_data(as_text=True)
    assert "Parauga novads" in page and "Gunta" not in page
    html = client.get(f"/reports/national?year={YEAR}").get_data(as_text=True)
    assert "Parauga novads" in html
    csv = client.get(f"/reports/national.csv?year={YEAR}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert len(lines) == 4  # header, one municipality, total, notes
    row = lines[1].split(";")
    assert row[:2] == ["Parauga novads", "0999001"]
    # strategic meetings 3, supervision 1, decisions 3, proposals to the state 1 (not children:
    # shown as they are), new cases 3...
    assert row[2:7] == ["3", "1", "3", "1", "3"]


def test_national_csv_neutralises_cells_that_start_like_a_formula(client, known_year,
                                                                 login_as):
    import csv
    import io

    _submit(known_year)
    known_year["municipality"].name = "=cmd|' /C calc'!A0"
    db.session.commit()
    login_as("inspector")
    body = client.get(f"/reports/national.csv?year={YEAR}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[1][:2] == ["'=cmd|' /C calc'!A0", "0999001"]
    assert rows[1][2] == "3"  # numbers stay numbers
    assert not [c for row in rows for c in row if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_returned_report_is_in_the_list_but_not_in_the_aggregate(client, known_year,
                                                                 login_as, make_user):
    report = _submit(known_year)
    ops.transition(make_user("inspector"), report, "return_report", comment="Labot")
    db.session.commit()
    login_as("inspector")
    html = client.get(f"/reports/national?year={YEAR}").get_data(as_text=True)
    assert "Parauga novads" not in html


def test_banner_from_1_february_with_days_left_and_what_is_missing(client, known_year):
    coordinator = known_year["people"]["coordinator"]
    with time_machine.travel("2027-01-31 12:00 +0200", tick=False):
        assert banner_for(coordinator) is None
    with time_machine.travel("2027-02-01 09:00 +0200", tick=False):
        banner = banner_for(coordinator)
        assert banner.year == 2026 and banner.days_left == 58 and not banner.overdue
        assert banner.status == "not_started" and len(banner.empty_sections) == 4
    with time_machine.travel("2026-02-01 09:00 +0200", tick=False):
        banner = banner_for(coordinator)
        # The known year 2025: the strategic meeting of 11.06 and C1's group meeting are held
        # without approved minutes; 1 strategic and 3 interprofessional decisions pending,
        # and the proposal to the state.
        assert banner.year == 2025 and banner.days_left == 58
        assert banner.minutes_not_approved == 2 and banner.decisions_pending == 5
        client.login(coordinator.email)
        html = client.get("/").get_data(as_text=True)
    assert "report-banner" in html and "58" in html


def test_banner_overdue_after_31_march_and_gone_once_submitted(known_year):
    head = known_year["people"]["head"]
    with time_machine.travel("2026-04-01 09:00 +0300", tick=False):
        assert banner_for(head).overdue
    _submit(known_year)
    with time_machine.travel("2026-04-01 09:00 +0300", tick=False):
        assert banner_for(head) is None


def test_banner_is_not_for_other_roles(known_year, make_user):
    with time_machine.travel("2026-02-10 09:00 +0200", tick=False):
        assert banner_for(known_year["people"]["manager"]) is None
        assert banner_for(make_user("inspector")) is None


ACCESS = {
    # role: (municipal report page, inspector list, national csv)
    "coordinator": (200, 403, 403),
    "head_of_service": (200, 403, 403),
    "case_manager": (403, 403, 403),
    "specialist": (403, 403, 403),
    "admin": (403, 403, 403),
    "auditor": (403, 403, 403),
    "inspector": (403, 200, 200),
}


def test_access_matrix(client, app, municipality, make_user):
    for role, expected in ACCESS.items():
        user = make_user(role)
        fresh = app.test_client()
        fresh.login(user.email)
        got = tuple(fresh.get(url).status_code for url in (
            f"/reports/annual/{YEAR}", f"/reports/municipalities?year={YEAR}",
            f"/reports/national.csv?year={YEAR}"))
        assert got == expected, role


def test_only_the_coordinator_starts_and_writes_the_report(client, known_year):
    head = known_year["people"]["head"]
    client.login(head.email)
    page = f"/reports/annual/{YEAR}"
    assert client.post_form(f"{page}/start", token_from=page).status_code == 403
    assert db.session.scalar(select(AnnualReport)) is None


def test_navigation_offers_the_report_to_its_roles(client, login_as):
    login_as("coordinator")
    assert 'href="/reports/annual"' in client.get("/").get_data(as_text=True)


def test_navigation_offers_the_municipalities_to_the_inspector(client, login_as):
    login_as("inspector")
    assert 'href="/reports/municipalities"' in client.get("/").get_data(as_text=True)
