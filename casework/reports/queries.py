"""Reads of annual reports: a municipality's own, the authority's overview and aggregate, and
the coordinators' deadline banner. Single reports load through ``..._or_404`` helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort
from sqlalchemy import and_, case, func, or_, select

from casework.auth.models import Role
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.models import Decision, Meeting
from casework.orgs.models import Municipality
from casework.policies.models import PolicySetting
from casework.policies.operations import policy_for
from casework.reports.indicators import year_bounds
from casework.reports.models import AnnualReport
from casework.reports.operations import FROZEN, NARRATIVE_FIELDS, is_inspector
from workflows.policy import Policy, annual_report_overdue_from, local_date

#: Reports counted in the national aggregate.
AGGREGATED = ("submitted", "accepted")
#: The states of a report that end the coordinators' banner.
BANNER_DONE = ("submitted", "accepted")
#: The policy setting the banner's deadline follows (``policy_for`` would read them all).
DEADLINE_SETTING = "annual_report_overdue_from"
#: Figures of the national aggregate: (key, path in the snapshot).
KEY_FIGURES = (
    ("strategic_meetings", ("B", "meetings_held")),
    ("supervision_sessions", ("B", "supervision_sessions")),
    ("strategic_decisions", ("B", "decisions", "total")),
    ("proposals_state", ("B", "proposals_state")),
    ("cases_new", ("C", "cases", "new")),
    ("cases_carried_over", ("C", "cases", "carried_over")),
    ("cases_examined", ("C", "cases", "examined")),
    ("cases_closed", ("C", "closed", "total")),
    ("interprofessional_meetings", ("C", "meetings_held")),
    ("escalations_to_red", ("C", "escalations_to_red", "events")),
    ("red_at_year_end", ("C", "risk_at_year_end", "red")),
    ("tasks_issued", ("C", "tasks", "issued")),
    ("tasks_done_on_time", ("C", "tasks", "done_on_time", "count")),
)


def today() -> date:
    """Today in Riga."""
    return local_date(utcnow())


def report_for(municipality_id: int, year: int) -> AnnualReport | None:
    """The municipality's report on ``year``, if started."""
    return db.session.scalar(select(AnnualReport).where(
        AnnualReport.municipality_id == municipality_id, AnnualReport.year == year))


def municipality_of(user) -> Municipality:
    """The user's own municipality (404 for users without one)."""
    muni = db.session.get(Municipality, user.municipality_id) if user.municipality_id else None
    if muni is None:
        abort(404)
    return muni


def submitted_report_or_404(user, atvk_code: str, year: int) -> AnnualReport:
    """A report as the authority may open it: submitted, returned or accepted; never a draft."""
    if not is_inspector(user):
        abort(404)
    report = db.session.scalar(
        select(AnnualReport).join(Municipality, Municipality.id == AnnualReport.municipality_id)
        .where(Municipality.atvk_code == atvk_code, AnnualReport.year == year,
               AnnualReport.status.in_(FROZEN)))
    if report is None:
        abort(404)
    return report


@dataclass(frozen=True)
class MunicipalityStatus:
    """One row of the authority's overview."""

    municipality: Municipality
    report: AnnualReport | None
    status: str  # not_started or the report's status
    overdue: bool

    @property
    def shown(self) -> str:
        """What the overview shows: "overdue" wins over a status that is not yet submitted."""
        return "overdue" if self.overdue else self.status


def statuses_for_year(year: int, on: date | None = None) -> list[MunicipalityStatus]:
    """Every municipality with the status of its report on ``year`` (one query)."""
    on = on or today()
    rows = db.session.execute(
        select(Municipality, AnnualReport)
        .outerjoin(AnnualReport, (AnnualReport.municipality_id == Municipality.id)
                   & (AnnualReport.year == year))
        .order_by(Municipality.name)).all()
    result = []
    for muni, report in rows:
        status = report.status if report is not None else "not_started"
        late = status in ("not_started", "draft", "in_review", "approved") and \
            on >= annual_report_overdue_from(year, policy_for(muni.id))
        result.append(MunicipalityStatus(muni, report, status, late))
    return result


def _figure(snapshot: dict, path: tuple[str, ...]) -> int:
    value = snapshot
    for key in path:
        value = (value or {}).get(key)
    return int(value or 0)


def national_aggregate(year: int) -> tuple[list[tuple[Municipality, dict]], dict]:
    """Key figures of every submitted or accepted report on ``year`` and their national sum
    (exact; the pages and CSV suppress small counts)."""
    rows = db.session.execute(
        select(Municipality, AnnualReport.snapshot)
        .join(AnnualReport, AnnualReport.municipality_id == Municipality.id)
        .where(AnnualReport.year == year, AnnualReport.status.in_(AGGREGATED))
        .order_by(Municipality.name)).all()
    per = [(muni, {key: _figure(snap or {}, path) for key, path in KEY_FIGURES})
           for muni, snap in rows]
    totals = {key: sum(figs[key] for _, figs in per) for key, _ in KEY_FIGURES}
    return per, totals


@dataclass(frozen=True)
class Banner:
    """What the coordinators' banner says."""

    year: int
    days_left: int
    overdue: bool
    status: str
    empty_sections: list[str]
    minutes_not_approved: int
    decisions_pending: int


def banner_for(user, on: date | None = None) -> Banner | None:
    """From 1 February until the report on last year is submitted: days left until 31 March
    and what is missing. One query (it runs on every page of coordinators and heads of
    service): the report, the municipality's deadline setting and, unless the report is
    submitted, the counts of what is missing; None for other users and outside the period."""
    if not user.is_authenticated or user.municipality_id is None or \
            not user.has_role(Role.COORDINATOR, Role.HEAD_OF_SERVICE):
        return None
    on = on or today()
    year = on.year - 1
    if on < date(on.year, 2, 1):
        return None
    start, end = year_bounds(year)
    muni_id = user.municipality_id
    minutes = (
        select(func.count()).select_from(Meeting)
        .where(Meeting.municipality_id == muni_id, Meeting.status == "held",
               func.coalesce(Meeting.held_at, Meeting.starts_at) >= start,
               func.coalesce(Meeting.held_at, Meeting.starts_at) < end).scalar_subquery())
    pending = (
        select(func.count()).select_from(Decision)
        .where(Decision.municipality_id == muni_id, Decision.status == "pending",
               Decision.published_at >= start, Decision.published_at < end).scalar_subquery())
    deadline = (select(PolicySetting.value)
                .where(PolicySetting.municipality_id == muni_id,
                       PolicySetting.key == DEADLINE_SETTING).scalar_subquery())
    # The counts only while the report is open (a CASE evaluates its subquery only when
    # taken): once it is submitted the banner is gone.
    still_open = or_(AnnualReport.id.is_(None), AnnualReport.status.not_in(BANNER_DONE))
    report, minutes, pending, deadline = db.session.execute(
        select(AnnualReport, case((still_open, minutes)), case((still_open, pending)),
               deadline)
        .select_from(Municipality)
        .outerjoin(AnnualReport, and_(AnnualReport.municipality_id == Municipality.id,
                                      AnnualReport.year == year))
        .where(Municipality.id == muni_id)).one()
    status = report.status if report is not None else "not_started"
    if status in BANNER_DONE:
        return None
    empty = [name for name in NARRATIVE_FIELDS
             if report is None or not (getattr(report, name) or "").strip()]
    policy = Policy.from_overrides({DEADLINE_SETTING: deadline} if deadline is not None else {})
    overdue_from = annual_report_overdue_from(year, policy)
    # The deadline is the day before the report becomes overdue (31 March by default).
    return Banner(year=year, days_left=(overdue_from - timedelta(days=1) - on).days,
                  overdue=on >= overdue_from, status=status, empty_sections=empty,
                  minutes_not_approved=int(minutes or 0), decisions_pending=int(pending or 0))

