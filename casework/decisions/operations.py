"""Every change to the execution of a published decision (``workflows.decision``): a transition
with its dated progress entry, or a progress entry alone. Nothing here commits.

Who may track a decision: those who manage the group's meetings, and the users of the
decision's responsible institution who can see the decision. Drafts (not yet published with
the minutes) belong to the meeting's minutes and are not tracked here.
"""

from __future__ import annotations

from datetime import date

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from casework.audit.operations import record
from casework.auth.operations import OperationRefused
from casework.cases.operations import AccessRefused, refusal
from casework.concurrency import Stale, check_version, flush
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.access import may_manage_meetings
from casework.groups.models import Decision, DecisionProgress
from casework.groups.queries import visible_decisions
from workflows import WorkflowError, pick_label
from workflows import decision as decision_workflow
from workflows.policy import local_date

MAX_TEXT = 5000


#: The stale error of every domain (kept under its old name for callers).
StaleDecision = Stale


def today() -> date:
    """Today in Latvian time."""
    return local_date(utcnow())


def can_see_decision(user, decision: Decision) -> bool:
    """Whether ``user`` may see the (published) decision."""
    if decision.published_at is None:
        return False
    return bool(db.session.scalar(
        select(func.count()).select_from(visible_decisions(user)
                                         .where(Decision.id == decision.id).subquery())))


def may_track_decision(user, decision: Decision) -> bool:
    """Those who manage the group's meetings, and users of the responsible institution who
    can see the decision."""
    if decision.published_at is None or not user.is_authenticated:
        return False
    if may_manage_meetings(user, decision.group):
        return True
    return (decision.responsible_institution_id is not None
            and user.institution_id == decision.responsible_institution_id
            and can_see_decision(user, decision))


def allowed_decision_triggers(user, decision: Decision) -> list[str]:
    """The execution buttons ``user`` may press now."""
    if not may_track_decision(user, decision):
        return []
    return decision_workflow.bind(decision).allowed_triggers()


def _require(user, decision: Decision) -> None:
    if decision.published_at is None:
        raise OperationRefused(_l("The decision has not been published yet."))
    if not may_track_decision(user, decision):
        raise AccessRefused(_l("Only those who manage the group's meetings or the responsible "
                               "institution may record the execution of this decision."))


def _entry_date(on: date | None) -> date:
    on = on or today()
    if on > today():
        raise OperationRefused(_l("The date of a progress entry cannot be in the future."))
    return on


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise OperationRefused(_l("At most %(max)d characters.", max=MAX_TEXT))
    return text or None


def advance_decision(user, decision: Decision, trigger: str, *, reason: str | None = None,
                     note: str | None = None, on: date | None = None,
                     expected_version=None) -> DecisionProgress:
    """Fire ``trigger`` (start_execution, mark_executed, mark_not_executed [reason]) and write
    the dated progress entry that records it."""
    _require(user, decision)
    check_version(decision, expected_version)
    on = _entry_date(on)
    reason, note = _clean(reason), _clean(note)
    inputs = {"reason": reason} if reason else {}
    try:
        outcome = decision_workflow.bind(decision).fire(trigger, **inputs)
    except WorkflowError as error:
        raise refusal(error) from error
    if trigger == "mark_not_executed":
        decision.not_executed_reason = reason
    text = note or reason or pick_label(decision_workflow.TRIGGER_LABELS[trigger],
                                        str(get_locale() or "lv"))
    entry = DecisionProgress(decision=decision, on=on, text=text, status_after=outcome.dest,
                             author_id=user.id)
    db.session.add(entry)
    record(f"decision_{trigger}", decision, user=user,
           municipality_id=decision.group.municipality_id,
           details={"from": outcome.source, "to": outcome.dest, "on": on.isoformat()})
    flush(decision)
    return entry


def add_progress(user, decision: Decision, *, on: date | None, text: str | None,
                 expected_version=None) -> DecisionProgress:
    """A dated progress entry without a change of state (date not in the future)."""
    _require(user, decision)
    check_version(decision, expected_version)
    if on is None:
        raise OperationRefused(_l("Give the date of the progress entry."))
    on = _entry_date(on)
    text = _clean(text)
    if not text:
        raise OperationRefused(_l("Describe the progress of execution."))
    if decision.status in (decision_workflow.DecisionStatus.EXECUTED,
                           decision_workflow.DecisionStatus.NOT_EXECUTED):
        raise OperationRefused(_l("The execution of this decision is closed."))
    entry = DecisionProgress(decision=decision, on=on, text=text, status_after=decision.status,
                             author_id=user.id)
    db.session.add(entry)
    record("decision_progress_added", decision, user=user,
           municipality_id=decision.group.municipality_id, details={"on": on.isoformat()})
    flush(decision)
    return entry
