"""Every change to groups and meetings: check, transition, flush, record the audit event and
queue notifications. The request (or job) commits once; nothing here commits.

Meetings follow the structured method (DESIGN.md §1, §4): goals on the agenda, invitations and
attendance, minutes that lock once approved. Approving the minutes numbers and publishes the
meeting's decisions, issues its tasks and notifies the participants.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import flag_modified

from casework.audit.operations import record
from casework.auth.models import User
from casework.auth.operations import OperationRefused
from casework.cases import operations as case_ops
from casework.cases.models import Case, ClientParticipation
from casework.cases.operations import AccessRefused, refusal
from casework.concurrency import Stale, check_version, flush
from casework.counters import bump_counter
from casework.db_types import utcnow
from casework.extensions import db
from casework.forms import MAX_MINUTES
from casework.groups import access
from casework.groups.models import (
    AGENDA_KINDS,
    ATTENDANCE_STATES,
    DECISION_KINDS,
    DECISION_PREFIX,
    MEETING_KINDS,
    AgendaItem,
    Attendance,
    CooperationGroup,
    Decision,
    DecisionNumberCounter,
    GroupMember,
    Meeting,
)
from casework.inputs import is_https_url
from casework.notifications.operations import notify, notify_many
from casework.notifications.texts import deferred
from casework.orgs.models import Institution
from casework.tasks.models import Task
from workflows import WorkflowError
from workflows import meeting as meeting_workflow
from workflows.policy import RIGA, local_date

#: The stale error of every domain (kept under its old name for callers).
StaleMeeting = Stale


def meeting_link(meeting: Meeting) -> str:
    """The meeting page's address (notifications are also made outside requests)."""
    return f"/meetings/{meeting.id}"


def _subject(group: CooperationGroup):
    """How a notification names the group: the case number only, never a person."""
    if group.kind == "interprofessional" and group.case_id is not None:
        number = db.session.scalar(select(Case.number).where(Case.id == group.case_id))
        return deferred("case %(number)s", number=number)
    return group.name


# -- groups and members -----------------------------------------------------------------------
def create_strategic_group(actor, *, name: str, description: str | None = None,
                           lead: User | None = None) -> CooperationGroup:
    """The administrator or a coordinator creates a strategic group of the municipality."""
    if not access.may_create_strategic_group(actor):
        raise AccessRefused(_l("Only the administrator or a coordinator may create groups."))
    if not (name or "").strip():
        raise OperationRefused(_l("Give the group a name."))
    if lead is not None and (lead.municipality_id != actor.municipality_id or not lead.active):
        raise OperationRefused(_l("The coordinator must be an active user of the municipality."))
    group = CooperationGroup(municipality_id=actor.municipality_id, kind="strategic",
                             name=name.strip(), description=(description or "").strip() or None,
                             lead_id=lead.id if lead else None)
    db.session.add(group)
    db.session.flush()
    record("group_created", group, user=actor, details={"kind": group.kind,
                                                        "lead": group.lead_id})
    return group


def _active_member(group_id: int, user_id: int) -> GroupMember | None:
    return db.session.scalar(select(GroupMember).where(
        GroupMember.group_id == group_id, GroupMember.user_id == user_id,
        GroupMember.member_to.is_(None)))


def add_member(actor, group: CooperationGroup, user: User | None, *,
               institution_id: int | None = None, role_in_group: str | None = None,
               member_from: datetime | None = None) -> GroupMember:
    """Add a member representing an institution; they see the group's content from then on.

    An interprofessional group's members change through its case (history and audit there).
    """
    if group.kind == "interprofessional":
        case = db.session.get(Case, group.case_id)
        return case_ops.add_group_member(actor, case, user, role_in_group)
    if not access.may_manage_members(actor, group):
        raise AccessRefused(_l("You may not change the members of this group."))
    if user is None or not user.active:
        raise OperationRefused(_l("Choose an active user."))
    if user.municipality_id != group.municipality_id:
        raise OperationRefused(_l("This user works in another municipality and cannot be a "
                                  "member of this group."))
    institution = db.session.get(Institution, institution_id or user.institution_id)
    if institution is None or institution.municipality_id != group.municipality_id:
        raise OperationRefused(_l("The member must represent an institution of the "
                                  "municipality."))
    if _active_member(group.id, user.id) is not None:
        raise OperationRefused(_l("This user is already a member of the group."))
    member = GroupMember(group_id=group.id, user_id=user.id, institution_id=institution.id,
                         role_in_group=(role_in_group or "").strip() or None,
                         member_from=member_from or utcnow())
    db.session.add(member)
    db.session.flush()
    record("group_member_added", group, user=actor,
           details={"member": user.id, "institution": institution.id})
    return member


def end_member(actor, group: CooperationGroup, member_id: int,
               member_to: datetime | None = None) -> None:
    """End a membership: the user no longer sees the group's content."""
    if group.kind == "interprofessional":
        case = db.session.get(Case, group.case_id)
        case_ops.remove_group_member(actor, case, member_id)
        return
    if not access.may_manage_members(actor, group):
        raise AccessRefused(_l("You may not change the members of this group."))
    member = db.session.scalar(select(GroupMember).where(
        GroupMember.id == member_id, GroupMember.group_id == group.id,
        GroupMember.member_to.is_(None)))
    if member is None:
        raise OperationRefused(_l("This membership does not exist or has already ended."))
    member.member_to = member_to or utcnow()
    record("group_member_removed", group, user=actor, details={"member": member.user_id})
    db.session.flush()


def active_members(group: CooperationGroup) -> list[GroupMember]:
    """The group's memberships in force now, oldest first."""
    now = utcnow()
    return list(db.session.scalars(
        select(GroupMember).where(GroupMember.group_id == group.id,
                                  GroupMember.member_from <= now,
                                  (GroupMember.member_to.is_(None))
                                  | (GroupMember.member_to > now))
        .order_by(GroupMember.member_from, GroupMember.id)))


# -- meetings: checks -------------------------------------------------------------------------
def _require_manager(actor, meeting_or_group) -> CooperationGroup:
    group = meeting_or_group if isinstance(meeting_or_group, CooperationGroup) \
        else meeting_or_group.group
    if not access.may_manage_meetings(actor, group):
        raise AccessRefused(_l("Only the group's coordinator or the case manager may change "
                               "its meetings."))
    return group


def _check_version(meeting: Meeting, expected_version) -> None:
    check_version(meeting, expected_version)


def _flush(meeting: Meeting | None = None) -> None:
    flush(meeting)


def _require_open(meeting: Meeting) -> None:
    """Agenda, attendance, minutes, decision and task drafts change only before approval."""
    if meeting.minutes_locked:
        raise OperationRefused(_l("The minutes of this meeting are locked (approved or "
                                  "cancelled); nothing can be changed."))


def _times(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is None or ends_at is None:
        raise OperationRefused(_l("Give the start and the end of the meeting."))
    try:
        meeting_workflow.validate_meeting_times(starts_at, ends_at)
    except WorkflowError as error:
        raise refusal(error) from error


def meeting_facts(meeting: Meeting) -> meeting_workflow.MeetingFacts:
    """What the meeting workflow's conditions need, read from the database."""
    goals, item_minutes = db.session.execute(
        select(func.count(sql_case((AgendaItem.kind == "goal", 1))),
               func.count(sql_case((func.length(func.trim(AgendaItem.minutes)) > 0, 1))))
        .where(AgendaItem.meeting_id == meeting.id)).one()
    states = dict(db.session.execute(
        select(Attendance.status, func.count()).where(Attendance.meeting_id == meeting.id)
        .group_by(Attendance.status)).all())
    recorded = states.get("attended", 0) > 0 and states.get("invited", 0) == 0
    # The minutes are written once the general part or any agenda item's minutes say something.
    written = bool((meeting.minutes or "").strip()) or item_minutes > 0
    return meeting_workflow.MeetingFacts(goal_count=goals or 0, attendance_recorded=recorded,
                                         minutes_written=written,
                                         started=utcnow() >= meeting.starts_at)


@dataclass(frozen=True)
class MeetingStep:
    """One step of the structured method's meeting (plan → invite → attendance → held →
    minutes → approve): done, the current one, and what it still lacks."""

    key: str
    label: object
    done: bool
    missing: tuple[str, ...] = ()


#: The steps of a meeting in their order, with their labels.
MEETING_STEPS = (("plan", _l("Plan")), ("invite", _l("Invite")),
                 ("attendance", _l("Attendance")), ("held", _l("Held")),
                 ("minutes", _l("Minutes")), ("approve", _l("Approve")))


def meeting_steps(meeting: Meeting, facts: meeting_workflow.MeetingFacts,
                  locale: str) -> list[MeetingStep]:
    """Where a meeting stands in its steps, with every missing thing at once (the workflow's
    unmet conditions, the same ones that refuse the transition). Empty for a cancelled one."""
    if meeting.status == "cancelled":
        return []
    status = meeting.status
    held = status in ("held", "minutes_approved")
    approved = status == "minutes_approved"
    machine = meeting_workflow.bind(meeting, facts)
    held_unmet = ({e.code: e.message(locale) for e in machine.unmet("mark_held")}
                  if status == "planned" else {})
    approve_unmet = (tuple(e.message(locale) for e in machine.unmet("approve_minutes"))
                     if status == "held" else ())
    done = {
        "plan": facts.goal_count >= 1,
        "invite": bool(meeting.attendance),
        "attendance": facts.attendance_recorded or held,
        "held": held,
        "minutes": facts.minutes_written,
        "approve": approved,
    }
    needs = {
        "plan": (held_unmet.get("goal_on_agenda")
                 or str(_l("Add at least one goal to the agenda.")),),
        "invite": (str(_l("Invite the participants.")),),
        "attendance": (held_unmet.get("attendance_recorded")
                       or str(_l("Record who attended.")),),
        "held": tuple(held_unmet.values()),
        "minutes": (str(_l("Write the minutes.")),),
        "approve": approve_unmet if held else (
            str(_l("The meeting must first be marked as held.")),),
    }
    missing = {key: () if done[key] else needs[key] for key in done}
    return [MeetingStep(key, label, done[key], missing[key]) for key, label in MEETING_STEPS]


def meeting_year(meeting: Meeting) -> int:
    """The year a meeting's decisions are numbered in: its local (Riga) date's year."""
    return local_date(meeting.starts_at).year


# -- meetings: planning -----------------------------------------------------------------------
def _online_link(link: str | None) -> None:
    """An online meeting link is ``https://`` or nothing (every client: pages, API, CLI)."""
    if (link or "").strip() and not is_https_url(link.strip()):
        raise OperationRefused(_l("Enter a full address that starts with https://."))


def plan_meeting(actor, group: CooperationGroup, *, starts_at: datetime, ends_at: datetime,
                 kind: str = "regular", title: str | None = None, place: str | None = None,
                 online_link: str | None = None, chair_id: int | None = None,
                 minute_taker_id: int | None = None, invite_ids=()) -> Meeting:
    """Plan a meeting and invite members; the invited are notified."""
    _require_manager(actor, group)
    if not group.active:
        raise OperationRefused(_l("The group is no longer active."))
    _times(starts_at, ends_at)
    if kind not in MEETING_KINDS:
        raise OperationRefused(_l("Choose the kind of meeting."))
    _online_link(online_link)
    meeting = Meeting(group_id=group.id, municipality_id=group.municipality_id, kind=kind,
                      title=(title or "").strip() or None,
                      starts_at=starts_at, ends_at=ends_at, place=(place or "").strip() or None,
                      online_link=(online_link or "").strip() or None,
                      chair_id=chair_id or actor.id, minute_taker_id=minute_taker_id or None,
                      status="planned", created_by_id=actor.id)
    db.session.add(meeting)
    db.session.flush()
    record("meeting_planned", meeting, user=actor, municipality_id=group.municipality_id,
           details={"group": group.id, "starts_at": starts_at.isoformat()})
    invite(actor, meeting, invite_ids)
    return meeting


def update_meeting(actor, meeting: Meeting, *, starts_at: datetime, ends_at: datetime,
                   kind: str, title: str | None, place: str | None, online_link: str | None,
                   chair_id: int | None, minute_taker_id: int | None,
                   expected_version=None) -> bool:
    """Change a planned meeting's details; a new time is a rescheduling: the meeting stays
    planned and the invited are notified. Returns True when it was rescheduled."""
    group = _require_manager(actor, meeting)
    _check_version(meeting, expected_version)
    if meeting.status != "planned":
        raise OperationRefused(_l("Only a planned meeting can be changed or rescheduled."))
    _times(starts_at, ends_at)
    if kind not in MEETING_KINDS:
        raise OperationRefused(_l("Choose the kind of meeting."))
    _online_link(online_link)
    moved = (starts_at, ends_at) != (meeting.starts_at, meeting.ends_at)
    old_start = meeting.starts_at
    meeting.starts_at, meeting.ends_at, meeting.kind = starts_at, ends_at, kind
    meeting.title = (title or "").strip() or None
    meeting.place = (place or "").strip() or None
    meeting.online_link = (online_link or "").strip() or None
    meeting.chair_id = chair_id or None
    meeting.minute_taker_id = minute_taker_id or None
    _flush(meeting)
    record("meeting_rescheduled" if moved else "meeting_changed", meeting, user=actor,
           municipality_id=group.municipality_id,
           details={"from": old_start.isoformat(), "to": starts_at.isoformat()} if moved else {})
    if moved:
        when = starts_at.astimezone(RIGA).strftime("%d.%m.%Y %H:%M")
        notify_many(_invited_ids(meeting), "meeting_rescheduled",
                    deferred("The meeting has been moved to %(when)s (%(subject)s).",
                             when=when, subject=_subject(group)), meeting_link(meeting),
                    f"meeting_rescheduled:m{meeting.id}:{int(starts_at.timestamp())}",
                    municipality_id=group.municipality_id)
    return moved


def _invited_ids(meeting: Meeting) -> list[int]:
    return list(db.session.scalars(select(Attendance.user_id)
                                   .where(Attendance.meeting_id == meeting.id)))


def invite(actor, meeting: Meeting, user_ids) -> list[Attendance]:
    """Invite active members of the group; each invited user is notified once."""
    group = _require_manager(actor, meeting)
    if meeting.status != "planned":
        raise OperationRefused(_l("Invitations are sent only for a planned meeting."))
    wanted = {int(u) for u in user_ids or () if u}
    if not wanted:
        return []
    members = {m.user_id: m for m in active_members(group)}
    foreign = wanted - set(members) - ({group.lead_id} if group.lead_id else set())
    if foreign:
        raise OperationRefused(_l("Only active members of the group can be invited."))
    already = set(_invited_ids(meeting))
    rows = []
    for user_id in sorted(wanted - already):
        institution_id = members[user_id].institution_id if user_id in members else \
            db.session.get(User, user_id).institution_id
        row = Attendance(meeting_id=meeting.id, user_id=user_id, institution_id=institution_id,
                         status="invited", invited_at=utcnow())
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    if rows:
        when = meeting.starts_at.astimezone(RIGA).strftime("%d.%m.%Y %H:%M")
        notify_many([r.user_id for r in rows], "meeting_invited",
                    deferred("You are invited to a meeting on %(when)s (%(subject)s).",
                             when=when, subject=_subject(group)),
                    meeting_link(meeting), f"meeting_invited:m{meeting.id}",
                    municipality_id=group.municipality_id)
        record("meeting_invited", meeting, user=actor, municipality_id=group.municipality_id,
               details={"users": [r.user_id for r in rows]})
    return rows


def record_attendance(actor, meeting: Meeting, statuses: dict[int, str]) -> None:
    """Record who attended, was excused or absent (per invitation)."""
    group = _require_manager(actor, meeting)
    _require_open(meeting)
    rows = {a.user_id: a for a in meeting.attendance}
    for user_id, status in statuses.items():
        if status not in ATTENDANCE_STATES:
            raise OperationRefused(_l("Choose attended, excused or absent."))
        if user_id not in rows:
            raise OperationRefused(_l("Only invited members can be marked."))
        rows[user_id].status = status
    db.session.flush()
    record("meeting_attendance", meeting, user=actor, municipality_id=group.municipality_id,
           details={"statuses": {str(k): v for k, v in statuses.items()}})


def add_agenda_item(actor, meeting: Meeting, *, kind: str, text: str,
                    case_number: str | None = None) -> AgendaItem:
    """A goal or an item of the agenda; a strategic item may name a case by its number."""
    group = _require_manager(actor, meeting)
    _require_open(meeting)
    if kind not in AGENDA_KINDS:
        raise OperationRefused(_l("Choose goal or item."))
    if not (text or "").strip():
        raise OperationRefused(_l("Write the goal or item."))
    case_id = None
    if case_number and case_number.strip():
        if group.kind != "strategic":
            raise OperationRefused(_l("Only a strategic group's agenda refers to cases by "
                                      "number."))
        case_id = db.session.scalar(select(Case.id).where(
            Case.municipality_id == group.municipality_id, Case.number == case_number.strip()))
        if case_id is None:
            raise OperationRefused(_l("There is no case with this number in the municipality."))
    position = (db.session.scalar(select(func.max(AgendaItem.position))
                                  .where(AgendaItem.meeting_id == meeting.id)) or 0) + 1
    item = AgendaItem(meeting_id=meeting.id, kind=kind, text=text.strip(), case_id=case_id,
                      position=position)
    db.session.add(item)
    db.session.flush()
    record("meeting_agenda_added", meeting, user=actor, municipality_id=group.municipality_id,
           details={"item": item.id, "kind": kind})
    return item


def remove_agenda_item(actor, meeting: Meeting, item_id: int) -> None:
    """Remove a goal or item (its decision and task drafts are kept, unlinked)."""
    group = _require_manager(actor, meeting)
    _require_open(meeting)
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.id == item_id,
                                                      AgendaItem.meeting_id == meeting.id))
    if item is None:
        raise OperationRefused(_l("This agenda item does not exist."))
    for model in (Decision, Task):
        for row in db.session.scalars(select(model).where(model.agenda_item_id == item.id)):
            row.agenda_item_id = None
    meeting.agenda.remove(item)
    db.session.flush()
    record("meeting_agenda_removed", meeting, user=actor,
           municipality_id=group.municipality_id, details={"item": item_id})


def _item_texts(meeting: Meeting, item_minutes: Mapping[int, str | None] | None
                ) -> list[tuple[AgendaItem, str | None]]:
    """The items' new minutes, each item of this meeting's agenda and within the length of the
    minutes; a blank text is None."""
    if not item_minutes:
        return []
    items = {item.id: item for item in meeting.agenda}
    texts = []
    for item_id, text in item_minutes.items():
        item = items.get(item_id) if isinstance(item_id, int) else None
        if item is None:
            raise OperationRefused(_l("Choose an item of this meeting's agenda."))
        text = (text or "").strip() or None
        if text is not None and len(text) > MAX_MINUTES:
            raise OperationRefused(_l("The minutes of an agenda item may have at most "
                                      "%(max)d characters.", max=MAX_MINUTES))
        texts.append((item, text))
    return texts


def save_minutes(actor, meeting: Meeting, *, minutes: str | None, expected_version=None,
                 participation: dict | None = None,
                 item_minutes: Mapping[int, str | None] | None = None) -> None:
    """Write the minutes: the general part, the minutes of the agenda items named in
    ``item_minutes`` (agenda item id → text; items not named keep theirs) and, for an
    interprofessional meeting, the client's and the child's part. Refused once the minutes are
    locked. An item's minutes change the meeting's version, so two people editing the minutes
    of the same meeting never overwrite each other, whichever part they changed."""
    group = _require_manager(actor, meeting)
    _check_version(meeting, expected_version)
    _require_open(meeting)
    items = _item_texts(meeting, item_minutes)
    meeting.minutes = (minutes or "").strip() or None
    changed = [item.id for item, text in items if item.minutes != text]
    for item, text in items:
        item.minutes = text
    if changed:
        flag_modified(meeting, "minutes")  # the meeting's UPDATE bumps (and checks) its version
    if group.kind == "interprofessional" and participation is not None:
        for key in ("client_took_part", "client_informed", "child_took_part",
                    "child_informed"):
            setattr(meeting, key, bool(participation.get(key)))
        for key in ("client_opinion", "child_opinion"):
            setattr(meeting, key, (participation.get(key) or "").strip() or None)
    _flush(meeting)
    record("meeting_minutes_saved", meeting, user=actor, municipality_id=group.municipality_id,
           details={"agenda_items": changed} if changed else None)


# -- decision and task drafts -----------------------------------------------------------------
def _decision_fields(group, kind, text, responsible_institution_id, agenda_item_id, meeting):
    if kind not in DECISION_KINDS:
        raise OperationRefused(_l("Choose the kind of decision."))
    if not (text or "").strip():
        raise OperationRefused(_l("Write the text of the decision."))
    if responsible_institution_id:
        inst = db.session.get(Institution, responsible_institution_id)
        if inst is None or inst.municipality_id != group.municipality_id:
            raise OperationRefused(_l("Choose an institution of the municipality."))
    if agenda_item_id and db.session.scalar(select(AgendaItem.id).where(
            AgendaItem.id == agenda_item_id, AgendaItem.meeting_id == meeting.id)) is None:
        raise OperationRefused(_l("Choose an item of this meeting's agenda."))


def add_decision(actor, meeting: Meeting, *, kind: str, text: str,
                 responsible_institution_id: int | None = None, due_date: date | None = None,
                 agenda_item_id: int | None = None) -> Decision:
    """A decision draft; it is numbered and published when the minutes are approved."""
    group = _require_manager(actor, meeting)
    _require_open(meeting)
    _decision_fields(group, kind, text, responsible_institution_id, agenda_item_id, meeting)
    decision = Decision(group_id=group.id, municipality_id=group.municipality_id,
                        meeting_id=meeting.id, kind=kind, text=text.strip(),
                        year=meeting_year(meeting), status="pending",
                        responsible_institution_id=responsible_institution_id or None,
                        due_date=due_date, agenda_item_id=agenda_item_id or None)
    db.session.add(decision)
    db.session.flush()
    record("decision_drafted", decision, user=actor, municipality_id=group.municipality_id,
           details={"meeting": meeting.id})
    return decision


def _draft_decision(meeting: Meeting, decision_id: int) -> Decision:
    decision = db.session.scalar(select(Decision).where(Decision.id == decision_id,
                                                        Decision.meeting_id == meeting.id))
    if decision is None:
        raise OperationRefused(_l("This decision does not exist."))
    if decision.published_at is not None:
        raise OperationRefused(_l("A published decision cannot be changed here."))
    return decision


def update_decision(actor, meeting: Meeting, decision_id: int, *, kind: str, text: str,
                    responsible_institution_id: int | None, due_date: date | None,
                    agenda_item_id: int | None = None) -> Decision:
    """Edit a decision draft."""
    group = _require_manager(actor, meeting)
    _require_open(meeting)
    decision = _draft_decision(meeting, decision_id)
    _decision_fields(group, kind, text, responsible_institution_id, agenda_item_id, meeting)
    decision.kind, decision.text = kind, text.strip()
    decision.responsible_institution_id = responsible_institution_id or None
    decision.due_date, decision.agenda_item_id = due_date, agenda_item_id or None
    db.session.flush()
    record("decision_draft_changed", decision, user=actor,
           municipality_id=group.municipality_id)
    return decision


def remove_decision(actor, meeting: Meeting, decision_id: int) -> None:
    """Remove a decision draft; its task drafts stay in the minutes, unlinked."""
    group = _require_manager(actor, meeting)
    _require_open(meeting)
    decision = _draft_decision(meeting, decision_id)
    for task in db.session.scalars(select(Task).where(Task.decision_id == decision.id)):
        task.decision_id = None
    db.session.flush()
    db.session.delete(decision)
    db.session.flush()
    record("decision_draft_removed", meeting, user=actor, municipality_id=group.municipality_id,
           details={"decision": decision_id})


def add_task(actor, meeting: Meeting, *, title: str, assignee: User | None,
             due_date: date | None, description: str | None = None,
             decision_id: int | None = None, agenda_item_id: int | None = None) -> Task:
    """A task draft of the minutes, issued when they are approved."""
    group = _require_manager(actor, meeting)
    _require_open(meeting)
    if not (title or "").strip():
        raise OperationRefused(_l("Write what is to be done."))
    if assignee is None:
        raise OperationRefused(_l("Choose who is responsible for the task."))
    if due_date is None:
        raise OperationRefused(_l("Give the task's deadline."))
    membership = _active_member(group.id, assignee.id)
    if membership is None and assignee.id != group.lead_id:
        raise OperationRefused(_l("The task can be given only to a member of the group."))
    if decision_id:
        _draft_decision(meeting, decision_id)
    if agenda_item_id and db.session.scalar(select(AgendaItem.id).where(
            AgendaItem.id == agenda_item_id, AgendaItem.meeting_id == meeting.id)) is None:
        raise OperationRefused(_l("Choose an item of this meeting's agenda."))
    task = Task(municipality_id=group.municipality_id, title=title.strip(),
                description=(description or "").strip() or None, assignee_id=assignee.id,
                assignee_institution_id=membership.institution_id if membership
                else assignee.institution_id,
                due_date=due_date, case_id=group.case_id, meeting_id=meeting.id,
                decision_id=decision_id or None, agenda_item_id=agenda_item_id or None,
                created_by_id=actor.id, issued_at=None)
    db.session.add(task)
    db.session.flush()
    record("task_drafted", task, user=actor, details={"meeting": meeting.id})
    return task


def remove_task(actor, meeting: Meeting, task_id: int) -> None:
    """Remove a task draft (issued tasks are cancelled on the task page instead)."""
    _require_manager(actor, meeting)
    _require_open(meeting)
    task = db.session.scalar(select(Task).where(Task.id == task_id,
                                                Task.meeting_id == meeting.id,
                                                Task.issued_at.is_(None)))
    if task is None:
        raise OperationRefused(_l("This task draft does not exist."))
    db.session.delete(task)
    db.session.flush()
    record("task_draft_removed", meeting, user=actor, details={"task": task_id})


# -- transitions ------------------------------------------------------------------------------
def _fire(actor, meeting: Meeting, trigger: str, expected_version, **inputs):
    group = _require_manager(actor, meeting)
    _check_version(meeting, expected_version)
    try:
        outcome = meeting_workflow.bind(meeting, meeting_facts(meeting)).fire(trigger, **inputs)
    except WorkflowError as error:
        raise refusal(error) from error
    return group, outcome


def mark_held(actor, meeting: Meeting, *, expected_version=None,
              at: datetime | None = None) -> None:
    """The meeting took place (goal on the agenda, attendance recorded)."""
    group, outcome = _fire(actor, meeting, "mark_held", expected_version)
    meeting.held_at = at or utcnow()
    _flush(meeting)
    record("meeting_held", meeting, user=actor, municipality_id=group.municipality_id,
           details={"from": outcome.source, "to": outcome.dest})
    if group.kind == "interprofessional" and group.case_id is not None:
        # Holding the group's meeting is what the convening task asked for.
        case_ops.close_convene_task(group.case_id, actor, meeting.held_at)
        _flush()


def cancel_meeting(actor, meeting: Meeting, *, reason: str | None, expected_version=None) -> None:
    """Cancel a planned meeting with a reason; the invited are notified."""
    group, outcome = _fire(actor, meeting, "cancel", expected_version, reason=reason)
    meeting.cancel_reason = reason.strip()
    _flush(meeting)
    record("meeting_cancelled", meeting, user=actor, municipality_id=group.municipality_id,
           details={"starts_at": meeting.starts_at.isoformat()})
    when = meeting.starts_at.astimezone(RIGA).strftime("%d.%m.%Y %H:%M")
    notify_many(_invited_ids(meeting), "meeting_cancelled",
                deferred("The meeting of %(when)s has been cancelled (%(subject)s).",
                         when=when, subject=_subject(group)), meeting_link(meeting),
                f"meeting_cancelled:m{meeting.id}", municipality_id=group.municipality_id)


def approve_minutes(actor, meeting: Meeting, *, expected_version=None,
                    at: datetime | None = None) -> list[Decision]:
    """Approve the minutes: lock them, number and publish the decisions, issue the tasks,
    record the client's participation and notify the participants."""
    group, outcome = _fire(actor, meeting, "approve_minutes", expected_version)
    at = at or utcnow()
    meeting.minutes_approved_at = at
    meeting.minutes_approved_by_id = actor.id
    # The meeting row first: a second approval of the same meeting fails here as stale.
    _flush(meeting)
    decisions = list(db.session.scalars(
        select(Decision).where(Decision.meeting_id == meeting.id,
                               Decision.published_at.is_(None)).order_by(Decision.id)))
    year = meeting_year(meeting)
    for decision in decisions:
        _publish(decision, group, year, at)
    tasks = list(db.session.scalars(select(Task).where(Task.meeting_id == meeting.id,
                                                       Task.issued_at.is_(None))
                                    .order_by(Task.id)))
    for task in tasks:
        task.issued_at = at
    db.session.flush()
    if group.kind == "interprofessional" and meeting.client_informed:
        on = local_date(meeting.starts_at)
        for decision in decisions:
            db.session.add(ClientParticipation(
                case_id=group.case_id, decision_id=decision.id,
                subject=f"{decision.number}: {decision.text}"[:300], informed=True,
                informed_on=on, informed_by_id=actor.id, method="in_person"
                if meeting.client_took_part else None, opinion=meeting.client_opinion,
                attended=bool(meeting.client_took_part), created_at=at))
        db.session.flush()
    record("meeting_minutes_approved", meeting, user=actor,
           municipality_id=group.municipality_id,
           details={"decisions": [d.number for d in decisions], "tasks": [t.id for t in tasks],
                    "from": outcome.source})
    if group.kind == "interprofessional":
        case = db.session.get(Case, group.case_id)
        case_ops.record_event(case, actor, "group", "minutes_approved", at=at,
                              details={"meeting_id": meeting.id,
                                       "decisions": [d.number for d in decisions]})
    participants = set(_participant_ids(meeting))
    notify_many(participants, "minutes_approved",
                deferred("The minutes of the meeting have been approved (%(subject)s); "
                         "decisions: %(decisions)s, tasks: %(tasks)s.", subject=_subject(group),
                         decisions=len(decisions), tasks=len(tasks)),
                meeting_link(meeting), f"minutes_approved:m{meeting.id}",
                municipality_id=group.municipality_id)
    for task in tasks:
        notify(task.assignee_id, "task_issued",
               deferred("New task due on %(date)s (%(subject)s).",
                        date=f"{task.due_date:%d.%m.%Y}", subject=_subject(group)),
               f"/tasks/{task.id}", f"task_issued:t{task.id}",
               municipality_id=group.municipality_id)
    return decisions


def approval_summary(meeting: Meeting) -> dict[str, int]:
    """What approving the minutes did: decisions numbered, tasks issued, participants told."""
    decisions = db.session.scalar(select(func.count()).select_from(Decision).where(
        Decision.meeting_id == meeting.id, Decision.published_at.is_not(None)))
    tasks = db.session.scalar(select(func.count()).select_from(Task).where(
        Task.meeting_id == meeting.id, Task.issued_at.is_not(None)))
    return {"decisions": decisions or 0, "tasks": tasks or 0,
            "people": len(set(_participant_ids(meeting)))}


def _participant_ids(meeting: Meeting) -> list[int]:
    ids = [uid for uid, status in db.session.execute(
        select(Attendance.user_id, Attendance.status).where(Attendance.meeting_id == meeting.id))
           if status != "absent"]
    ids += [u for u in (meeting.chair_id, meeting.minute_taker_id) if u]
    return ids


def next_decision_seq(group_id: int, year: int) -> int:
    """The next decision sequence of the group and year, from its counter row.

    Concurrent approvals queue on the counter row's lock (``casework.counters``), so each gets
    its own number at once, without retries and without gaps; numbers already given outside the
    counter (imported or demo decisions) are skipped.
    """
    taken = aliased(Decision)
    highest = (select(func.coalesce(func.max(taken.seq), 0))
               .where(taken.group_id == group_id, taken.year == year).scalar_subquery())
    return bump_counter(DecisionNumberCounter, {"group_id": group_id, "year": year},
                        floor=highest)


def _publish(decision: Decision, group: CooperationGroup, year: int, at: datetime) -> None:
    """Give the decision the next number of its group and year and publish it."""
    decision.year = year
    decision.seq = next_decision_seq(group.id, year)
    decision.number = f"{DECISION_PREFIX[group.kind]}-{year}/{decision.seq:02d}"
    decision.published_at = at
    db.session.flush()
