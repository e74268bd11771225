"""Every change to an annual report: check who may, fire the workflow, flush, audit.

Who does what (DESIGN.md §2, §4): the coordinator prepares the report (starts it, writes the
narrative, sends it for review, reworks it when returned) and, once the head of the social
service has approved it, submits it to the authority: the coordinator is the one who "has the
annual report" in the roles table, the head only "approves" it, and keeping preparing and
approving in different hands is the point of the review. The head of service approves or sends
back with a comment. The authority's inspector (no municipality) returns a submitted report with
a comment or accepts it.

Submitting freezes sections A–C in ``snapshot`` with the schema version they were computed
with; nothing done to cases afterwards changes what was submitted. Nothing here commits.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.audit.operations import record
from casework.auth.models import Role
from casework.auth.operations import OperationRefused
from casework.cases.operations import AccessRefused, refusal
from casework.concurrency import Stale, check_version, flush
from casework.db_types import utcnow
from casework.extensions import db
from casework.orgs.models import Municipality
from casework.reports import indicators
from casework.reports.models import AnnualReport
from workflows import WorkflowError, annual_report
from workflows.policy import local_date

NARRATIVE_FIELDS = ("challenges", "directions", "conclusions", "state_proposals")
#: Statuses in which the figures are the frozen snapshot.
FROZEN = ("submitted", "returned", "accepted")

#: The role that may fire each trigger.
TRIGGER_ROLES = {
    "submit_for_review": Role.COORDINATOR,
    "send_back": Role.HEAD_OF_SERVICE,
    "approve": Role.HEAD_OF_SERVICE,
    "submit": Role.COORDINATOR,
    "rework": Role.COORDINATOR,
    "return_report": Role.INSPECTOR,
    "accept": Role.INSPECTOR,
}


#: The stale error of every domain (kept under its old name for callers).
StaleReport = Stale


def is_inspector(user) -> bool:
    """The authority's inspector: the role and no municipality."""
    return user.has_role(Role.INSPECTOR) and user.municipality_id is None


def may_read_municipal(user) -> bool:
    """Coordinators and heads of service see their own municipality's report, drafts too."""
    return user.municipality_id is not None and user.has_role(Role.COORDINATOR,
                                                              Role.HEAD_OF_SERVICE)


def may_fire(user, report: AnnualReport, trigger: str) -> bool:
    """May ``user`` fire ``trigger`` on ``report`` (access only, not the workflow)?"""
    role = TRIGGER_ROLES.get(trigger)
    if role is None or not user.has_role(role):
        return False
    if role == Role.INSPECTOR:
        return is_inspector(user)
    return user.municipality_id == report.municipality_id


def allowed_triggers(user, report: AnnualReport) -> list[str]:
    """The buttons ``user`` may press on ``report`` now."""
    machine = annual_report.bind(report)
    return [t for t in machine.allowed_triggers() if may_fire(user, report, t)]


def start_report(user, year: int) -> AnnualReport:
    """The coordinator starts the draft of the municipality's report on ``year``."""
    if not user.has_role(Role.COORDINATOR) or user.municipality_id is None:
        raise AccessRefused(_l("Only the coordinator prepares the annual report."))
    if year > local_date(utcnow()).year:
        raise OperationRefused(_l("A report can be written only on a year that has begun."))
    existing = db.session.scalar(select(AnnualReport).where(
        AnnualReport.municipality_id == user.municipality_id, AnnualReport.year == year))
    if existing is not None:
        return existing
    report = AnnualReport(municipality_id=user.municipality_id, year=year, status="draft",
                          prepared_by_id=user.id)
    db.session.add(report)
    db.session.flush()
    record("annual_report_started", report, user=user, details={"year": year})
    return report


def save_narrative(user, report: AnnualReport, values: dict, *, expected_version=None) -> None:
    """Save section D of a draft; a stale version (another tab, an autosave) is refused."""
    if not user.has_role(Role.COORDINATOR) or user.municipality_id != report.municipality_id:
        raise AccessRefused(_l("Only the coordinator writes the narrative."))
    check_version(report, expected_version)
    if report.status != "draft":
        raise OperationRefused(_l("Only a draft can be edited."))
    changed = []
    for name in NARRATIVE_FIELDS:
        if name in values:
            text = (values[name] or "").strip() or None
            if text != getattr(report, name):
                setattr(report, name, text)
                changed.append(name)
    if not changed:
        return
    report.prepared_by_id = user.id
    flush(report)
    record("annual_report_narrative_saved", report, user=user,
           details={"fields": changed, "version": report.version})


def transition(user, report: AnnualReport, trigger: str, *, comment: str | None = None,
               expected_version=None, at: datetime | None = None) -> None:
    """Fire ``trigger`` (see ``TRIGGER_ROLES``) with its side effects, and audit it."""
    if not may_fire(user, report, trigger):
        raise AccessRefused(_l("Your role does not allow this step of the annual report."))
    check_version(report, expected_version)
    at = at or utcnow()
    comment = (comment or "").strip() or None
    inputs = {"comment": comment} if comment else {}
    try:
        outcome = annual_report.bind(report).fire(trigger, **inputs)
    except WorkflowError as error:
        raise refusal(error) from error
    details: dict = {"from": outcome.source, "to": outcome.dest}
    if trigger == "submit_for_review":
        report.prepared_by_id = user.id
    elif trigger == "send_back":
        report.return_comment = comment
    elif trigger == "approve":
        report.approved_by_id, report.approved_at = user.id, at
    elif trigger == "submit":
        muni = db.session.get(Municipality, report.municipality_id)
        report.snapshot = indicators.compute(muni, report.year, now=at)
        report.schema_version = indicators.SCHEMA_VERSION
        report.submitted_by_id, report.submitted_at = user.id, at
        report.return_comment = None
        details["schema_version"] = report.schema_version
    elif trigger == "return_report":
        report.returned_at, report.reviewed_by_id = at, user.id
        report.return_comment = comment
    elif trigger == "accept":
        report.accepted_at, report.reviewed_by_id = at, user.id
    flush(report)
    record(f"annual_report_{trigger}", report, user=user, details=details)
    from casework.notifications.operations import notify_report_step

    notify_report_step(report, trigger, user, at)


def figures(report: AnnualReport | None, municipality: Municipality, year: int) -> dict:
    """Sections A–C: the frozen snapshot once submitted, computed now before that."""
    if report is not None and report.status in FROZEN and report.snapshot:
        return report.snapshot
    return indicators.compute(municipality, year)


def record_export(user, report: AnnualReport | None, municipality: Municipality, fmt: str):
    """Exports are in the audit log (who took which report out, in which format)."""
    record("annual_report_exported", report, user=user, municipality_id=municipality.id,
           details={"format": fmt, "municipality": municipality.atvk_code})
