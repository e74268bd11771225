"""Every change to tasks: complete with a note or cancel with a reason (``workflows.task``)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from casework.audit.operations import record
from casework.auth.operations import OperationRefused
from casework.db_types import utcnow
from casework.extensions import db
from casework.tasks.models import Task
from workflows import WorkflowError
from workflows import task as task_workflow


def may_close_task(user, task: Task) -> bool:
    """The assignee, whoever issued the task, or the case manager of its case."""
    if user.id in (task.assignee_id, task.created_by_id):
        return True
    if task.case_id is not None:
        from casework.cases.models import Case

        case = db.session.get(Case, task.case_id)
        return case is not None and case.case_manager_id == user.id
    return False


def _fire(user, task: Task, trigger: str, at: datetime | None, **inputs) -> None:
    if not may_close_task(user, task):
        raise OperationRefused(_l("Only the assignee or the case manager may close this task."))
    try:
        task_workflow.bind(task).fire(trigger, **inputs)
    except WorkflowError as error:
        raise OperationRefused(error.message(str(get_locale() or "lv"))) from error
    task.closed_at = at or utcnow()
    record(f"task_{trigger}", task, user=user, details=inputs)
    db.session.flush()


def complete_task(user, task: Task, note: str, at: datetime | None = None) -> None:
    """Mark the task done with a completion note."""
    _fire(user, task, "complete", at, note=note)
    task.completion_note = note.strip()


def cancel_task(user, task: Task, reason: str, at: datetime | None = None) -> None:
    """Cancel the task with a reason."""
    _fire(user, task, "cancel", at, reason=reason)
    task.cancel_reason = reason.strip()
