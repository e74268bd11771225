"""Every change to referrals and cases: check, transition, flush, record the history and the
audit event. The request (or job) commits once; nothing here commits.

Two questions are asked separately for every change: may this user do it (``access``), and does
the workflow allow it now (``workflows``). Both refusals carry a message for the user.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import flag_modified

from casework.audit.operations import record
from casework.auth.models import User
from casework.auth.operations import OperationRefused
from casework.cases import access
from casework.cases.models import (
    BreakGlassAccess,
    Case,
    CaseEvent,
    CaseNumberCounter,
    CasePerson,
    ClientParticipation,
    Note,
    NoteLevel,
    PersonRole,
    Referral,
    TriageOutcome,
)
from casework.cases.personal_code import InvalidPersonalCode, validate_personal_code
from casework.concurrency import Stale, check_version, flush
from casework.counters import bump_counter
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.models import (
    CASE_GROUP_NAME_PREFIX,
    CooperationGroup,
    Decision,
    GroupMember,
    Meeting,
)
from casework.policies.operations import calendar_for, policy_for
from casework.tasks.models import Task
from workflows import WorkflowError, case_lifecycle, pick_label, risk_profile
from workflows.policy import convene_deadline, local_date, next_review_date, triage_deadline

BREAK_GLASS_HOURS = 4
CONVENE_TASK_TITLE = "Sasaukt starpprofesionāļu sadarbības grupu"
CONVENE_TASK_KIND = "convene"
CONVENE_TASK_DONE_NOTE = "Grupas sanāksme notikusi."


class AccessRefused(OperationRefused):
    """The user sees the case but their role does not allow this change (403)."""


#: The stale error of every domain (kept under its old name for callers).
StaleCase = Stale


def _locale() -> str:
    return str(get_locale() or "lv")


def refusal(error: WorkflowError) -> OperationRefused:
    """A workflow refusal as an OperationRefused carrying the message in the user's language."""
    refused = OperationRefused(error.message(_locale()))
    refused.code = error.code
    return refused


# -- numbering --------------------------------------------------------------------------------
def next_case_number(municipality_id: int, year: int) -> tuple[int, str]:
    """The next case number of the municipality and year, e.g. ``(42, "2026/0042")``.

    The counter row is incremented with one UPDATE (``casework.counters``), so two cases opened
    at once never get the same number.
    """
    taken = aliased(Case)
    highest = (select(func.coalesce(func.max(taken.seq), 0))
               .where(taken.municipality_id == municipality_id, taken.year == year)
               .scalar_subquery())
    seq = bump_counter(CaseNumberCounter, {"municipality_id": municipality_id, "year": year},
                       floor=highest)
    return seq, f"{year}/{seq:04d}"


# -- history ----------------------------------------------------------------------------------
def record_event(case: Case, actor, machine: str, trigger: str, *, from_state=None,
                 to_state=None, reason=None, decision_id=None, details=None,
                 at: datetime | None = None) -> CaseEvent:
    """Append a row to the case's history."""
    event = CaseEvent(case_id=case.id, municipality_id=case.municipality_id,
                      actor_id=actor.id if actor else None, machine=machine,
                      trigger=trigger, from_state=from_state, to_state=to_state,
                      reason=reason, decision_id=decision_id, details=details or {},
                      at=at or utcnow())
    db.session.add(event)
    return event


def record_case_view(user, case: Case, elsewhere: dict | None = None) -> None:
    """Every read of a case page is in the audit log, and so is every hint that a person of
    the case also appears in a case the reader may not see (``persons_elsewhere``; pass what
    the page shows, so that it is read once)."""
    from casework.cases.queries import persons_elsewhere

    record("case_viewed", case, user=user)
    if elsewhere is None:
        elsewhere = persons_elsewhere(case, user)
    hinted = {pid: m.hidden_case_ids for pid, m in elsewhere.items()
              if m.hidden}
    if hinted:
        record("case_person_match_hinted", case, user=user,
               details={"persons": {str(pid): ids for pid, ids in sorted(hinted.items())}})


def _check_version(case: Case, expected_version) -> None:
    check_version(case, expected_version)


# -- facts for the workflows ------------------------------------------------------------------
#: The statuses of a meeting that was held.
HELD_STATUSES = ("held", "minutes_approved")


def case_facts(case: Case, tasks=None, meetings=None) -> case_lifecycle.CaseFacts:
    """What the lifecycle's conditions need to know, read from the database; or, when the
    caller has read them (the case page), counted from ``tasks`` (every task of the case) and
    ``meetings`` (every meeting of its group, with ``status`` and ``held_at``)."""
    if tasks is not None and meetings is not None:
        open_tasks = sum(1 for t in tasks if t.status == "open" and t.issued_at is not None)
        last_held = max((m.held_at for m in meetings
                         if m.status in HELD_STATUSES and m.held_at is not None), default=None)
    else:
        open_tasks = (select(func.count()).select_from(Task)
                      .where(Task.case_id == case.id, Task.status == "open",
                             Task.issued_at.is_not(None)).scalar_subquery())
        last_held = (select(func.max(Meeting.held_at))
                     .join(CooperationGroup, CooperationGroup.id == Meeting.group_id)
                     .where(CooperationGroup.case_id == case.id,
                            Meeting.status.in_(HELD_STATUSES)).scalar_subquery())
        open_tasks, last_held = db.session.execute(select(open_tasks, last_held)).one()
    return case_lifecycle.CaseFacts(
        case_manager_assigned=case.case_manager_id is not None, risk=case.risk,
        open_task_count=open_tasks or 0, crisis_started_at=case.crisis_started_at,
        last_group_meeting_held_at=last_held)


def risk_facts(case: Case, published_ids=None) -> risk_profile.RiskFacts:
    """The decisions of the case's group (lowering from red must rest on one of them);
    ``published_ids``: the ids of its published decisions when the caller has read them."""
    ids = published_ids if published_ids is not None else db.session.scalars(
        select(Decision.id).join(CooperationGroup, CooperationGroup.id == Decision.group_id)
        .where(CooperationGroup.case_id == case.id, Decision.published_at.is_not(None)))
    return risk_profile.RiskFacts(group_decision_refs=frozenset(str(i) for i in ids),
                                  case_in_crisis=case.status == "crisis")


def case_group(case: Case) -> CooperationGroup | None:
    """The case's interprofessional group."""
    return db.session.scalar(select(CooperationGroup).where(CooperationGroup.case_id == case.id))


# -- risk side effects ------------------------------------------------------------------------
def _after_risk_change(case: Case, actor, new_risk: str, at: datetime) -> None:
    """The next review follows the colour; turning red asks for the group to be convened."""
    policy = policy_for(case.municipality_id)
    case.risk_changed_at = at
    case.next_review_due = next_review_date(local_date(at), new_risk, policy)
    if new_risk == "red":
        _convene_task(case, "red", at)
        from casework.notifications.operations import notify_turned_red

        with db.session.no_autoflush:  # a stale case fails in flush(case), not here
            notify_turned_red(case, actor, at)


def open_convene_task(case_id: int) -> Task | None:
    """The case's open "convene the group" task, if any (there is at most one)."""
    return db.session.scalar(select(Task).where(
        Task.case_id == case_id, Task.kind == CONVENE_TASK_KIND, Task.status == "open"))


def _convene_task(case: Case, risk: str, at: datetime) -> Task | None:
    """One convening task per case: a new one, or the open one's deadline brought forward
    (turning red after yellow shortens it; it is never pushed back)."""
    if case.case_manager_id is None:
        return None
    manager = case.case_manager
    due = local_date(convene_deadline(at, risk, policy_for(case.municipality_id),
                                      calendar_for(case.municipality_id)))
    with db.session.no_autoflush:  # a stale case must fail in flush(case), not here
        existing = open_convene_task(case.id) if case.id is not None else None
    if existing is not None:
        if due < existing.due_date:
            existing.due_date = due
        return existing
    task = Task(municipality_id=case.municipality_id, title=CONVENE_TASK_TITLE,
                kind=CONVENE_TASK_KIND, assignee_id=manager.id,
                assignee_institution_id=manager.institution_id, due_date=due,
                case_id=case.id, created_at=at, issued_at=at)
    db.session.add(task)
    return task


def close_convene_task(case_id: int, actor, at: datetime) -> Task | None:
    """A meeting of the case's group has been held: the convening task is done."""
    from workflows import task as task_workflow

    task = open_convene_task(case_id)
    if task is None:
        return None
    note = CONVENE_TASK_DONE_NOTE
    task_workflow.bind(task).fire("complete", note=note)
    task.completion_note = note
    task.closed_at = at
    task.closed_by_id = actor.id if actor else None
    record("task_complete", task, user=actor, details={"by": "meeting_held"})
    return task


# -- lifecycle and risk -----------------------------------------------------------------------
def allowed_case_triggers(user, case: Case, facts=None) -> list[str]:
    """The lifecycle buttons this user may press now (``facts``: ``case_facts(case)`` when
    the caller has read them already)."""
    if not access.may_manage_case(user, case):
        return []
    return case_lifecycle.bind(case, facts or case_facts(case)).allowed_triggers()


def blocked_triggers(user, case: Case, facts=None, risk=None) -> list[tuple[str, str, str]]:
    """Lifecycle and risk triggers valid from the current state but blocked now, with the
    reason in the user's language and the unmet condition's code (shown as disabled buttons;
    "no_open_tasks" also lists the open tasks it counts, with links)."""
    if not access.may_manage_case(user, case):
        return []
    machines = [case_lifecycle.bind(case, facts or case_facts(case))]
    if case.status != "closed":
        machines.append(risk_profile.bind(case, risk or risk_facts(case)))
    labels = {**case_lifecycle.TRIGGER_LABELS, **risk_profile.TRIGGER_LABELS}
    return [(pick_label(labels[t], _locale()), error.message(_locale()), error.code)
            for machine in machines for t, error in machine.refusals().items()]


def allowed_risk_triggers(user, case: Case, facts=None) -> list[str]:
    """The risk buttons this user may press now (``facts``: ``risk_facts(case)``)."""
    if not access.may_manage_case(user, case) or case.status == "closed":
        return []
    return risk_profile.bind(case, facts or risk_facts(case)).allowed_triggers()


def _require_manager(user, case: Case) -> None:
    if not access.may_manage_case(user, case):
        raise AccessRefused(
            _l("Only the case manager or the head of the social service may change the case."))


def transition_case(actor, case: Case, trigger: str, *, expected_version=None,
                    at: datetime | None = None, **inputs) -> None:
    """Fire a lifecycle trigger (``close``, ``escalate_crisis``...) with the user's inputs."""
    _require_manager(actor, case)
    _check_version(case, expected_version)
    at = at or utcnow()
    old_risk = case.risk
    inputs = {k: v for k, v in inputs.items() if v not in (None, "")}
    try:
        outcome = case_lifecycle.bind(case, case_facts(case)).fire(trigger, at=at, **inputs)
    except WorkflowError as error:
        raise refusal(error) from error
    reason = inputs.get("reason") or inputs.get("closure_reason_text")
    record_event(case, actor, "lifecycle", trigger, from_state=outcome.source,
                 to_state=outcome.dest, reason=reason, at=at,
                 details={k: v for k, v in inputs.items() if k == "closure_reason"})
    if trigger == "close":
        case.closed_at = at
        case.closure_reason = inputs.get("closure_reason")
        case.closure_reason_text = inputs.get("closure_reason_text")
        case.next_review_due = None
    elif trigger == "reopen":
        case.closed_at = None
        case.closure_reason = case.closure_reason_text = None
        group = case_group(case)
        if group is not None:  # its uninformed clients are chased again
            _unsettle_decisions(group)
        case.next_review_due = next_review_date(local_date(at), case.risk,
                                                policy_for(case.municipality_id))
    if case.risk != old_risk:
        record_event(case, actor, "risk", "raise_to_red", from_state=old_risk,
                     to_state=case.risk, reason=reason, at=at, details={"by": trigger})
        _after_risk_change(case, actor, case.risk, at)
    record("case_transition", case, user=actor,
           details={"trigger": trigger, "from": outcome.source, "to": outcome.dest})
    flush(case)


def change_risk(actor, case: Case, trigger: str, *, reason: str | None,
                decision_id: int | None = None, expected_version=None,
                at: datetime | None = None) -> None:
    """Raise or lower the risk colour; lowering from red must rest on a group decision."""
    _require_manager(actor, case)
    _check_version(case, expected_version)
    if case.status == "closed":
        raise OperationRefused(_l("The risk of a closed case cannot be changed."))
    at = at or utcnow()
    kwargs = {"reason": reason}
    if decision_id:
        kwargs["decision_ref"] = str(decision_id)
    try:
        outcome = risk_profile.bind(case, risk_facts(case)).fire(trigger, **kwargs)
    except WorkflowError as error:
        raise refusal(error) from error
    record_event(case, actor, "risk", trigger, from_state=outcome.source, to_state=outcome.dest,
                 reason=reason, decision_id=decision_id, at=at)
    _after_risk_change(case, actor, outcome.dest, at)
    record("case_risk_changed", case, user=actor,
           details={"trigger": trigger, "from": outcome.source, "to": outcome.dest})
    flush(case)


def _unsettle_decisions(group) -> None:
    """The scheduler looks again at whether the clients of the group's decisions were
    informed (``casework.jobs.sweeps.client_not_informed``)."""
    db.session.execute(update(Decision).where(Decision.group_id == group.id,
                                              Decision.uninformed_settled_at.is_not(None))
                       .values(uninformed_settled_at=None)
                       .execution_options(synchronize_session=False))


def reassign_case_manager(actor, case: Case, new_manager, *, expected_version=None) -> None:
    """The head of the social service gives the case to another case manager."""
    if not access.supervises(actor, case):
        raise AccessRefused(_l("Only the head of the social service may reassign a case."))
    _check_version(case, expected_version)
    if new_manager is None or not new_manager.has_role("case_manager") \
            or new_manager.municipality_id != case.municipality_id or not new_manager.active:
        raise OperationRefused(_l("Choose an active case manager of the municipality."))
    old = case.case_manager
    case.case_manager = new_manager
    group = case_group(case)
    if group is not None:
        group.lead_id = new_manager.id
        _ensure_member(group, new_manager, case, actor, role_in_group="gadījuma vadītājs")
    # The case's tasks, meetings and decisions have a new lead: the scheduler's escalations of
    # overdue tasks, late minutes and uninformed clients are no longer settled (what the old
    # lead was told of keeps its notification's key, and is not told again).
    db.session.execute(update(Task).where(Task.case_id == case.id, Task.status == "open")
                       .values(lead_told_on=None)
                       .execution_options(synchronize_session=False))
    if group is not None:  # and of its held meetings and its decisions
        db.session.execute(update(Meeting).where(Meeting.group_id == group.id,
                                                 Meeting.status == "held")
                           .values(minutes_late_told_at=None)
                           .execution_options(synchronize_session=False))
        _unsettle_decisions(group)
    record_event(case, actor, "case", "reassigned",
                 details={"from": old.id if old else None, "to": new_manager.id})
    record("case_reassigned", case, user=actor,
           details={"from": old.id if old else None, "to": new_manager.id})
    flush(case)


def record_review(actor, case: Case, *, summary: str, expected_version=None,
                  goal_statuses: dict[int, str] | None = None,
                  at: datetime | None = None) -> None:
    """A case review was held: the next one is due after the colour's interval. The review
    may record the progress of each goal of the support plan (``{goal_id: status}``)."""
    from casework.plans.operations import apply_goal_statuses, validated_goal_statuses

    _require_manager(actor, case)
    _check_version(case, expected_version)
    if case.status == "closed":
        raise OperationRefused(_l("A closed case is not reviewed."))
    if not (summary or "").strip():
        raise OperationRefused(_l("Summarise the review."))
    goals = validated_goal_statuses(case, goal_statuses)
    at = at or utcnow()
    case.next_review_due = next_review_date(local_date(at), case.risk,
                                            policy_for(case.municipality_id))
    # A review changes the case even when the next date stays the same: its version goes up,
    # so two reviews of one case at the same moment are one review and one 409.
    flag_modified(case, "next_review_due")
    details = {"next_review_due": case.next_review_due.isoformat()}
    if goals:
        details["goals"] = {str(g.id): status for g, status in goals.items()}
    event = record_event(case, actor, "case", "reviewed", reason=summary.strip(), at=at,
                         details=details)
    record("case_reviewed", case, user=actor,
           details={"ids": sorted(g.id for g in goals)} if goals else None)
    if goals:
        apply_goal_statuses(actor, goals, event, at)
    flush(case)


# -- group membership (access to the case follows it) -----------------------------------------
def _ensure_member(group, user, case, actor, role_in_group=None,
                   at: datetime | None = None) -> GroupMember | None:
    now = at or utcnow()
    existing = db.session.scalar(select(GroupMember).where(
        GroupMember.group_id == group.id, GroupMember.user_id == user.id,
        GroupMember.member_to.is_(None)))
    if existing is not None:
        return None
    member = GroupMember(group_id=group.id, user_id=user.id, institution_id=user.institution_id,
                         role_in_group=role_in_group, member_from=now)
    db.session.add(member)
    record_event(case, actor, "group", "member_added", at=now,
                 details={"user_id": user.id, "institution_id": user.institution_id})
    record("group_member_added", case, user=actor, details={"member": user.id})
    return member


def add_group_member(actor, case: Case, user, role_in_group: str | None = None) -> GroupMember:
    """The case manager adds a specialist to the case's group: they gain access to the case."""
    _require_manager(actor, case)
    if user is None or not user.active or user.municipality_id != case.municipality_id:
        raise OperationRefused(_l("Choose an active user of the municipality."))
    member = _ensure_member(case_group(case), user, case, actor, role_in_group)
    if member is None:
        raise OperationRefused(_l("This user is already a member of the group."))
    db.session.flush()
    return member


def remove_group_member(actor, case: Case, member_id: int) -> None:
    """End a membership: the user loses access to the case from now on."""
    _require_manager(actor, case)
    group = case_group(case)
    member = db.session.scalar(select(GroupMember).where(
        GroupMember.id == member_id, GroupMember.group_id == group.id,
        GroupMember.member_to.is_(None)))
    if member is None:
        raise OperationRefused(_l("This membership does not exist or has already ended."))
    if member.user_id == case.case_manager_id:
        raise OperationRefused(_l("The case manager leads the group and cannot be removed."))
    member.member_to = utcnow()
    record_event(case, actor, "group", "member_removed", details={"user_id": member.user_id})
    record("group_member_removed", case, user=actor, details={"member": member.user_id})
    db.session.flush()


# -- opening a case and triage ----------------------------------------------------------------
def _validated_code(code: str | None, birth_date: date | None, today: date):
    """Normalised personal code and birth date; raises OperationRefused with the reason."""
    if birth_date is not None and birth_date > today:
        raise OperationRefused(_l("The birth date cannot be in the future."))
    if not code:
        return None, birth_date
    try:
        info = validate_personal_code(code, today=today)
    except InvalidPersonalCode as error:
        raise OperationRefused(error.message(_locale())) from error
    if info.birth_date and birth_date and info.birth_date != birth_date:
        raise OperationRefused(_l("The birth date does not match the personal code."))
    return info.code, birth_date or info.birth_date


def open_case(actor, *, municipality_id: int, risk: str, categories, case_manager,
              owner_institution_id: int, child: dict | None = None,
              at: datetime | None = None) -> Case:
    """Open a case with its interprofessional group led by the case manager."""
    at = at or utcnow()
    year = local_date(at).year
    seq, number = next_case_number(municipality_id, year)
    case = create_case_with_group(
        actor, municipality_id=municipality_id, year=year, seq=seq, number=number,
        status="registered", risk=risk, categories=categories, case_manager=case_manager,
        owner_institution_id=owner_institution_id, at=at, trigger="opened")
    if child:
        db.session.add(CasePerson(case_id=case.id, role=PersonRole.CHILD.value, **child))
    if risk in ("red", "yellow"):
        _convene_task(case, risk, at)
    record("case_opened", case, user=actor, details={"number": number, "risk": risk})
    db.session.flush()
    return case


def create_case_with_group(actor, *, municipality_id: int, year: int, seq: int, number: str,
                           status: str, risk: str, categories, case_manager,
                           owner_institution_id: int, at: datetime, trigger: str,
                           closed_at: datetime | None = None,
                           closure_reason: str | None = None) -> Case:
    """A case row with its interprofessional group led by the case manager and the first row
    of its history (``opened``, or ``imported`` from a municipality's register)."""
    case = Case(municipality_id=municipality_id, year=year, seq=seq, number=number,
                status=status, risk=risk, case_manager=case_manager,
                owner_institution_id=owner_institution_id, opened_at=at, risk_changed_at=at,
                closed_at=closed_at, closure_reason=closure_reason,
                crisis_started_at=at if status == "crisis" else None)
    case.categories = categories
    if status != "closed":
        # An imported case is reviewed from the day it arrives, not from when it was opened.
        review_from = utcnow() if trigger == "imported" else at
        case.next_review_due = next_review_date(local_date(review_from), risk,
                                                policy_for(municipality_id))
    db.session.add(case)
    db.session.flush()
    group = CooperationGroup(municipality_id=municipality_id, kind="interprofessional",
                             name=f"{CASE_GROUP_NAME_PREFIX}{number}", case_id=case.id,
                             lead_id=case_manager.id if case_manager else None, created_at=at)
    db.session.add(group)
    db.session.flush()
    record_event(case, actor, "lifecycle", trigger, to_state=status, at=at,
                 details={"risk": risk})
    if case_manager is not None:
        _ensure_member(group, case_manager, case, actor, role_in_group="gadījuma vadītājs",
                       at=at)
    return case


def file_referral(user, *, child_given_name: str, child_family_name: str,
                  child_personal_code: str | None, child_birth_date: date | None,
                  categories, description: str, proposed_urgency: str,
                  at: datetime | None = None) -> Referral:
    """Any institution's user reports a concern; it waits for triage under the policy."""
    if not access.may_file_referral(user):
        raise OperationRefused(_l("Only users of a municipal institution may file a referral."))
    at = at or utcnow()
    if proposed_urgency not in ("green", "yellow", "red"):
        raise OperationRefused(_l("Choose the proposed urgency."))
    if not categories:
        raise OperationRefused(_l("Choose at least one category."))
    code, birth = _validated_code(child_personal_code, child_birth_date, local_date(at))
    muni = user.municipality_id
    referral = Referral(
        municipality_id=muni, reporting_institution_id=user.institution_id,
        reported_by_id=user.id, received_at=at, child_given_name=child_given_name.strip(),
        child_family_name=child_family_name.strip(), child_personal_code=code,
        child_birth_date=birth, description=description.strip(),
        proposed_urgency=proposed_urgency,
        triage_due_at=triage_deadline(at, proposed_urgency, policy_for(muni), calendar_for(muni)))
    referral.categories = categories
    db.session.add(referral)
    db.session.flush()
    record("referral_filed", referral, user=user, details={"urgency": proposed_urgency})
    from casework.notifications.operations import notify_new_referral

    notify_new_referral(referral, user)
    return referral


class ReferralAlreadyTriaged(OperationRefused):
    """Another case manager triaged the referral first (they may have done so a moment ago)."""

    def __init__(self, referral: Referral):
        by = db.session.scalar(
            select(User.full_name).join(Referral, Referral.triaged_by_id == User.id)
            .where(Referral.id == referral.id))
        super().__init__(_l("Another case manager (%(name)s) has already triaged this "
                            "referral.", name=by or "—"))


def _claim_referral(actor, referral: Referral, outcome: TriageOutcome, at: datetime) -> None:
    """Mark the referral as triaged by ``actor`` before anything else is written.

    The guarded UPDATE changes the row only while it is untriaged; on PostgreSQL a concurrent
    claim waits for the row lock, then finds the outcome set and changes nothing, so exactly
    one triage goes on to open a case, and the others are refused before writing a thing.
    """
    claimed = db.session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.outcome.is_(None))
        .values(outcome=outcome.value, triaged_by_id=actor.id, triaged_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.expire(referral)
        raise ReferralAlreadyTriaged(referral)


def triage_referral(actor, referral: Referral, *, outcome: str, risk: str | None = None,
                    case: Case | None = None, reason: str | None = None,
                    at: datetime | None = None) -> Case | None:
    """Open a new case, attach to an existing one, or close with no further action."""
    if not access.may_triage(actor):
        raise OperationRefused(_l("Only case managers triage referrals."))
    if referral.outcome is not None:
        raise ReferralAlreadyTriaged(referral)
    at = at or utcnow()
    outcome = TriageOutcome(outcome)
    if outcome is TriageOutcome.NO_ACTION:
        if not (reason or "").strip():
            raise OperationRefused(_l("Give the reason for no further action."), "reason")
    elif risk not in ("green", "yellow", "red"):
        raise OperationRefused(_l("Choose the risk colour."), "risk")
    if outcome is TriageOutcome.ATTACHED:
        if case is None or case.municipality_id != referral.municipality_id:
            raise OperationRefused(_l("Choose an existing case you can see."), "case_number")
        if case.status == "closed":
            raise OperationRefused(_l("Reopen the closed case before attaching a referral."),
                                   "case_number")
    # Every check is done; the claim comes before the first write.
    _claim_referral(actor, referral, outcome, at)
    if outcome is TriageOutcome.NEW_CASE:
        child = {"given_name": referral.child_given_name,
                 "family_name": referral.child_family_name,
                 "personal_code": referral.child_personal_code,
                 "birth_date": referral.child_birth_date}
        case = open_case(actor, municipality_id=referral.municipality_id, risk=risk,
                         categories=referral.categories, case_manager=actor,
                         owner_institution_id=actor.institution_id, child=child, at=at)
        record_event(case, actor, "case", "referral_attached", at=at,
                     details={"referral_id": referral.id})
    elif outcome is TriageOutcome.ATTACHED:
        case.categories = set(case.categories) | set(referral.categories)
        record_event(case, actor, "case", "referral_attached", at=at, reason=reason,
                     details={"referral_id": referral.id})
        if _rank(risk) > _rank(case.risk):
            trigger = "raise_to_red" if risk == "red" else "raise_to_yellow"
            change_risk(actor, case, trigger,
                        reason=reason or "Jauns ziņojums no "
                        f"{local_date(referral.received_at):%d.%m.%Y}", at=at)
    referral.outcome = outcome.value
    referral.outcome_reason = (reason or "").strip() or None
    referral.assigned_risk = risk if outcome is not TriageOutcome.NO_ACTION else None
    referral.triaged_at = at
    referral.triaged_by_id = actor.id
    referral.case_id = case.id if case is not None else None
    record("referral_triaged", referral, user=actor,
           details={"outcome": outcome.value, "case_id": referral.case_id})
    db.session.flush()
    return case


def _rank(risk: str | None) -> int:
    return {"green": 0, "yellow": 1, "red": 2}.get(risk or "", -1)


# -- persons, notes, participation ------------------------------------------------------------
def _clean(value: str | None) -> str | None:
    return (value or "").strip() or None


def add_person(actor, case: Case, *, role: str, given_name: str, family_name: str,
               personal_code: str | None, birth_date: date | None,
               contact: str | None = None, school: str | None = None,
               today: date | None = None) -> CasePerson:
    """Add a child, parent, guardian or other person (personal code validated)."""
    _require_manager(actor, case)
    code, birth = _validated_code(personal_code, birth_date, today or local_date(utcnow()))
    person = CasePerson(case_id=case.id, role=PersonRole(role).value,
                        given_name=given_name.strip(), family_name=family_name.strip(),
                        personal_code=code, birth_date=birth, contact=_clean(contact),
                        school=_clean(school))
    db.session.add(person)
    db.session.flush()
    record_event(case, actor, "case", "person_added", details={"person_id": person.id,
                                                               "role": person.role})
    record("case_person_added", case, user=actor, details={"person_id": person.id})
    return person


#: The fields of a person that may be corrected, in the order the history lists them.
PERSON_FIELDS = ("role", "given_name", "family_name", "personal_code", "birth_date",
                 "contact", "school")


def _person_of(case: Case, person_id: int) -> CasePerson:
    person = db.session.scalar(select(CasePerson).where(CasePerson.id == person_id,
                                                        CasePerson.case_id == case.id))
    if person is None:
        raise OperationRefused(_l("Choose a person of this case."))
    return person


def _require_changeable(case: Case) -> None:
    if case.anonymised_at is not None:
        raise OperationRefused(_l("The case has been anonymised."))


def correct_person(actor, case: Case, person_id: int, *, role: str, given_name: str,
                   family_name: str, personal_code: str | None, birth_date: date | None,
                   contact: str | None, school: str | None,
                   today: date | None = None) -> list[str]:
    """Correct a person's data (personal code validated as when adding). The history and the
    audit log name the fields that changed, never their values. Returns those fields."""
    _require_manager(actor, case)
    _require_changeable(case)
    person = _person_of(case, person_id)
    if not (given_name or "").strip() or not (family_name or "").strip():
        raise OperationRefused(_l("Give the person's given and family name."))
    code, birth = _validated_code(personal_code, birth_date, today or local_date(utcnow()))
    wanted = {"role": PersonRole(role).value, "given_name": given_name.strip(),
              "family_name": family_name.strip(), "personal_code": code, "birth_date": birth,
              "contact": _clean(contact), "school": _clean(school)}
    changed = [name for name in PERSON_FIELDS if getattr(person, name) != wanted[name]]
    if not changed:
        return []
    for name in changed:
        setattr(person, name, wanted[name])
    record_event(case, actor, "case", "person_corrected",
                 details={"person_id": person.id, "fields": changed})
    record("case_person_corrected", case, user=actor,
           details={"person_id": person.id, "fields": changed})
    db.session.flush()
    return changed


def end_person(actor, case: Case, person_id: int, *, reason: str,
               at: datetime | None = None) -> CasePerson:
    """Mark a person as no longer part of the case, with a reason; nothing is deleted."""
    _require_manager(actor, case)
    _require_changeable(case)
    person = _person_of(case, person_id)
    if person.ended_at is not None:
        raise OperationRefused(_l("This person is already no longer part of the case."))
    reason = (reason or "").strip()
    if not reason:
        raise OperationRefused(_l("Give the reason."))
    person.ended_at = at or utcnow()
    person.end_reason = reason
    record_event(case, actor, "case", "person_ended", reason=reason, at=person.ended_at,
                 details={"person_id": person.id, "role": person.role})
    # The reason may describe the family: it stays in the case's history, not the audit log.
    record("case_person_ended", case, user=actor, details={"person_id": person.id})
    db.session.flush()
    return person


def add_note(actor, case: Case, *, level: str, text: str) -> Note:
    """Anyone who sees the case may write a note at one of the three levels."""
    from casework.cases.queries import can_see_case

    if not can_see_case(actor, case.id):
        raise AccessRefused(_l("You do not take part in this case."))
    level = NoteLevel(level).value
    if not text.strip():
        raise OperationRefused(_l("The note is empty."))
    note = Note(case_id=case.id, author_id=actor.id, author_institution_id=actor.institution_id,
                level=level, text=text.strip())
    db.session.add(note)
    db.session.flush()
    record("case_note_added", case, user=actor, details={"note_id": note.id, "level": level})
    return note


def add_participation(actor, case: Case, *, subject: str, person_id: int | None,
                      decision_id: int | None, informed: bool, informed_on: date | None,
                      method: str | None, opinion: str | None, attended: bool,
                      today: date | None = None) -> ClientParticipation:
    """Record that the client or child was informed, what they said, whether they attended."""
    _require_manager(actor, case)
    today = today or local_date(utcnow())
    if informed and informed_on is None:
        raise OperationRefused(_l("Give the date on which the client was informed."))
    if informed_on is not None and informed_on > today:
        raise OperationRefused(_l("The date cannot be in the future."))
    if person_id is not None and db.session.scalar(select(CasePerson.id).where(
            CasePerson.id == person_id, CasePerson.case_id == case.id)) is None:
        raise OperationRefused(_l("Choose a person of this case."))
    row = ClientParticipation(case_id=case.id, person_id=person_id, decision_id=decision_id,
                              subject=subject.strip(), informed=informed,
                              informed_on=informed_on if informed else None,
                              informed_by_id=actor.id if informed else None, method=method,
                              opinion=(opinion or "").strip() or None, attended=attended)
    db.session.add(row)
    db.session.flush()
    record_event(case, actor, "case", "client_participation",
                 details={"participation_id": row.id, "informed": informed})
    record("case_participation_added", case, user=actor, details={"id": row.id})
    return row


# -- break-glass ------------------------------------------------------------------------------
def break_glass(actor, number: str, reason: str) -> Case:
    """A head of service opens a case outside their scope; flagged in the audit log."""
    if not access.may_break_glass(actor):
        raise OperationRefused(_l("Only the head of the social service may use emergency access."))
    if len((reason or "").strip()) < 10:
        raise OperationRefused(_l("Describe the reason for emergency access (at least 10 "
                                  "characters)."))
    case = db.session.scalar(select(Case).where(Case.municipality_id == actor.municipality_id,
                                                Case.number == number.strip()))
    if case is None:
        raise OperationRefused(_l("There is no case with this number in the municipality."))
    now = utcnow()
    access_row = BreakGlassAccess(user_id=actor.id, case_id=case.id, reason=reason.strip(),
                                  granted_at=now,
                                  expires_at=now + timedelta(hours=BREAK_GLASS_HOURS))
    db.session.add(access_row)
    db.session.flush()
    # The reason stays on its row (case content); the audit log points at it.
    record("case_break_glass", case, user=actor, flagged=True,
           details={"access_id": access_row.id, "hours": BREAK_GLASS_HOURS})
    db.session.flush()
    return case
