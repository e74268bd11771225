"""Every change to tasks: create (issued at once, or as a draft in a meeting's minutes),
complete with a note or cancel with a reason (``workflows.task``). Nothing here commits."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from casework.audit.operations import record
from casework.auth.operations import OperationRefused
from casework.concurrency import Stale, check_version, flush
from casework.db_types import utcnow
from casework.extensions import db
from casework.tasks.models import Task
from workflows import WorkflowError
from workflows import task as task_workflow
from workflows.policy import local_date

MAX_TITLE = 300
MAX_TEXT = 5000


#: The stale error of every domain (kept under its old name for callers).
StaleTask = Stale


def _group_of(task: Task):
    from casework.groups.models import Decision, Meeting

    if task.meeting_id is not None:
        meeting = db.session.get(Meeting, task.meeting_id)
        return meeting.group if meeting else None
    if task.decision_id is not None:
        decision = db.session.get(Decision, task.decision_id)
        return decision.group if decision else None
    return None


def may_close_task(user, task: Task) -> bool:
    """The assignee, whoever issued the task, the case manager of its case (and the head of
    the social service that owns it), or whoever manages the meetings of its group."""
    if user.id in (task.assignee_id, task.created_by_id):
        return True
    if task.case_id is not None:
        from casework.cases.access import may_manage_case
        from casework.cases.models import Case

        case = db.session.get(Case, task.case_id)
        if case is not None and may_manage_case(user, case):
            return True
    group = _group_of(task)
    if group is not None:
        from casework.groups.access import may_manage_meetings

        return may_manage_meetings(user, group)
    return False




def _fire(user, task: Task, trigger: str, at: datetime | None, expected_version,
          **inputs) -> None:
    if not may_close_task(user, task):
        from casework.cases.operations import AccessRefused

        raise AccessRefused(_l("Only the assignee or the case manager may close this task."))
    check_version(task, expected_version)
    try:
        task_workflow.bind(task).fire(trigger, **inputs)
    except WorkflowError as error:
        raise OperationRefused(error.message(str(get_locale() or "lv"))) from error
    task.closed_at = at or utcnow()
    task.closed_by_id = user.id


def complete_task(user, task: Task, note: str, at: datetime | None = None, *,
                  expected_version=None, document=None, document_level: str = "group") -> None:
    """Mark the task done with a completion note; ``document`` (a werkzeug ``FileStorage``)
    is attached to the task's case, meeting or decision."""
    _fire(user, task, "complete", at, expected_version, note=note)
    task.completion_note = note.strip()
    record("task_complete", task, user=user)
    flush(task)
    if document is not None and document.filename:
        from casework.documents.operations import add_document

        add_document(user, stream=document.stream, filename=document.filename,
                     level=document_level or "group", task=task)


def cancel_task(user, task: Task, reason: str, at: datetime | None = None, *,
                expected_version=None) -> None:
    """Cancel the task with a reason."""
    _fire(user, task, "cancel", at, expected_version, reason=reason)
    task.cancel_reason = reason.strip()
    record("task_cancel", task, user=user)
    flush(task)


# -- creation ---------------------------------------------------------------------------------
def may_create_task(user, *, case=None, meeting=None, decision=None) -> bool:
    """The case's manager (or their head) for a case; whoever manages the group's meetings for
    a meeting or a decision."""
    from casework.cases.access import may_manage_case
    from casework.groups.access import may_manage_meetings

    if case is not None and may_manage_case(user, case):
        return True
    for group in (meeting.group if meeting is not None else None,
                  decision.group if decision is not None else None):
        if group is not None and may_manage_meetings(user, group):
            return True
    return False


def create_task(user, *, title: str | None, description: str | None, assignee,
                due_date: date | None, case=None, meeting=None, decision=None,
                agenda_item=None, issue: bool = True, at: datetime | None = None) -> Task:
    """Create a task: issued at once (``issue``) or a draft issued with the minutes.

    The assignee must be an active user of the municipality (and, for a case, one who can see
    the case); the institution is the assignee's; the due date must not be in the past.
    """
    from casework.cases.operations import AccessRefused
    from casework.cases.queries import can_see_case

    if meeting is None and agenda_item is not None:
        meeting = agenda_item.meeting
    if case is None and meeting is None and decision is None:
        raise OperationRefused(_l("A task belongs to a case, a meeting or a decision."))
    if not may_create_task(user, case=case, meeting=meeting, decision=decision):
        raise AccessRefused(_l("Only the case manager or whoever leads the group's meetings "
                               "may give tasks here."))
    if case is not None and case.status == "closed":
        raise OperationRefused(_l("A closed case gets no new tasks."))
    at = at or utcnow()
    title = (title or "").strip()
    if not title:
        raise OperationRefused(_l("Give the task a title."))
    if len(title) > MAX_TITLE:
        raise OperationRefused(_l("At most %(max)d characters.", max=MAX_TITLE))
    description = (description or "").strip() or None
    if description and len(description) > MAX_TEXT:
        raise OperationRefused(_l("At most %(max)d characters.", max=MAX_TEXT))
    if assignee is None:
        raise OperationRefused(_l("Choose who is to do the task."))
    if (not assignee.active or assignee.institution_id is None
            or assignee.municipality_id != user.municipality_id):
        raise OperationRefused(_l("The assignee must be an active user of the municipality."))
    if case is not None and not can_see_case(assignee, case.id):
        raise OperationRefused(_l("The assignee must be a member of the case's group."))
    if due_date is None:
        raise OperationRefused(_l("Give the task a deadline."))
    if isinstance(due_date, datetime):
        raise TypeError("due_date must be a date, not a datetime")
    if due_date < local_date(at):
        raise OperationRefused(_l("The deadline cannot be in the past."))
    task = Task(municipality_id=user.municipality_id, title=title, description=description,
                assignee_id=assignee.id, assignee_institution_id=assignee.institution_id,
                due_date=due_date, status="open", case_id=case.id if case else None,
                meeting_id=meeting.id if meeting else None,
                decision_id=decision.id if decision else None,
                agenda_item_id=agenda_item.id if agenda_item else None,
                created_by_id=user.id, created_at=at, issued_at=at if issue else None)
    db.session.add(task)
    db.session.flush()
    record("task_created", task, user=user,
           details={"assignee_id": assignee.id, "due_date": due_date.isoformat(),
                    "issued": issue, "case_id": task.case_id, "meeting_id": task.meeting_id,
                    "decision_id": task.decision_id})
    if issue and assignee.id != user.id:
        notify_assignee(task)
    return task


def notify_assignee(task: Task) -> None:
    """Tell the assignee of a newly issued task (no title: it may name a child)."""
    from casework.notifications.operations import notify
    from casework.notifications.texts import deferred

    notify(task.assignee_id, "task_assigned",
           deferred("You have been given a new task, due on %(date)s.",
                    date=f"{task.due_date:%d.%m.%Y}"),
           f"/tasks/{task.id}", f"task_assigned:{task.id}", municipality_id=task.municipality_id)
