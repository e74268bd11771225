"""Sections A–C of the annual report (DESIGN.md §6), computed from what was recorded.

Every figure is a SQL aggregate over one municipality and one year (Europe/Riga calendar year);
no loop over cases. Two kinds of figure need the working-day calendar, which SQL does not
know (weekends, Latvian public holidays, transferred days off): the working days from referral
to triage and from a case turning red to its group's first meeting. For those the query fetches
only the pairs of moments of the year's referrals or red turns (two columns, one row each), and
the calendar counts the days of each pair; the median is taken of that list. Whether a task was
done on time compares the local (Riga) date of its closing with its due date; SQLite knows no
time zones, so those pairs (due date, closed at) are fetched the same way.

A case's state at a moment is read from its append-only history (``CaseEvent``): the last
lifecycle transition before the moment gives its status, the last risk transition its colour.
So a case closed and reopened, or moved between colours, counts as it stood at that moment,
whatever it became later.

The result is a plain dict of JSON values (counts are exact here; the exports suppress small
counts). ``SCHEMA_VERSION`` says how to read it; it is stored with a submitted report's snapshot.
"""

from __future__ import annotations

import statistics
from datetime import date, datetime, time, timedelta

from sqlalchemy import (
    Date,
    String,
    and_,
    case,
    cast,
    column,
    distinct,
    exists,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
    values,
)

from casework.auth.models import User
from casework.cases.models import (
    Case,
    CaseCategory,
    CaseEvent,
    CasePerson,
    ClientParticipation,
    Referral,
)
from casework.db_types import UTCDateTime, utcnow
from casework.extensions import db
from casework.groups.models import (
    Attendance,
    CooperationGroup,
    Decision,
    GroupMember,
    Meeting,
)
from casework.orgs.models import Institution, Municipality
from casework.policies.operations import calendar_for, policy_for
from casework.tasks.models import Task
from workflows.policy import RIGA, convene_deadline, local_date

SCHEMA_VERSION = "1.0"

RISKS = ("green", "yellow", "red")
DECISION_STATES = ("pending", "in_progress", "executed", "not_executed")
AGE_BANDS = ("0-6", "7-12", "13-17", "18+", "unknown")
#: Institutions Cabinet Regulation No. 545 requires in the strategic group (police: either).
REQUIRED_KINDS = (("social_service",), ("orphans_court",), ("municipal_police", "state_police"),
                  ("education_board", "school", "preschool"))
HELD = ("held", "minutes_approved")


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """1 January 00:00 of ``year`` and of the next year, in Riga time (aware)."""
    return datetime(year, 1, 1, tzinfo=RIGA), datetime(year + 1, 1, 1, tzinfo=RIGA)


def quarter_ends(year: int) -> list[datetime]:
    """The first moment after each quarter of ``year`` (Riga time)."""
    return [datetime(year, m, 1, tzinfo=RIGA) for m in (4, 7, 10)] + [year_bounds(year)[1]]


# -- the history of a case, in SQL -----------------------------------------------------------
def _states(muni_id: int, year: int):
    """CTE: one row per case of the municipality opened before the year ended, with its state
    at the year's start and at the end of each quarter, read from its history in one pass.

    Each lifecycle (with a state) or risk event is valid from its moment until the next event
    of the same machine (``lead``, in the order of moment and id); the state just before a
    moment ``m`` is the event with ``at < m <= until``; at most one event per machine
    matches, so ``max`` picks it. A case's colour before its first risk transition is the one
    that transition started from (``lag`` finds the first), and without any, its present
    colour. A case with no lifecycle event before ``m`` has no status there (NULL), and a NULL
    status is neither open nor closed, as in a correlated lookup. Whether the case was
    reopened in the year is an indexed ``EXISTS`` (by case, machine and time).

    Columns: ``case_id``, ``new``, ``carried``, ``examined`` (0/1) and per quarter ``q``
    (1–4) ``open_q`` (0/1, open just before the quarter ended) and ``risk_q``.
    """
    start, end = year_bounds(year)
    moments = [start, *quarter_ends(year)]
    window = {"partition_by": (CaseEvent.case_id, CaseEvent.machine),
              "order_by": (CaseEvent.at, CaseEvent.id)}
    events = (
        select(CaseEvent.case_id, CaseEvent.machine, CaseEvent.at, CaseEvent.to_state,
               CaseEvent.from_state,
               # Typed as the column is, so that a moment compared with them is bound as UTC
               # (SQLite stores naive UTC; an untyped window would compare Riga wall time).
               func.lead(CaseEvent.at, type_=UTCDateTime()).over(**window).label("until"),
               func.lag(CaseEvent.at, type_=UTCDateTime()).over(**window).label("since"))
        # The municipality's histories, read in the order of its index (no join, no sort);
        # a case opened after the year has no row in the result (outer join below).
        .where(CaseEvent.municipality_id == muni_id,
               or_(CaseEvent.machine == "risk", and_(CaseEvent.machine == "lifecycle",
                                                     CaseEvent.to_state.is_not(None))))
        .subquery("events"))
    e = events.c

    def valid_at(machine: str, moment: datetime):
        return and_(e.machine == machine, e.at < moment,
                    or_(e.until.is_(None), e.until >= moment))

    columns = [e.case_id]
    for i, moment in enumerate(moments):
        columns.append(func.max(case((valid_at("lifecycle", moment), e.to_state)))
                       .label(f"status_{i}"))
        if i:
            columns.append(func.max(case((valid_at("risk", moment), e.to_state)))
                           .label(f"before_{i}"))
            columns.append(func.max(case((and_(e.machine == "risk", e.at >= moment, or_(
                e.since.is_(None), e.since < moment)), e.from_state))).label(f"after_{i}"))
    # An event superseded before the year began holds at none of the moments, and one that
    # follows another after the year ended is not the first after any of them: neither can
    # change a figure, so they are left out before the per-case aggregation (each machine's
    # last event, valid until now, always stays).
    per_case = (select(*columns)
                .where(or_(e.until.is_(None), e.until >= start),
                       or_(e.since.is_(None), e.since < end))
                .group_by(e.case_id).subquery("per_case"))
    h = per_case.c

    def flag(condition):
        return case((condition, 1), else_=0)

    open_start = h.status_0 != "closed"
    reopened = exists().where(CaseEvent.case_id == Case.id, CaseEvent.machine == "lifecycle",
                              CaseEvent.trigger == "reopen", CaseEvent.at >= start,
                              CaseEvent.at < end)
    rows = [Case.id.label("case_id"),
            flag(Case.opened_at >= start).label("new"),
            flag(and_(Case.opened_at < start, open_start)).label("carried"),
            flag(or_(Case.opened_at >= start, open_start, reopened)).label("examined")]
    for q, moment in enumerate(moments[1:], start=1):
        rows.append(flag(and_(Case.opened_at < moment, getattr(h, f"status_{q}") != "closed"))
                    .label(f"open_{q}"))
        rows.append(func.coalesce(getattr(h, f"before_{q}"), getattr(h, f"after_{q}"),
                                  Case.risk).label(f"risk_{q}"))
    return (select(*rows).select_from(Case).outerjoin(per_case, per_case.c.case_id == Case.id)
            .where(Case.municipality_id == muni_id, Case.opened_at < end).cte("states"))


def _case_figures(muni_id: int, year: int) -> dict:
    """The figures of section C that depend on a case's state in the year, from one statement
    over ``_states``: the counts of new, carried-over and examined cases, the colours of the
    open cases at each quarter's end, the examined cases by category and their children by
    age (one child in two cases counts once when the personal code is known)."""
    states = _states(muni_id, year)
    st = states.c
    as_text = lambda v: literal(v, String)  # noqa: E731 - one-line label
    members = [select(as_text("cases"), as_text(""), func.sum(st.new), func.sum(st.carried),
                      func.sum(st.examined))]
    for q in range(1, 5):
        risk = getattr(st, f"risk_{q}")
        members.append(select(as_text(f"q{q}"), risk, func.count(), literal(0), literal(0))
                       .where(getattr(st, f"open_{q}") == 1).group_by(risk))
    members.append(
        select(as_text("category"), CaseCategory.category,
               func.count(distinct(CaseCategory.case_id)), literal(0), literal(0))
        .join(states, st.case_id == CaseCategory.case_id)
        .where(st.examined == 1).group_by(CaseCategory.category))
    age = year - extract("year", CasePerson.birth_date)
    band = case((CasePerson.birth_date.is_(None), "unknown"), (age <= 6, "0-6"),
                (age <= 12, "7-12"), (age <= 17, "13-17"), else_="18+")
    key = func.coalesce(CasePerson.personal_code, "id" + cast(CasePerson.id, String))
    children = (select(key.label("child"), band.label("band")).select_from(CasePerson)
                .join(states, st.case_id == CasePerson.case_id)
                .where(CasePerson.role == "child", st.examined == 1).distinct()
                .subquery("children"))
    members.append(select(as_text("age"), children.c.band, func.count(distinct(children.c.child)),
                          literal(0), literal(0)).group_by(children.c.band))
    result = {"cases": {}, "quarters": {q: {} for q in range(1, 5)}, "by_category": {},
              "children": {}}
    for kind, key_, n, carried, examined in db.session.execute(union_all(*members)).all():
        if kind == "cases":
            new, carried, examined = int(n or 0), int(carried or 0), int(examined or 0)
            result["cases"] = {"new": new, "carried_over": carried,
                               "reopened": examined - new - carried, "examined": examined}
        elif key_ is not None:
            target = result["quarters"][int(kind[1])] if kind.startswith("q") else \
                result["by_category" if kind == "category" else "children"]
            target[str(key_)] = int(n)
    return result


def _count(stmt) -> int:
    return int(db.session.scalar(stmt) or 0)


def _grouped(stmt) -> dict[str, int]:
    return {str(key): int(n) for key, n in db.session.execute(stmt).all() if key is not None}


def _meeting_day():
    return func.coalesce(Meeting.held_at, Meeting.starts_at)


def _ratio(count: int, base: int) -> dict:
    return {"count": count, "base": base,
            "percent": round(100 * count / base, 1) if base else None}


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


# -- section A -------------------------------------------------------------------------------
def _section_a(muni: Municipality, year: int) -> dict:
    start, end = year_bounds(year)
    strategic = and_(CooperationGroup.municipality_id == muni.id,
                     CooperationGroup.kind == "strategic", CooperationGroup.created_at < end)
    groups = _count(select(func.count()).select_from(CooperationGroup).where(strategic))
    member_in_year = and_(GroupMember.member_from < end,
                          or_(GroupMember.member_to.is_(None), GroupMember.member_to >= start))
    composition = _grouped(
        select(Institution.kind, func.count(distinct(GroupMember.user_id)))
        .select_from(GroupMember)
        .join(CooperationGroup, CooperationGroup.id == GroupMember.group_id)
        .join(Institution, Institution.id == GroupMember.institution_id)
        .where(strategic, member_in_year).group_by(Institution.kind))
    members = _count(
        select(func.count(distinct(GroupMember.user_id))).select_from(GroupMember)
        .join(CooperationGroup, CooperationGroup.id == GroupMember.group_id)
        .where(strategic, member_in_year))
    # The coordinator is named by institution only: the report carries no personal data.
    coordinator_institutions = sorted(db.session.scalars(
        select(Institution.name).distinct().select_from(CooperationGroup)
        .join(User, User.id == CooperationGroup.lead_id)
        .join(Institution, Institution.id == User.institution_id)
        .where(strategic)))
    missing = [kinds[0] for kinds in REQUIRED_KINDS if not any(k in composition for k in kinds)]
    return {
        "municipality": muni.name,
        "atvk_code": muni.atvk_code,
        "year": year,
        "coordinator_institutions": coordinator_institutions,
        "strategic_groups": groups,
        "members": members,
        "composition": composition,
        "required_kinds_missing": missing,
    }


# -- section B -------------------------------------------------------------------------------
def _section_b(muni: Municipality, year: int) -> dict:
    start, end = year_bounds(year)
    held = and_(CooperationGroup.municipality_id == muni.id,
                CooperationGroup.kind == "strategic", Meeting.status.in_(HELD),
                _meeting_day() >= start, _meeting_day() < end)

    def meeting_dates(kind: str) -> list[str]:
        rows = db.session.scalars(
            select(_meeting_day()).select_from(Meeting)
            .join(CooperationGroup, CooperationGroup.id == Meeting.group_id)
            .where(held, Meeting.kind == kind).order_by(_meeting_day()))
        return [local_date(r).isoformat() for r in rows]

    regular, supervision = meeting_dates("regular"), meeting_dates("supervision")
    attendance = {
        kind: {"invited": int(invited), "attended": int(attended or 0)}
        for kind, invited, attended in db.session.execute(
            select(Institution.kind, func.count(),
                   func.sum(case((Attendance.status == "attended", 1), else_=0)))
            .select_from(Attendance)
            .join(Meeting, Meeting.id == Attendance.meeting_id)
            .join(CooperationGroup, CooperationGroup.id == Meeting.group_id)
            .join(Institution, Institution.id == Attendance.institution_id)
            .where(held).group_by(Institution.kind)).all()}
    published = and_(CooperationGroup.municipality_id == muni.id,
                     CooperationGroup.kind == "strategic", Decision.published_at >= start,
                     Decision.published_at < end)
    by_kind_status = db.session.execute(
        select(Decision.kind, Decision.status, func.count())
        .join(CooperationGroup, CooperationGroup.id == Decision.group_id)
        .where(published).group_by(Decision.kind, Decision.status)).all()
    decisions = dict.fromkeys(DECISION_STATES, 0)
    proposals = {"proposal_municipality": 0, "proposal_state": 0}
    for kind, status, n in by_kind_status:
        if kind == "decision":
            decisions[status] += int(n)
        else:
            proposals[kind] += int(n)
    return {
        "meetings_held": len(regular),
        "meeting_dates": regular,
        "supervision_sessions": len(supervision),
        "supervision_dates": supervision,
        "attendance": attendance,
        "decisions": {"total": sum(decisions.values()), **decisions},
        "proposals_municipality": proposals["proposal_municipality"],
        "proposals_state": proposals["proposal_state"],
    }


# -- section C -------------------------------------------------------------------------------
def _closures(muni_id: int, year: int) -> dict:
    start, end = year_bounds(year)
    reason = CaseEvent.details["closure_reason"].as_string()
    by_reason = _grouped(
        select(reason, func.count()).select_from(CaseEvent)
        .where(CaseEvent.municipality_id == muni_id, CaseEvent.machine == "lifecycle",
               CaseEvent.trigger == "close", CaseEvent.at >= start, CaseEvent.at < end)
        .group_by(reason))
    return {"total": sum(by_reason.values()), "by_reason": by_reason}


def _triage(muni_id: int, year: int) -> dict:
    start, end = year_bounds(year)
    cal = calendar_for(muni_id)
    rows = db.session.execute(
        select(Referral.received_at, Referral.triaged_at, Referral.triage_due_at)
        .where(Referral.municipality_id == muni_id, Referral.received_at >= start,
               Referral.received_at < end, Referral.triaged_at.is_not(None))).all()
    days = [cal.working_days_between(local_date(r), local_date(t)) for r, t, _ in rows]
    within = sum(1 for _, t, due in rows if t <= due)
    return {"triaged": len(rows), "median_working_days": _median(days),
            "within_policy": _ratio(within, len(rows))}


def _red_starts(muni_id: int, year: int) -> dict:
    """Cases that turned red (or were opened red) in the year and their group's first meeting
    after that moment."""
    start, end = year_bounds(year)
    first_meeting = (
        select(func.min(_meeting_day())).select_from(Meeting)
        .join(CooperationGroup, CooperationGroup.id == Meeting.group_id)
        .where(CooperationGroup.case_id == CaseEvent.case_id, Meeting.status.in_(HELD),
               _meeting_day() >= CaseEvent.at)
        .correlate(CaseEvent).scalar_subquery())
    turned_red = and_(CaseEvent.machine == "risk", CaseEvent.to_state == "red")
    opened_red = and_(CaseEvent.machine == "lifecycle", CaseEvent.trigger == "opened",
                      CaseEvent.details["risk"].as_string() == "red")
    rows = db.session.execute(
        select(CaseEvent.at, first_meeting).select_from(CaseEvent)
        .where(CaseEvent.municipality_id == muni_id, CaseEvent.at >= start, CaseEvent.at < end,
               or_(turned_red, opened_red))).all()
    policy, cal = policy_for(muni_id), calendar_for(muni_id)
    met = [(at, first) for at, first in rows if first is not None]
    days = [cal.working_days_between(local_date(at), local_date(first)) for at, first in met]
    within = sum(1 for at, first in met if first <= convene_deadline(at, "red", policy, cal))
    return {"red_starts": len(rows), "met": len(met), "median_working_days": _median(days),
            "within_policy": _ratio(within, len(rows))}


def _strategic_groups(muni_id: int):
    """The ids of the municipality's strategic groups (one, or a few): every other group of
    the municipality is a case's interprofessional group. Testing a group against these few
    is cheaper than joining each meeting or decision to its group to read its kind."""
    return select(CooperationGroup.id).where(CooperationGroup.municipality_id == muni_id,
                                             CooperationGroup.kind == "strategic")


def _tasks(muni_id: int, year: int) -> dict:
    """Tasks of interprofessional work (linked to a case or issued by a case's group)."""
    start, end = year_bounds(year)
    strategic = _strategic_groups(muni_id)
    strategic_meetings = select(Meeting.id).where(Meeting.group_id.in_(strategic))
    strategic_decisions = select(Decision.id).where(Decision.group_id.in_(strategic))
    issued = and_(Task.municipality_id == muni_id, Task.issued_at >= start, Task.issued_at < end,
                  or_(Task.case_id.is_not(None),
                      and_(Task.meeting_id.is_not(None),
                           Task.meeting_id.not_in(strategic_meetings)),
                      and_(Task.decision_id.is_not(None),
                           Task.decision_id.not_in(strategic_decisions))))
    finished = and_(Task.status == "done", Task.closed_at.is_not(None))
    if db.session.get_bind().dialect.name != "postgresql":
        total = _count(select(func.count()).select_from(Task).where(issued))
        done = db.session.execute(select(Task.due_date, Task.closed_at)
                                  .where(issued, finished)).all()
        on_time = sum(1 for due, closed in done if local_date(closed) <= due)
        return {"issued": total, "done": len(done), "done_on_time": _ratio(on_time, total)}
    # Done on time: closed before midnight (Riga time) after the due date. The few distinct
    # due dates get that moment in Python (time zones are not portable SQL) as a VALUES list,
    # and the tasks are counted against it in SQL rather than fetched one by one.
    dues = db.session.scalars(select(Task.due_date).where(issued, finished).distinct()).all()
    limits = values(column("due", Date), column("until", UTCDateTime()), name="limits").data(
        [(due, datetime.combine(due + timedelta(days=1), time(0), tzinfo=RIGA))
         for due in dues] or [(date(1, 1, 1), datetime(1, 1, 2, tzinfo=RIGA))])
    total, done, on_time = db.session.execute(
        select(func.count(), func.sum(case((finished, 1), else_=0)),
               func.sum(case((and_(finished, Task.closed_at < limits.c.until), 1), else_=0)))
        .select_from(Task).outerjoin(limits, limits.c.due == Task.due_date)
        .where(issued)).one()
    total = int(total or 0)
    return {"issued": total, "done": int(done or 0),
            "done_on_time": _ratio(int(on_time or 0), total)}


def _participation(muni_id: int, year: int) -> dict:
    start, end = year_bounds(year)
    informed = exists().where(ClientParticipation.decision_id == Decision.id,
                              ClientParticipation.informed.is_(True))
    opinion = exists().where(ClientParticipation.decision_id == Decision.id,
                             ClientParticipation.opinion.is_not(None),
                             ClientParticipation.opinion != "")
    total, n_informed, n_opinion = db.session.execute(
        select(func.count(), func.sum(case((informed, 1), else_=0)),
               func.sum(case((opinion, 1), else_=0))).select_from(Decision)
        .where(Decision.municipality_id == muni_id,
               Decision.group_id.not_in(_strategic_groups(muni_id)),
               Decision.published_at >= start, Decision.published_at < end)).one()
    total = int(total or 0)
    return {"decisions": total, "informed": _ratio(int(n_informed or 0), total),
            "opinion_recorded": _ratio(int(n_opinion or 0), total)}


def _plan_goals(muni_id: int, year: int) -> dict:
    """Goals of the individual support plans due or closed in the year, and the share reached
    (a goal counts as reached only if it was reached before the year ended)."""
    from casework.plans.models import PlanGoal, SupportPlan

    start, end = year_bounds(year)
    due = and_(PlanGoal.deadline >= local_date(start), PlanGoal.deadline < local_date(end))
    closed = and_(PlanGoal.closed_at >= start, PlanGoal.closed_at < end)
    reached = and_(PlanGoal.status == "reached", PlanGoal.closed_at < end)
    total, n_reached = db.session.execute(
        select(func.count(), func.sum(case((reached, 1), else_=0))).select_from(PlanGoal)
        .join(SupportPlan, SupportPlan.id == PlanGoal.plan_id)
        .join(Case, Case.id == SupportPlan.case_id)
        .where(Case.municipality_id == muni_id, or_(due, closed))).one()
    total = int(total or 0)
    return {"due_or_closed": total, "reached": _ratio(int(n_reached or 0), total)}


def _section_c(muni: Municipality, year: int) -> dict:
    start, end = year_bounds(year)
    mid = muni.id
    figures = _case_figures(mid, year)
    referrals = and_(Referral.municipality_id == mid, Referral.received_at >= start,
                     Referral.received_at < end)
    by_institution = _grouped(
        select(Institution.kind, func.count()).select_from(Referral)
        .join(Institution, Institution.id == Referral.reporting_institution_id)
        .where(referrals).group_by(Institution.kind))
    meetings = _count(
        select(func.count()).select_from(Meeting)
        .where(Meeting.municipality_id == mid, Meeting.group_id.not_in(_strategic_groups(mid)),
               Meeting.status.in_(HELD),
               _meeting_day() >= start, _meeting_day() < end))
    escalations = db.session.execute(
        select(func.count(), func.count(distinct(CaseEvent.case_id))).select_from(CaseEvent)
        .where(CaseEvent.municipality_id == mid, CaseEvent.machine == "risk",
               CaseEvent.to_state == "red", CaseEvent.at >= start, CaseEvent.at < end)).one()
    quarters = [{"quarter": q, **{r: figures["quarters"][q].get(r, 0) for r in RISKS}}
                for q in range(1, 5)]
    return {
        "cases": figures["cases"],
        "closed": _closures(mid, year),
        "meetings_held": meetings,
        "by_category": figures["by_category"],
        "referrals": {"received": sum(by_institution.values()),
                      "by_institution_kind": by_institution},
        "risk_at_year_end": {r: quarters[-1][r] for r in RISKS},
        "risk_by_quarter": quarters,
        "escalations_to_red": {"events": int(escalations[0]), "cases": int(escalations[1])},
        "triage": _triage(mid, year),
        "red_to_meeting": _red_starts(mid, year),
        "tasks": _tasks(mid, year),
        "children_by_age": {b: figures["children"].get(b, 0) for b in AGE_BANDS},
        "client_participation": _participation(mid, year),
        "plan_goals": _plan_goals(mid, year),
    }


def compute(municipality: Municipality, year: int, now: datetime | None = None) -> dict:
    """Sections A–C of the report of ``municipality`` on ``year``, as they stand now."""
    return {
        "schema_version": SCHEMA_VERSION,
        "year": year,
        "computed_at": (now or utcnow()).isoformat(),
        "A": _section_a(municipality, year),
        "B": _section_b(municipality, year),
        "C": _section_c(municipality, year),
    }


def previous_year(today: date) -> int:
    """The year a report is due on in the year of ``today``."""
    return today.year - 1
