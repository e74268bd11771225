"""Reads of groups, meetings and decisions, always scoped to what the user may see.

A strategic group and its meetings are seen by the municipality's coordinators and the group's
active members (the administrator sees the group and its members, not its meetings). An
interprofessional group, its meetings and decisions are seen by whoever may see its case
(``casework.cases.queries.case_visibility``). Anything else is "not found".
"""

from __future__ import annotations

from datetime import datetime

from flask import abort
from sqlalchemy import and_, false, func, or_, select, true

from casework.auth.models import Role
from casework.cases.models import Case
from casework.cases.queries import active_membership, case_visibility, case_visibility_grounds
from casework.extensions import db
from casework.groups.models import (
    Attendance,
    CooperationGroup,
    Decision,
    GroupMember,
    Meeting,
)
from casework.tasks.models import Task


def strategic_member_groups(user, now: datetime | None = None):
    """Select of the ids of strategic groups ``user`` is an active member of."""
    return (select(GroupMember.group_id)
            .join(CooperationGroup, CooperationGroup.id == GroupMember.group_id)
            .where(CooperationGroup.kind == "strategic", active_membership(user.id, now)))


def _strategic_grounds(user, now: datetime | None = None) -> list:
    """The conditions on a strategic ``CooperationGroup`` of which one lets ``user`` see its
    content: a member, the lead, or any coordinator of the municipality."""
    grounds = [CooperationGroup.id.in_(strategic_member_groups(user, now)),
               CooperationGroup.lead_id == user.id]
    if user.has_role(Role.COORDINATOR):
        grounds.append(true())
    return grounds


def group_content_visibility(user, now: datetime | None = None):
    """The SQL condition "``user`` may see this group's meetings and decisions"."""
    if not user.is_authenticated or user.municipality_id is None:
        return false()
    return and_(
        CooperationGroup.municipality_id == user.municipality_id,
        or_(
            and_(CooperationGroup.kind == "strategic", or_(*_strategic_grounds(user, now))),
            and_(CooperationGroup.kind == "interprofessional",
                 CooperationGroup.case_id.in_(select(Case.id).where(case_visibility(user, now)))),
        ),
    )


def visible_group_ids(user, now: datetime | None = None) -> list[int]:
    """The ids of the groups whose content ``user`` may see (``group_content_visibility``), in
    one query: for a page that reads several lists of the groups' meetings and decisions (the
    start page), each list is then narrowed by these ids (``in_ids``) instead of deriving the
    visible groups again from the municipality's thousands.

    The query is the union of the conditions' parts (the OR of ``group_content_visibility``
    taken apart), each read from its own index: a case manager's cases, a service's cases,
    the user's memberships, never a scan of every group of the municipality."""
    from sqlalchemy import union

    if not user.is_authenticated or user.municipality_id is None:
        return []
    mine = CooperationGroup.municipality_id == user.municipality_id
    parts = [select(CooperationGroup.id).where(mine, CooperationGroup.kind == "strategic", ground)
             for ground in _strategic_grounds(user, now)]
    parts += [select(CooperationGroup.id).join(Case, Case.id == CooperationGroup.case_id)
              .where(mine, CooperationGroup.kind == "interprofessional",
                     Case.municipality_id == user.municipality_id, ground)
              for ground in case_visibility_grounds(user, now)]
    return list(db.session.scalars(union(*parts)))


def visible_groups(user):
    """Groups whose content ``user`` may see."""
    return select(CooperationGroup).where(group_content_visibility(user))


def strategic_groups(user):
    """The municipality's strategic groups as listed to ``user``: all of them for coordinators
    and administrators, otherwise those they are (or were) a member of or lead."""
    if user.municipality_id is None:
        return select(CooperationGroup).where(false())
    stmt = select(CooperationGroup).where(
        CooperationGroup.kind == "strategic",
        CooperationGroup.municipality_id == user.municipality_id)
    if not user.has_role(Role.COORDINATOR, Role.ADMIN):
        stmt = stmt.where(or_(CooperationGroup.id.in_(strategic_member_groups(user)),
                              CooperationGroup.lead_id == user.id))
    return stmt.order_by(CooperationGroup.active.desc(), CooperationGroup.name)


def get_group_or_404(group_id: int, user) -> CooperationGroup:
    """A group whose content the user may see, or (for a strategic group) which the
    administrator manages; otherwise 404."""
    found = db.session.scalar(visible_groups(user).where(CooperationGroup.id == group_id))
    if found is None and user.has_role(Role.ADMIN):
        found = db.session.scalar(select(CooperationGroup).where(
            CooperationGroup.id == group_id, CooperationGroup.kind == "strategic",
            CooperationGroup.municipality_id == user.municipality_id))
    if found is None:
        abort(404)
    return found


def visible_meetings(user):
    """Meetings of the groups whose content ``user`` may see."""
    # The meeting's own municipality first: a municipality's meetings are read from its
    # index, not every meeting of the country joined to its group.
    return (select(Meeting).join(CooperationGroup, CooperationGroup.id == Meeting.group_id)
            .where(Meeting.municipality_id == user.municipality_id,
                   group_content_visibility(user)))


def get_meeting_or_404(meeting_id: int, user) -> Meeting:
    """The meeting if ``user`` may see it; otherwise 404 (never 403)."""
    found = db.session.scalar(visible_meetings(user).where(Meeting.id == meeting_id))
    if found is None:
        abort(404)
    return found


def visible_decisions(user):
    """Decisions of the groups whose content ``user`` may see."""
    return (select(Decision).join(CooperationGroup, CooperationGroup.id == Decision.group_id)
            .where(Decision.municipality_id == user.municipality_id,
                   group_content_visibility(user)))


def get_decision_or_404(decision_id: int, user) -> Decision:
    """The decision if ``user`` may see it; otherwise 404."""
    found = db.session.scalar(visible_decisions(user).where(Decision.id == decision_id))
    if found is None:
        abort(404)
    return found


def conflicts(user_ids, starts_at: datetime, ends_at: datetime,
              exclude_meeting_id: int | None = None) -> dict[int, list[Meeting]]:
    """For each of ``user_ids``: their other non-cancelled meetings overlapping the time
    (one query). Used to warn, never to refuse; callers show only the time, since the other
    meeting may belong to a group the viewer does not see."""
    ids = {int(u) for u in user_ids or () if u}
    if not ids:
        return {}
    stmt = (select(Attendance.user_id, Meeting)
            .join(Meeting, Meeting.id == Attendance.meeting_id)
            .where(Attendance.user_id.in_(ids), Meeting.status != "cancelled",
                   Meeting.starts_at < ends_at, Meeting.ends_at > starts_at)
            .order_by(Meeting.starts_at, Meeting.id))
    if exclude_meeting_id is not None:
        stmt = stmt.where(Meeting.id != exclude_meeting_id)
    result: dict[int, list[Meeting]] = {}
    for user_id, meeting in db.session.execute(stmt):
        result.setdefault(user_id, []).append(meeting)
    return result


def group_meetings(group: CooperationGroup):
    """A group's meetings, newest first (the group itself is already visible to the user)."""
    return (select(Meeting).where(Meeting.group_id == group.id)
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc()))


def may_see_content(user, group: CooperationGroup) -> bool:
    """Whether ``user`` may see the group's meetings and decisions (not just its members)."""
    return db.session.scalar(select(func.count()).select_from(CooperationGroup).where(
        CooperationGroup.id == group.id, group_content_visibility(user))) > 0


def meeting_decisions(meeting: Meeting):
    """The decisions (drafts and published) written in a meeting's minutes, in creation order."""
    return select(Decision).where(Decision.meeting_id == meeting.id).order_by(Decision.id)


def meeting_tasks(meeting: Meeting):
    """The tasks (drafts and issued) written in a meeting's minutes."""
    return select(Task).where(Task.meeting_id == meeting.id).order_by(Task.id)


def case_numbers(case_ids) -> dict[int, str]:
    """The pseudonymous numbers of cases named on a strategic agenda (nothing else of them)."""
    ids = {i for i in case_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(Case.id, Case.number).where(Case.id.in_(ids))).all())
