"""The demo's annual report: a draft on the previous year with section D written (called at the
end of `casework.demo.seed_demo`, after the cases and the strategic group's work).

Idempotent: nothing is done when the municipality already has a report on that year. Sections
A–C come from the demo's records of the previous year; the draft goes through the service layer,
so its start and narrative are in the audit log like a coordinator's own.
"""

from __future__ import annotations

from sqlalchemy import select

from casework.auth.models import User
from casework.db_types import utcnow
from casework.demo import demo_email
from casework.extensions import db
from casework.reports import operations as ops
from casework.reports.models import AnnualReport
from workflows.policy import local_date

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


def seed_demo_report(muni) -> dict[str, int]:
    """A draft report on last year with the narrative filled in, unless one exists."""
    year = local_date(utcnow()).year - 1
    exists = db.session.scalar(select(AnnualReport.id).where(
        AnnualReport.municipality_id == muni.id, AnnualReport.year == year))
    coordinator = db.session.scalar(select(User).where(User.email == demo_email("coordinator")))
    if exists is not None or coordinator is None:
        return {"annual_report": 0}
    report = ops.start_report(coordinator, year)
    ops.save_narrative(coordinator, report, NARRATIVE, expected_version=report.version)
    return {"annual_report": 1}
