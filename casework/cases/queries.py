"""Reads of cases and referrals, always scoped to what the user may see (DESIGN.md §2).

``visible_cases(user)`` is the one select every list, page, count, search and export starts
from; ``get_case_or_404`` is the one loader of a single case. A case the user may not see is
"not found", so that its existence is not revealed.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import abort
from sqlalchemy import and_, case, false, func, or_, select, true
from sqlalchemy.orm import selectinload

from casework.auth.models import Role, User, UserRole
from casework.cases.models import (
    BreakGlassAccess,
    Case,
    CaseCategory,
    CasePerson,
    Note,
    NoteLevel,
    Referral,
)
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.models import CooperationGroup, GroupMember
from casework.orgs.models import Institution

ACTIVE_STATUSES = ("registered", "assessment", "intervention", "crisis", "monitoring")
URGENCY_ORDER = case({"red": 0, "yellow": 1, "green": 2}, value=Referral.proposed_urgency)


def active_membership(user_id, now: datetime | None = None):
    """The clause: a membership of ``user_id`` in force at ``now``."""
    now = now or utcnow()
    return and_(
        GroupMember.user_id == user_id,
        GroupMember.member_from <= now,
        or_(GroupMember.member_to.is_(None), GroupMember.member_to > now),
    )


def case_visibility(user, now: datetime | None = None):
    """The SQL condition "``user`` may see this case's content"."""
    if not user.is_authenticated or user.municipality_id is None:
        return false()
    now = now or utcnow()
    member_of = (
        select(CooperationGroup.case_id)
        .join(GroupMember, GroupMember.group_id == CooperationGroup.id)
        .where(CooperationGroup.kind == "interprofessional", active_membership(user.id, now))
    )
    allowed = [Case.case_manager_id == user.id, Case.id.in_(member_of)]
    if user.has_role(Role.HEAD_OF_SERVICE):
        allowed.append(Case.owner_institution_id == user.institution_id)
        allowed.append(Case.id.in_(
            select(BreakGlassAccess.case_id).where(BreakGlassAccess.user_id == user.id,
                                                   BreakGlassAccess.expires_at > now)))
    return and_(Case.municipality_id == user.municipality_id, or_(*allowed))


def visible_cases(user):
    """A select of the cases whose content ``user`` may see."""
    return select(Case).where(case_visibility(user))


def get_case_or_404(case_id: int, user) -> Case:
    """The case if ``user`` may see it; otherwise 404 (never 403)."""
    found = db.session.scalar(visible_cases(user).where(Case.id == case_id))
    if found is None:
        abort(404)
    return found


def can_see_case(user, case_id: int) -> bool:
    """Whether ``user`` may see the case with this id."""
    return db.session.scalar(
        select(func.count()).select_from(Case).where(Case.id == case_id,
                                                     case_visibility(user))) > 0


def filtered_cases(user, *, risk=None, status=None, case_manager_id=None, category=None,
                   review_overdue=False, today: date | None = None, q: str | None = None):
    """The case list's select: visible cases narrowed by the list's filters."""
    stmt = visible_cases(user)
    if risk:
        stmt = stmt.where(Case.risk == risk)
    if status == "active":
        stmt = stmt.where(Case.status.in_(ACTIVE_STATUSES))
    elif status:
        stmt = stmt.where(Case.status == status)
    if case_manager_id:
        stmt = stmt.where(Case.case_manager_id == case_manager_id)
    if category:
        stmt = stmt.where(Case.id.in_(
            select(CaseCategory.case_id).where(CaseCategory.category == category)))
    if review_overdue:
        stmt = stmt.where(Case.next_review_due < (today or date.today()),
                          Case.status != "closed")
    if q:
        stmt = stmt.where(Case.number.contains(q.strip(), autoescape=True))
    return stmt.options(selectinload(Case.case_manager)).order_by(
        case({"red": 0, "yellow": 1, "green": 2}, value=Case.risk), Case.next_review_due,
        Case.id.desc())


def confidentiality_rule(user, *, manager, level, author_id, author_institution_id):
    """The SQL condition "``user`` may read this item at its confidentiality level", for notes
    and documents alike (the item's case or group is already visible to the user).

    group: everyone who sees the case; institution: users of the author's institution and the
    case manager; restricted: the author and the case manager. ``manager`` says whether the
    user is the case manager: a Python bool, or an SQL condition when it differs by row.
    """
    if manager is True:
        return true()
    readable = or_(
        level == NoteLevel.GROUP.value,
        and_(level == NoteLevel.INSTITUTION.value,
             author_institution_id == user.institution_id),
        and_(level == NoteLevel.RESTRICTED.value, author_id == user.id),
    )
    return readable if manager is False else or_(manager, readable)


def visible_notes(user, case_obj: Case):
    """A select of the notes of a case that ``user`` may read (the case itself is visible)."""
    return (select(Note)
            .where(Note.case_id == case_obj.id,
                   confidentiality_rule(user, manager=case_obj.case_manager_id == user.id,
                                        level=Note.level, author_id=Note.author_id,
                                        author_institution_id=Note.author_institution_id))
            .order_by(Note.created_at.desc(), Note.id.desc()))


def persons_elsewhere(case_obj: Case, user) -> dict[int, list[tuple[int, str, bool]]]:
    """For each person of the case whose personal code appears in another case of the
    municipality: ``[(case_id, case_number, may_follow)]``."""
    other = CasePerson.__table__.alias("other")
    rows = db.session.execute(
        select(CasePerson.id, Case.id, Case.number)
        .join(other, and_(other.c.personal_code == CasePerson.personal_code,
                          other.c.case_id != CasePerson.case_id))
        .join(Case, Case.id == other.c.case_id)
        .where(CasePerson.case_id == case_obj.id, CasePerson.personal_code.is_not(None),
               Case.municipality_id == case_obj.municipality_id)
        .order_by(Case.number)
    ).all()
    if not rows:
        return {}
    visible = set(db.session.scalars(
        select(Case.id).where(Case.id.in_({r[1] for r in rows}), case_visibility(user))))
    result: dict[int, list[tuple[int, str, bool]]] = {}
    for person_id, other_case_id, number in rows:
        result.setdefault(person_id, []).append((other_case_id, number,
                                                 other_case_id in visible))
    return result


def triage_queue(user):
    """Referrals of the municipality waiting for triage, most urgent first."""
    return (
        select(Referral)
        .options(selectinload(Referral.reporting_institution))
        .where(Referral.municipality_id == user.municipality_id, Referral.outcome.is_(None))
        .order_by(URGENCY_ORDER, Referral.triage_due_at, Referral.id)
    )


def get_referral_for_triage_or_404(referral_id: int, user) -> Referral:
    """A referral of the user's municipality (for case managers triaging it)."""
    found = db.session.scalar(
        select(Referral).where(Referral.id == referral_id,
                               Referral.municipality_id == user.municipality_id))
    if found is None:
        abort(404)
    return found


def referrals_by(user):
    """The referrals the user filed, newest first (the reporter sees only the outcome)."""
    return (select(Referral).where(Referral.reported_by_id == user.id)
            .order_by(Referral.received_at.desc()))


def case_managers_of(municipality_id: int):
    """Active users holding the case manager role in the municipality."""
    return (
        select(User)
        .join(Institution, User.institution_id == Institution.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(Institution.municipality_id == municipality_id, User.active.is_(True),
               UserRole.role == Role.CASE_MANAGER.value)
        .order_by(User.full_name)
    )


def caseload(head, today: date):
    """Per case manager of the head's social service: active cases and children under 12.

    One aggregate query; children are counted once per case manager even when they appear in
    several of their cases (by personal code, else by person row).
    """
    try:
        twelve_years_ago = today.replace(year=today.year - 12)
    except ValueError:  # 29 February
        twelve_years_ago = today.replace(year=today.year - 12, day=28)
    child_key = func.coalesce(CasePerson.personal_code, func.cast(CasePerson.id, db.String))
    active = and_(Case.status.in_(ACTIVE_STATUSES + ("inactive",)),
                  Case.owner_institution_id == head.institution_id)
    cases_q = (
        select(Case.case_manager_id.label("uid"), func.count(Case.id).label("cases"))
        .where(active).group_by(Case.case_manager_id).subquery()
    )
    children_q = (
        select(Case.case_manager_id.label("uid"),
               func.count(func.distinct(child_key)).label("children"))
        .join(CasePerson, CasePerson.case_id == Case.id)
        .where(active, CasePerson.role == "child", CasePerson.birth_date > twelve_years_ago,
               CasePerson.ended_at.is_(None))
        .group_by(Case.case_manager_id).subquery()
    )
    return (
        select(User, func.coalesce(cases_q.c.cases, 0), func.coalesce(children_q.c.children, 0))
        .join(UserRole, and_(UserRole.user_id == User.id,
                             UserRole.role == Role.CASE_MANAGER.value))
        .outerjoin(cases_q, cases_q.c.uid == User.id)
        .outerjoin(children_q, children_q.c.uid == User.id)
        .where(User.institution_id == head.institution_id, User.active.is_(True))
        .order_by(func.coalesce(cases_q.c.cases, 0).desc(), User.full_name)
    )


def pseudonymous_cases(user):
    """For the strategic group's coordinator: the municipality's cases, of which the page shows
    only number, risk, status and categories (plus ``institution_kinds_by_case``), never names
    or notes."""
    return (
        select(Case)
        .where(Case.municipality_id == user.municipality_id)
        .order_by(Case.year.desc(), Case.seq.desc())
    )


def institution_kinds_by_case(case_ids) -> dict[int, list[str]]:
    """The kinds of institution of the active members of each case's group."""
    if not case_ids:
        return {}
    rows = db.session.execute(
        select(CooperationGroup.case_id, Institution.kind).distinct()
        .join(GroupMember, GroupMember.group_id == CooperationGroup.id)
        .join(Institution, Institution.id == GroupMember.institution_id)
        .where(CooperationGroup.case_id.in_(case_ids), GroupMember.member_to.is_(None))
    ).all()
    result: dict[int, list[str]] = {}
    for case_id, kind in rows:
        result.setdefault(case_id, []).append(kind)
    return {k: sorted(v) for k, v in result.items()}
