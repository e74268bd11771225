"""Reads of cases and referrals, always scoped to what the user may see (DESIGN.md §2).

``visible_cases(user)`` is the one select every list, page, count, search and export starts
from; ``get_case_or_404`` is the one loader of a single case. A case the user may not see is
"not found", so that its existence is not revealed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import abort
from sqlalchemy import and_, case, exists, false, func, or_, select, true
from sqlalchemy.orm import aliased, joinedload, selectinload

from casework.auth.models import Role, User, UserRole
from casework.cases.models import (
    BreakGlassAccess,
    Case,
    CaseCategory,
    CasePerson,
    Category,
    Note,
    NoteLevel,
    Referral,
)
from casework.db_types import in_select, utcnow
from casework.extensions import db
from casework.groups.models import CooperationGroup, GroupMember
from casework.listing import ListSpec, contains_pattern
from casework.orgs.models import Institution

ACTIVE_STATUSES = ("registered", "assessment", "intervention", "crisis", "monitoring")
#: Red first: the order of the colours in every list sorted by risk or urgency.
RISK_RANK = {"red": 0, "yellow": 1, "green": 2}
URGENCY_ORDER = case(RISK_RANK, value=Referral.proposed_urgency)


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
    return and_(Case.municipality_id == user.municipality_id,
                or_(*case_visibility_grounds(user, now)))


def case_visibility_grounds(user, now: datetime | None = None) -> list:
    """The conditions on ``Case`` of which one gives ``user`` (of the case's municipality)
    sight of the case: managing it, being in its interprofessional group, heading its social
    service, holding break-glass access. ``case_visibility`` is their OR; a page that reads the
    visible groups takes them one by one, each an index probe (``visible_group_ids``)."""
    now = now or utcnow()
    member_of = (
        select(CooperationGroup.case_id)
        .join(GroupMember, GroupMember.group_id == CooperationGroup.id)
        .where(CooperationGroup.kind == "interprofessional", active_membership(user.id, now))
    )
    # ``in_select``: each ground is an index condition, so that PostgreSQL reads a case
    # manager's cases from two index scans instead of filtering the municipality's thousands.
    allowed = [Case.case_manager_id == user.id, in_select(Case.id, member_of)]
    if user.has_role(Role.HEAD_OF_SERVICE):
        allowed.append(Case.owner_institution_id == user.institution_id)
        allowed.append(in_select(Case.id, select(BreakGlassAccess.case_id).where(
            BreakGlassAccess.user_id == user.id, BreakGlassAccess.expires_at > now)))
    return allowed


def case_visible_to(user_id, now: datetime | None = None):
    """The SQL condition "the user whose id is ``user_id`` (a column or an expression) may see
    this case's content": ``case_visibility`` for many users at once, so that a sweep narrows
    its recipients in its one query instead of one query per user. The same rules: an active
    user of the case's municipality who manages the case, is in its interprofessional group,
    or heads its social service (or holds break-glass access to it). A test checks that both
    agree."""
    now = now or utcnow()
    viewer = aliased(User)
    in_municipality = exists().where(
        viewer.id == user_id, viewer.active.is_(True),
        Institution.id == viewer.institution_id,
        Institution.municipality_id == Case.municipality_id)
    member = exists().where(
        CooperationGroup.case_id == Case.id, CooperationGroup.kind == "interprofessional",
        GroupMember.group_id == CooperationGroup.id, active_membership(user_id, now))
    head = exists().where(UserRole.user_id == user_id, UserRole.role == Role.HEAD_OF_SERVICE.value)
    head_of_owner = exists().where(viewer.id == user_id,
                                   viewer.institution_id == Case.owner_institution_id)
    break_glass = exists().where(BreakGlassAccess.case_id == Case.id,
                                 BreakGlassAccess.user_id == user_id,
                                 BreakGlassAccess.expires_at > now)
    return and_(in_municipality, or_(Case.case_manager_id == user_id, member,
                                     and_(head, or_(head_of_owner, break_glass))))


def visible_cases(user):
    """A select of the cases whose content ``user`` may see."""
    return select(Case).where(case_visibility(user))


#: How a single case is loaded: with its categories and persons, which the case page and the
#: API show. Joined in one statement: a case has one or two categories and a few persons, so
#: the product of the two stays a handful of rows.
CASE_LOAD = (joinedload(Case.category_rows), joinedload(Case.persons))


def get_case_or_404(case_id: int, user) -> Case:
    """The case if ``user`` may see it; otherwise 404 (never 403)."""
    found = db.session.execute(
        visible_cases(user).where(Case.id == case_id).options(*CASE_LOAD)
    ).unique().scalar_one_or_none()
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
    elif status == "open":
        stmt = stmt.where(Case.status != "closed")
    elif status and status != "all":
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
        from casework.cases.search import search_clause

        clause = search_clause(q)
        if clause is not None:
            stmt = stmt.where(clause)
    return stmt.options(selectinload(Case.case_manager), selectinload(Case.persons)).order_by(
        *CASE_LIST.default_order())


def _risk_rank():
    return case(RISK_RANK, value=Case.risk)


#: The case list: red first by default, closed cases only when asked for (issue 18.3).
CASE_LIST = ListSpec(
    "cases.cases",
    sorts={"risk": lambda: (_risk_rank(), Case.next_review_due),
           "number": lambda: (Case.year, Case.seq),
           "status": lambda: (Case.status,),
           "review": lambda: (Case.next_review_due,),
           "opened": lambda: (Case.opened_at,)},
    default_sort="risk", tiebreak=lambda: (Case.id.desc(),), defaults={"status": "open"},
    per_page=25)


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


@dataclass
class PersonMatches:
    """What the user may learn of the other cases of the municipality holding a person's
    personal code: the ones they may see (``visible``: ``[(case_id, number)]``) and, for whoever
    manages this case, only *that* a match exists in a case they may not see (``hidden``)."""

    visible: list[tuple[int, str]] = field(default_factory=list)
    hidden: bool = False
    hidden_case_ids: list[int] = field(default_factory=list, repr=False)


def persons_elsewhere(case_obj: Case, user) -> dict[int, PersonMatches]:
    """For each person of the case whose personal code appears in another case of the
    municipality: what ``user`` may learn of it (``PersonMatches``).

    The duplicate flag must not become an oracle ("is this child known somewhere?"): a case the
    user may not see is never named; the case manager and the head of service learn only that a
    match exists (the head of the social service can check it, and showing the hint is
    audited); anyone else, such as a specialist of the group, learns nothing of it at all.
    One query: whether the user may see the other case comes with each match.
    """
    return person_matches(db.session.execute(
        persons_elsewhere_select(case_obj, user).order_by(Case.number)).all(), case_obj, user)


def persons_elsewhere_select(case_obj: Case, user):
    """The select behind ``persons_elsewhere`` (no order): per match the person of this case,
    the other case's id and number, and whether ``user`` may see that case."""
    other = CasePerson.__table__.alias("other")
    return (
        select(CasePerson.id.label("person_id"), Case.id.label("case_id"), Case.number,
               case_visibility(user).label("visible"))
        .join(other, and_(other.c.personal_code == CasePerson.personal_code,
                          other.c.case_id != CasePerson.case_id))
        .join(Case, Case.id == other.c.case_id)
        .where(CasePerson.case_id == case_obj.id, CasePerson.personal_code.is_not(None),
               Case.municipality_id == case_obj.municipality_id))


def person_matches(rows, case_obj: Case, user) -> dict[int, PersonMatches]:
    """``persons_elsewhere`` from the rows of ``persons_elsewhere_select``, ordered by the
    other case's number."""
    from casework.cases.access import may_manage_case

    if not rows:
        return {}
    may_hint = may_manage_case(user, case_obj)
    result: dict[int, PersonMatches] = {}
    for person_id, other_case_id, number, visible in rows:
        if visible:
            matches = result.setdefault(person_id, PersonMatches())
            if (other_case_id, number) not in matches.visible:
                matches.visible.append((other_case_id, number))
        elif may_hint:
            matches = result.setdefault(person_id, PersonMatches())
            matches.hidden = True
            if other_case_id not in matches.hidden_case_ids:
                matches.hidden_case_ids.append(other_case_id)
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


def referrals_of_case(case_obj: Case):
    """The referrals attached to a case (its page shows their text, categories and reporter;
    the case itself is visible to the reader)."""
    return (select(Referral).where(Referral.case_id == case_obj.id)
            .options(joinedload(Referral.reporting_institution),
                     joinedload(Referral.category_rows),
                     joinedload(Referral.reported_by).lazyload(User.role_rows))
            .order_by(Referral.received_at))
def reporter_outcome(referral: Referral) -> str:
    """What the reporter may learn of the triage of their referral: ``waiting``, ``accepted``
    or ``no_action``. A new case and an attachment to an existing one are both "accepted": the
    difference would tell the reporter whether the child is already known in another case."""
    if referral.outcome is None:
        return "waiting"
    return "no_action" if referral.outcome == "no_action" else "accepted"


def referrals_by(user, *, state: str | None = None, q: str | None = None):
    """The referrals the user filed, newest first (the reporter sees only the outcome);
    ``state`` "waiting" or "triaged" narrows them, ``q`` searches the child's name."""
    stmt = select(Referral).where(Referral.reported_by_id == user.id)
    if state == "waiting":
        stmt = stmt.where(Referral.outcome.is_(None))
    elif state == "triaged":
        stmt = stmt.where(Referral.outcome.is_not(None))
    if q:
        pattern = contains_pattern(q.lower())
        stmt = stmt.where(or_(
            func.lower(Referral.child_given_name + " " + Referral.child_family_name)
            .like(pattern, escape="\\"),
            func.lower(Referral.child_family_name).like(pattern, escape="\\")))
    return stmt.order_by(*REFERRALS_MINE.default_order())


#: The reporter's list of their referrals (issue 18.3).
REFERRALS_MINE = ListSpec(
    "cases.referrals_mine",
    sorts={"received": lambda: (Referral.received_at,), "urgency": lambda: (
        URGENCY_ORDER,)},
    default_sort="-received", tiebreak=lambda: (Referral.id.desc(),))


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


def case_statistics(user) -> dict[str, dict[str, int | str]]:
    """The strategic group's pseudonymous view of the municipality's cases: counts only, by
    risk colour and category (open cases), by status (all cases) and by the kinds of
    institution taking part (open cases having an active member of that kind).

    No case appears as a row, so that a child of a small municipality cannot be recognised from
    a number, a colour and a category. The counts follow the annual report's suppression rule
    (``casework.reports.disclosure.protect``): 1 and 2 are "<3", 0 stays 0, and the open cases
    by risk and by status add up to the same number of open cases, so each of those two tables
    hides a further cell ("x") when it has a "<3" (complementary suppression).
    """
    from casework.reports.disclosure import protect

    muni = user.municipality_id
    is_open = and_(Case.municipality_id == muni, Case.status != "closed")

    def counts(stmt, keys, additive: bool = False) -> dict[str, int | str]:
        found = dict(db.session.execute(stmt).all())
        return protect({key: int(found.get(key, 0)) for key in keys}, additive=additive)

    from casework.orgs.models import InstitutionKind
    from workflows import case_lifecycle

    kinds = (select(Institution.kind, func.count(func.distinct(Case.id)))
             .join(GroupMember, GroupMember.institution_id == Institution.id)
             .join(CooperationGroup, CooperationGroup.id == GroupMember.group_id)
             .join(Case, Case.id == CooperationGroup.case_id)
             .where(is_open, GroupMember.member_to.is_(None))
             .group_by(Institution.kind))
    statuses = [s.value for s in case_lifecycle.CaseStatus]
    by_status = dict(db.session.execute(
        select(Case.status, func.count()).where(Case.municipality_id == muni)
        .group_by(Case.status)).all())
    # The open statuses add up to the open cases, as the risk colours do; the closed ones are
    # a count of their own.
    status = protect({s: int(by_status.get(s, 0)) for s in statuses if s != "closed"},
                     additive=True)
    status["closed"] = protect({"closed": int(by_status.get("closed", 0))})["closed"]
    return {
        "risk": counts(select(Case.risk, func.count()).where(is_open).group_by(Case.risk),
                       ("red", "yellow", "green"), additive=True),
        "status": {s: status[s] for s in statuses},
        "category": counts(select(CaseCategory.category, func.count())
                           .join(Case, Case.id == CaseCategory.case_id).where(is_open)
                           .group_by(CaseCategory.category),
                           [c.value for c in Category]),
        "institution_kind": counts(kinds, [k.value for k in InstitutionKind]),
    }
