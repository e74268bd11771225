"""The JSON export of the annual report (versioned; explicit fields, STYLE.md 8).

Every format renders this schema's output, and ``dump`` applies the suppression rule of
``casework.reports.disclosure`` first (counts of children and cases of 1 and 2 as "<3", the
complementary cells and derived percentages and medians as "x"), so the PDF, XLSX, CSV and
pages cannot show a small count by accident. The fields below pass the values on as the rule
left them.

Version 1.0: sections A–C as `casework.reports.indicators` computes them, section D as written.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from casework.reports import disclosure
from casework.reports.indicators import SCHEMA_VERSION

SMALL = disclosure.SMALL
HIDDEN = disclosure.HIDDEN
SCHEMA_NAME = "casework.annual_report"


def suppress(n):
    """A single protected count as it may be shown (``disclosure.count``)."""
    if n is None or isinstance(n, str):
        return n
    return disclosure.count(int(n))


class Count(fields.Field):
    """A count: an integer, or "<3"/"x" where the suppression rule withheld it."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class Ratio(fields.Field):
    """``{"count", "base", "percent"}`` as the suppression rule left it."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return {"count": value.get("count"), "base": value.get("base"),
                "percent": value.get("percent")}


def _counts():
    return fields.Dict(keys=fields.String(), values=Count())


class SectionA(Schema):
    municipality = fields.String()
    atvk_code = fields.String()
    year = fields.Integer()
    coordinator_institutions = fields.List(fields.String())
    strategic_groups = Count()
    members = Count()
    composition = _counts()
    required_kinds_missing = fields.List(fields.String())


class AttendanceRow(Schema):
    invited = Count()
    attended = Count()


class Decisions(Schema):
    total = Count()
    pending = Count()
    in_progress = Count()
    executed = Count()
    not_executed = Count()


class SectionB(Schema):
    meetings_held = Count()
    meeting_dates = fields.List(fields.String())
    supervision_sessions = Count()
    supervision_dates = fields.List(fields.String())
    attendance = fields.Dict(keys=fields.String(), values=fields.Nested(AttendanceRow))
    decisions = fields.Nested(Decisions)
    proposals_municipality = Count()
    proposals_state = Count()


class Cases(Schema):
    new = Count()
    carried_over = Count()
    reopened = Count()
    examined = Count()


class Closures(Schema):
    total = Count()
    by_reason = _counts()


class Referrals(Schema):
    received = Count()
    by_institution_kind = _counts()


class RiskCounts(Schema):
    green = Count()
    yellow = Count()
    red = Count()


class QuarterRisk(RiskCounts):
    quarter = fields.Integer()


class Escalations(Schema):
    events = Count()
    cases = Count()


class Triage(Schema):
    triaged = Count()
    median_working_days = fields.Raw()
    within_policy = Ratio()


class RedToMeeting(Schema):
    red_starts = Count()
    met = Count()
    median_working_days = fields.Raw()
    within_policy = Ratio()


class Tasks(Schema):
    issued = Count()
    done = Count()
    done_on_time = Ratio()


class Participation(Schema):
    decisions = Count()
    informed = Ratio()
    opinion_recorded = Ratio()


class PlanGoals(Schema):
    due_or_closed = Count()
    reached = Ratio()


class ChildrenByAge(Schema):
    class Meta:
        # Keys are band names such as "0-6", not identifiers.
        include = {band: Count() for band in ("0-6", "7-12", "13-17", "18+", "unknown")}


class SectionC(Schema):
    cases = fields.Nested(Cases)
    closed = fields.Nested(Closures)
    meetings_held = Count()
    by_category = _counts()
    referrals = fields.Nested(Referrals)
    risk_at_year_end = fields.Nested(RiskCounts)
    risk_by_quarter = fields.List(fields.Nested(QuarterRisk))
    escalations_to_red = fields.Nested(Escalations)
    triage = fields.Nested(Triage)
    red_to_meeting = fields.Nested(RedToMeeting)
    tasks = fields.Nested(Tasks)
    children_by_age = fields.Nested(ChildrenByAge)
    client_participation = fields.Nested(Participation)
    # Added after schema 1.0 was first submitted: a frozen snapshot without it shows none.
    plan_goals = fields.Nested(PlanGoals)


class SectionD(Schema):
    challenges = fields.String(allow_none=True)
    directions = fields.String(allow_none=True)
    conclusions = fields.String(allow_none=True)
    state_proposals = fields.String(allow_none=True)


class Sections(Schema):
    A = fields.Nested(SectionA)
    B = fields.Nested(SectionB)
    C = fields.Nested(SectionC)
    D = fields.Nested(SectionD)


class Official(Schema):
    """An official by the role they acted in and their institution; never a name."""

    role = fields.String(allow_none=True)
    institution = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class Requisites(Schema):
    """The report as a document: its date, who prepared, approved and submitted it and when,
    and the contact (officials by role, institution and work e-mail; never a client)."""

    date = fields.String(allow_none=True)
    prepared_by = fields.Nested(Official, allow_none=True)
    approved_by = fields.Nested(Official, allow_none=True)
    approved_at = fields.String(allow_none=True)
    submitted_by = fields.Nested(Official, allow_none=True)
    submitted_at = fields.String(allow_none=True)
    contact = fields.Nested(Official, allow_none=True)


class AnnualReportExport(Schema):
    """The whole report as exported; ``schema_version`` of the figures it was computed with."""

    schema = fields.Constant(SCHEMA_NAME)
    schema_version = fields.String()
    municipality = fields.String()
    atvk_code = fields.String()
    year = fields.Integer()
    recipient = fields.String()
    status = fields.String()
    figures_frozen = fields.Boolean()
    computed_at = fields.String()
    submitted_at = fields.String(allow_none=True)
    requisites = fields.Nested(Requisites)
    sections = fields.Nested(Sections)


def dump(document: dict) -> dict:
    """The export document under the suppression rule (``SCHEMA_VERSION`` if missing)."""
    document = {"schema_version": SCHEMA_VERSION, **document}
    return AnnualReportExport().dump(disclosure.protect_report(document))
