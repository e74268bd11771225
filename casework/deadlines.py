"""What is due or past its deadline under the municipality's policy (DESIGN.md §5).

One place for the rules that the start page shows and the scheduler chases, so that both agree.
Each function returns rows for one municipality (or all municipalities when
``municipality_id`` is None, for the scheduler); scoping to what a *user* may see is the
caller's job (the start page narrows these selects with the user's visibility conditions).

Deadlines counted in working days (convening, minutes, informing the client) depend on the
calendar, which SQL does not know: the select narrows the rows to candidates (red cases with no
meeting since they turned red; held meetings without approved minutes...), and the policy's
deadline function decides for each. The candidates are few (the open exceptions), never every
case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, select

from casework.cases.models import Case, ClientParticipation, Referral
from casework.extensions import db
from casework.groups.models import CooperationGroup, Decision, Meeting
from casework.policies.operations import calendar_for, policies_for_all
from casework.tasks.models import Task
from workflows import decision as decision_workflow
from workflows.policy import convene_deadline, minutes_deadline


def _scoped(stmt, column, municipality_id):
    return stmt if municipality_id is None else stmt.where(column == municipality_id)


def issued_open_tasks(municipality_id: int | None = None):
    """Open tasks that have been issued (drafts in unapproved minutes are not chased)."""
    return _scoped(select(Task).where(Task.status == "open", Task.issued_at.is_not(None)),
                   Task.municipality_id, municipality_id)


def overdue_tasks(today: date, municipality_id: int | None = None):
    """Open, issued tasks whose deadline has passed (the due day itself is still in time)."""
    return issued_open_tasks(municipality_id).where(Task.due_date < today)


def tasks_due_on(day: date, municipality_id: int | None = None):
    """Open, issued tasks due on ``day``."""
    return issued_open_tasks(municipality_id).where(Task.due_date == day)


def reviews_due(today: date, municipality_id: int | None = None):
    """Cases not closed whose next review is due today or earlier."""
    return _scoped(select(Case).where(Case.status != "closed", Case.next_review_due <= today),
                   Case.municipality_id, municipality_id)


def referrals_past_triage(now: datetime, municipality_id: int | None = None):
    """Referrals still waiting for triage after their deadline."""
    return _scoped(select(Referral).where(Referral.outcome.is_(None),
                                          Referral.triage_due_at < now),
                   Referral.municipality_id, municipality_id)


def decisions_past_due(today: date, municipality_id: int | None = None):
    """Published decisions not yet executed (or declared not executed) after their due date."""
    stmt = (select(Decision).join(CooperationGroup, CooperationGroup.id == Decision.group_id)
            .where(Decision.published_at.is_not(None),
                   Decision.status.in_(decision_workflow.OPEN_STATUSES), Decision.due_date < today))
    return _scoped(stmt, Decision.municipality_id, municipality_id)


@dataclass(frozen=True)
class Late:
    """A row past a deadline computed in working days, with that deadline."""

    row: object
    deadline: datetime


def _late(rows, deadline_of, now: datetime) -> list[Late]:
    # Every municipality's policy in one query, not one per row or municipality.
    policies = policies_for_all() if rows else {}
    rules: dict = {}
    result = []
    for row, since, muni in rows:
        if muni not in rules:
            rules[muni] = (policies.get(muni, policies[None]), calendar_for(muni))
        deadline = deadline_of(since, *rules[muni])
        if deadline < now:
            result.append(Late(row, deadline))
    return result


def red_cases_without_meeting(now: datetime, municipality_id: int | None = None,
                              stmt=None) -> list[Late]:
    """Red cases whose group has not met since they turned red, past the convening deadline.

    ``stmt`` may narrow the candidates (e.g. to the cases a user may see).
    """
    met_since = exists().where(
        CooperationGroup.case_id == Case.id, Meeting.group_id == CooperationGroup.id,
        Meeting.status.in_(("held", "minutes_approved")),
        Meeting.held_at >= Case.risk_changed_at)
    base = stmt if stmt is not None else select(Case)
    rows = db.session.execute(
        _scoped(base.add_columns(Case.risk_changed_at, Case.municipality_id)
                .where(Case.risk == "red", Case.status != "closed",
                       Case.risk_changed_at.is_not(None), ~met_since),
                Case.municipality_id, municipality_id)).all()
    return _late(rows, lambda since, policy, cal: convene_deadline(since, "red", policy, cal),
                 now)


def minutes_not_approved(now: datetime, municipality_id: int | None = None,
                         stmt=None) -> list[Late]:
    """Held meetings whose minutes are not approved within the policy's working days."""
    base = stmt if stmt is not None else select(Meeting).join(
        CooperationGroup, CooperationGroup.id == Meeting.group_id)
    rows = db.session.execute(
        _scoped(base.add_columns(Meeting.held_at, CooperationGroup.municipality_id)
                .where(*held_without_approved_minutes()),
                CooperationGroup.municipality_id, municipality_id)).all()
    return _late(rows, minutes_deadline, now)


def late_minutes(meetings, now: datetime) -> dict[int, datetime]:
    """Of held meetings already read (``held_without_approved_minutes``), those whose minutes
    are late at ``now``: ``{meeting id: deadline}`` (the rule of ``minutes_not_approved``,
    without reading the meetings again)."""
    return {item.row.id: item.deadline for item in _late(
        ((m, m.held_at, m.municipality_id) for m in meetings), minutes_deadline, now)}


def held_without_approved_minutes() -> tuple:
    """The conditions on ``Meeting``: held, its minutes not approved yet (the candidates of
    ``minutes_not_approved``, before the deadline in working days)."""
    return (Meeting.status == "held", Meeting.held_at.is_not(None))


def uninformed_decisions():
    """A select of the published decisions of interprofessional groups of open cases of which
    nobody recorded that the client was informed (joined to their group and case): the
    candidates of the sweep ``client_not_informed``, before the deadline in working days."""
    informed = exists().where(ClientParticipation.decision_id == Decision.id,
                              ClientParticipation.informed.is_(True))
    return (select(Decision)
            .join(CooperationGroup, CooperationGroup.id == Decision.group_id)
            .join(Case, and_(Case.id == CooperationGroup.case_id, Case.status != "closed"))
            .where(CooperationGroup.kind == "interprofessional",
                   Decision.published_at.is_not(None), ~informed))
