"""API endpoints of tasks (complete) and the user's notifications: the same scoped queries and
operations as the task and notification pages."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields

from casework.api import schemas as s
from casework.api.core import (
    endpoint,
    etag,
    expected_version,
    load_body,
    load_query,
    page_of,
    reloads,
)
from casework.auth.models import WORKING_ROLES
from casework.notifications import operations as notification_ops
from casework.notifications import queries as notification_queries
from casework.notifications.models import Notification
from casework.tasks import operations as ops
from casework.tasks import queries
from casework.tasks.models import Task


def _me():
    return current_user._get_current_object()


# -- tasks ------------------------------------------------------------------------------------
@endpoint("/tasks", summary="Issued tasks you may see (assigned to you, your institution, or "
          "of the cases and groups you see)", tag="tasks", query=s.TaskQuery,
          response=s.page_schema(s.Task, "TaskPage"), paginated=True, errors=(400, 403))
def tasks():
    if not _me().has_role(*WORKING_ROLES):
        abort(403)
    args = load_query(s.TaskQuery)
    stmt = queries.visible_tasks(_me())
    if args.get("status"):
        stmt = stmt.where(Task.status == args["status"])
    if args.get("mine"):
        stmt = stmt.where(Task.assignee_id == _me().id)
    return page_of(stmt, Task.id, args), s.page_schema(s.Task, "TaskPage")()


def _task(task_id: int) -> Task:
    return queries.get_task_or_404(task_id, _me())


@endpoint("/tasks/<int:task_id>", summary="One task", tag="tasks", response=s.Task, etag=True)
def task(task_id: int):
    found = _task(task_id)
    return found, s.Task(), etag(found)


@reloads(_task)
@endpoint("/tasks/<int:task_id>/complete", "POST", summary="Mark the task done with a note",
          tag="tasks", body=s.CompleteIn, response=s.Task, etag=True,
          errors=(400, 403, 404, 409, 422))
def task_complete(task_id: int):
    found = _task(task_id)
    body = load_body(s.CompleteIn)
    ops.complete_task(_me(), found, body["note"], expected_version=expected_version(body))
    return found, s.Task(), etag(found)


class CancelIn(Schema):
    reason = s.Text(s.MAX_TEXT, required=True, min_length=1)
    version = s.fields.Integer(strict=True, validate=s.validate.Range(min=0, max=s.MAX_DB_INT))


@reloads(_task)
@endpoint("/tasks/<int:task_id>/cancel", "POST", summary="Cancel the task with a reason",
          tag="tasks", body=CancelIn, response=s.Task, etag=True,
          errors=(400, 403, 404, 409, 422))
def task_cancel(task_id: int):
    found = _task(task_id)
    body = load_body(CancelIn)
    ops.cancel_task(_me(), found, body["reason"], expected_version=expected_version(body))
    return found, s.Task(), etag(found)


# -- notifications ----------------------------------------------------------------------------
@endpoint("/notifications", summary="Your notifications, newest first", tag="notifications",
          query=s.NotificationQuery, response=s.page_schema(s.Notification, "NotificationPage"),
          paginated=True, errors=(400,))
def notifications():
    args = load_query(s.NotificationQuery)
    stmt = notification_queries.my_notifications(_me())
    if args.get("unread"):
        stmt = stmt.where(Notification.read_at.is_(None))
    return page_of(stmt, Notification.id, args), \
        s.page_schema(s.Notification, "NotificationPage")()


class ReadOut(Schema):
    read = fields.Boolean(required=True)


@endpoint("/notifications/<int:notification_id>/read", "POST", summary="Mark one of your "
          "notifications read", tag="notifications", response=ReadOut)
def notification_read(notification_id: int):
    if not notification_ops.mark_read(_me(), notification_id):
        found = notification_queries.my_notifications(_me()).where(
            Notification.id == notification_id)
        from casework.extensions import db

        if db.session.scalar(found) is None:
            abort(404)
    return {"read": True}, ReadOut()
