"""The demo's annual reports (called at the end of `casework.demo.seed_demo`, after the cases
and the strategic group's work).

The report on the previous year has section D written. Before 1 April (the reporting season) it
is the coordinator's draft, so the banner and the lifecycle can be tried; from 1 April it has
gone the whole way, as a municipality's report would have by then: reviewed, approved by the
head of service, submitted in March with its figures frozen, and accepted by the inspector.
Then the current year's report is started as a draft with its first narrative section.

Idempotent: nothing is done when the municipality already has a report on that year. Everything
goes through the service layer, so each step is in the audit log like a user's own.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from casework.auth.models import User
from casework.db_types import utcnow
from casework.demo import demo_email
from casework.extensions import db
from casework.reports import operations as ops
from casework.reports.models import AnnualReport
from workflows.policy import RIGA, annual_report_overdue_from, local_date

NARRATIVE = {
    "challenges": (
        "Skolu kavējumu gadījumu skaits pieauga, un izglītības iestāžu ziņojumi bieži pienāca "
        "novēloti. Sarkano gadījumu starpprofesionāļu grupas ne vienmēr izdevās sasaukt divu "
        "darba dienu laikā, jo trūka bāriņtiesas un policijas pārstāvju."),
    "directions": (
        "Agrīna iesaiste: skolas ziņo pēc trešās neattaisnotās kavējuma dienas; ģimeņu "
        "atbalsta pakalpojumu paplašināšana; kopīgas mācības par luksofora principu."),
    "conclusions": (
        "Sanāksmju protokoli jāapstiprina trīs darba dienu laikā; lēmumu izpildes gaita "
        "jāpārskata katrā stratēģiskās grupas sanāksmē; klienta viedoklis jāieraksta vienmēr."),
    "state_proposals": (
        "Noteikt vienotus lietas slēgšanas kritērijus un pēcnovērošanas periodu; paredzēt valsts "
        "finansējumu gadījumu vadītāju slodzes samazināšanai līdz 2027. gada mērķim."),
}


def _user(role: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == demo_email(role)))


def seed_demo_report(muni) -> dict[str, int]:
    """Last year's report (a draft in the season, accepted after it) and, after the season,
    this year's draft; nothing for a year that already has a report."""
    today = local_date(utcnow())
    year = today.year - 1
    coordinator = _user("coordinator")
    if coordinator is None:
        return {"annual_report": 0}
    made = 0
    if _exists(muni, year) is None:
        report = ops.start_report(coordinator, year)
        ops.save_narrative(coordinator, report, NARRATIVE, expected_version=report.version)
        made += 1
        if today >= annual_report_overdue_from(year):
            _through_the_season(report, coordinator, year)
    if today >= annual_report_overdue_from(year) and _exists(muni, today.year) is None:
        report = ops.start_report(coordinator, today.year)
        ops.save_narrative(coordinator, report, {"challenges": NARRATIVE["challenges"]},
                           expected_version=report.version)
        made += 1
    return {"annual_report": made}


def _exists(muni, year: int):
    return db.session.scalar(select(AnnualReport.id).where(
        AnnualReport.municipality_id == muni.id, AnnualReport.year == year))


def _through_the_season(report: AnnualReport, coordinator: User, year: int) -> None:
    """Review, approval and submission in March of the next year, acceptance in April."""
    head, inspector = _user("head_of_service"), _user("inspector")
    if head is None or inspector is None:
        return

    def on(month: int, day: int) -> datetime:
        return datetime(year + 1, month, day, 11, 0, tzinfo=RIGA).astimezone(UTC)

    ops.transition(coordinator, report, "submit_for_review", at=on(3, 16))
    ops.transition(head, report, "approve", at=on(3, 20))
    ops.transition(coordinator, report, "submit", at=on(3, 24))
    ops.transition(inspector, report, "accept", at=on(4, 14))
