"""The reads of the case page, in a number of statements that does not grow with the case or
the municipality (issue 16: at most 15 at national scale, the audit chain of the read included).

- the case with its categories, persons, case manager, social service and latest assessment
  (``get_case_for_page_or_404``: the access check is the same ``visible_cases``);
- the group with its members, the history with its actors, the notes, tasks, referrals, plan
  and documents: one query each, the rows named on the page loaded with them;
- the short lists shown as they are, in one statement (``casework.panels.read_lists``): the
  other cases holding a person's personal code (with whether the reader may see each), the
  client's participation, the group's meetings, and for whoever manages the case the group's
  decisions (risk form and workflow), with the names of the users a history line names.

The forms that choose among the municipality's people (a thousand and more at national scale)
have pages of their own: ``people`` reads them there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased, joinedload

from casework.auth.models import Role, User, UserRole
from casework.cases import queries
from casework.cases.models import Case, CaseEvent, ClientParticipation
from casework.extensions import db
from casework.groups.models import CooperationGroup, Decision, GroupMember, Meeting
from casework.orgs.models import Institution
from casework.panels import read_lists

#: The keys of a history event's details that name a user (``filters.event_label``).
NAMED_USER_KEYS = ("user_id", "from", "to")


def get_case_for_page_or_404(case_id: int, user):
    """``(case, latest assessment or None)`` if ``user`` may see the case; otherwise 404.

    The case comes as ``queries.get_case_or_404`` loads it, with the case manager and the
    social service its header names; the latest version of the assessment (its section on the
    page) and who made it in the same statement.
    """
    from casework.plans.models import Assessment

    newer = aliased(Assessment)
    latest = (select(func.max(newer.version)).where(newer.case_id == Case.id)
              .correlate(Case).scalar_subquery())
    row = db.session.execute(
        queries.visible_cases(user).add_columns(Assessment)
        .outerjoin(Assessment, and_(Assessment.case_id == Case.id,
                                    Assessment.version == latest))
        .where(Case.id == case_id)
        .options(*queries.CASE_LOAD,
                 joinedload(Case.case_manager).lazyload(User.role_rows),
                 joinedload(Case.owner_institution),
                 joinedload(Assessment.assessed_by).lazyload(User.role_rows))
    ).unique().one_or_none()
    if row is None:
        abort(404)
    return row[0], row[1]


def case_group(case: Case) -> CooperationGroup | None:
    """The case's group with its members, their users and institutions (one query)."""
    return db.session.execute(
        select(CooperationGroup).where(CooperationGroup.case_id == case.id)
        .options(joinedload(CooperationGroup.members).joinedload(GroupMember.user)
                 .lazyload(User.role_rows),
                 joinedload(CooperationGroup.members).joinedload(GroupMember.institution))
    ).unique().scalar_one_or_none()


def history(case: Case) -> list[CaseEvent]:
    """The case's history, newest first, with the actors (one query)."""
    return db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id)
        .options(joinedload(CaseEvent.actor).lazyload(User.role_rows))
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())).all()


@dataclass
class Lists:
    """The case page's short lists (rows as named tuples, see ``read``)."""

    elsewhere: dict = field(default_factory=dict)
    participation: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    named_users: dict = field(default_factory=dict)


def read(case: Case, user, *, group: CooperationGroup | None, events, manages: bool) -> Lists:
    """The case page's short lists in one statement:

    - ``elsewhere``: ``queries.persons_elsewhere`` (what ``user`` may learn of the other cases
      holding a person's personal code);
    - ``participation``: ``(id, subject, person_id, informed, informed_on, informed_by_name,
      opinion, attended)``, newest first;
    - ``meetings``: the group's, ``(id, starts_at, title, kind, status, held_at)``, newest first;
    - for whoever manages the case (``manages``): ``decisions``, the group's ``(id, number,
      text, published)`` newest first (the risk form and the workflow);
    - ``named_users``: ``{id: (id, full_name)}`` of the users the history ``events`` name in
      their details (members added or removed, the case managers of a reassignment).
    """
    lists = {"elsewhere": (queries.persons_elsewhere_select(case, user), (Case.number,))}
    informer = aliased(User)
    lists["participation"] = (
        select(ClientParticipation.id, ClientParticipation.subject, ClientParticipation.person_id,
               ClientParticipation.informed, ClientParticipation.informed_on,
               informer.full_name.label("informed_by_name"), ClientParticipation.opinion,
               ClientParticipation.attended)
        .outerjoin(informer, informer.id == ClientParticipation.informed_by_id)
        .where(ClientParticipation.case_id == case.id),
        (ClientParticipation.created_at.desc(), ClientParticipation.id.desc()))
    if group is not None:
        lists["meetings"] = (
            select(Meeting.id, Meeting.starts_at, Meeting.title, Meeting.kind, Meeting.status,
                   Meeting.held_at).where(Meeting.group_id == group.id),
            (Meeting.starts_at.desc(), Meeting.id.desc()))
    if manages:
        if group is not None:
            lists["decisions"] = (
                select(Decision.id, Decision.number, Decision.text,
                       Decision.published_at.is_not(None).label("published"))
                .where(Decision.group_id == group.id), (Decision.id.desc(),))
    named = {(e.details or {}).get(key) for e in events for key in NAMED_USER_KEYS}
    named = {i for i in named if isinstance(i, int) and not isinstance(i, bool)}
    if named:
        lists["named_users"] = (select(User.id, User.full_name).where(User.id.in_(named)),
                                (User.id,))
    rows = read_lists(lists)
    return Lists(
        elsewhere=queries.person_matches(rows["elsewhere"], case, user),
        participation=rows["participation"], meetings=rows.get("meetings", []),
        decisions=rows.get("decisions", []),
        named_users={u.id: u for u in rows.get("named_users", [])})


def people(case: Case, *, managers_only: bool = False) -> list:
    """The active users of the case's municipality, ``(id, full_name, institution)`` by
    institution and name (the member form), or only its case managers by name (the
    reassignment form)."""
    stmt = (select(User.id, User.full_name, Institution.name.label("institution"))
            .join(Institution, Institution.id == User.institution_id)
            .where(Institution.municipality_id == case.municipality_id, User.active.is_(True)))
    if managers_only:
        return db.session.execute(stmt.where(exists().where(
            UserRole.user_id == User.id, UserRole.role == Role.CASE_MANAGER.value))
            .order_by(User.full_name, User.id)).all()
    return db.session.execute(
        stmt.order_by(Institution.name, Institution.id, User.full_name)).all()
