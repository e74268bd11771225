"""Pages of the tasks domain (routes only: load, check access, call the service, render):
my tasks, my institution's tasks, one task with its complete/cancel forms, and a new task given
from a case's page."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from wtforms import SelectChoice

from casework import listing
from casework.access import role_required
from casework.auth.models import WORKING_ROLES, Role, User, UserRole
from casework.cases import access as case_access
from casework.cases.operations import case_group
from casework.cases.queries import get_case_or_404
from casework.extensions import db
from casework.groups.models import Decision, GroupMember, Meeting
from casework.groups.queries import visible_decisions, visible_meetings
from casework.tasks import operations as ops
from casework.tasks import queries
from casework.tasks.forms import CancelForm, CompleteForm, TaskForm
from casework.tasks.models import Task
from casework.web import post_change
from workflows import task as task_workflow
from workflows.policy import local_date

bp = Blueprint("tasks", __name__)

#: Roles that see their institution's tasks.
INSTITUTION_ROLES = (Role.CASE_MANAGER, Role.HEAD_OF_SERVICE, Role.SPECIALIST, Role.COORDINATOR)


def _me() -> User:
    return current_user._get_current_object()


def _today():
    return local_date(ops.utcnow())


def _status_filter() -> str | None:
    status = request.args.get("status")
    return status if status in queries.STATUS_FILTERS else None


def _render_list(title: str, query, show_assignee: bool, endpoint: str):
    """A task list: filtered by status and a search of the titles, sorted by a column, paged;
    one query gives the page's rows and, by a window count, how many there are in all."""
    spec = replace(queries.TASK_LIST, endpoint=endpoint)
    state = listing.read_list(spec, request.args,
                              {"status": _status_filter(), "q": listing.search_text(request.args)})
    page = listing.paginate_rows(db, query(_me(), today=_today(), status=state.filters["status"],
                                           q=state.filters["q"]), state)
    return render_template(
        "tasks/list.html", title=title, rows=page.items, page=page, state=state,
        total=page.total, status=state.filters["status"], today=_today(),
        show_assignee=show_assignee, statuses=queries.STATUS_FILTERS,
        cases=queries.case_links(_me(), [t for t, _overdue in page.items]))


@bp.route("/tasks")
@role_required(*WORKING_ROLES)
def my_tasks():
    """The user's own tasks: open ones first, overdue on top."""
    return _render_list(_("My tasks"), queries.my_tasks, False, "tasks.my_tasks")


@bp.route("/tasks/institution")
@role_required(*INSTITUTION_ROLES)
def institution_tasks():
    """The tasks assigned to the user's institution."""
    return _render_list(_("Institution's tasks"), queries.institution_tasks, True,
                        "tasks.institution_tasks")


# -- one task ---------------------------------------------------------------------------------
def _links(task: Task) -> dict:
    """The task's case, meeting and decision as the user may see them."""
    me = _me()
    links: dict = {"case": None, "meeting": None, "decision": None}
    if task.case_id is not None:
        links["case"] = queries.case_links(me, [task]).get(task.case_id)
    if task.meeting_id is not None:
        links["meeting"] = db.session.scalar(
            visible_meetings(me).where(Meeting.id == task.meeting_id))
    if task.decision_id is not None:
        links["decision"] = db.session.scalar(
            visible_decisions(me).where(Decision.id == task.decision_id,
                                        Decision.published_at.is_not(None)))
    return links


def _render_task(task: Task, status: int = 200, *, complete: CompleteForm | None = None,
                 cancel: CancelForm | None = None):

    complete = complete or CompleteForm(formdata=None)
    cancel = cancel or CancelForm(formdata=None)
    for form in (complete, cancel):
        if not form.version.data:
            form.version.data = task.version
    today = _today()
    return render_template(
        "tasks/task.html", task=task, complete=complete, cancel=cancel, today=today,
        overdue=task.status == "open" and task.due_date < today,
        may_close=task.status == "open" and ops.may_close_task(_me(), task),
        links=_links(task), trigger_labels=task_workflow.TRIGGER_LABELS,
        meeting_endpoint="groups.meeting",
        closed_by=db.session.get(User, task.closed_by_id) if task.closed_by_id else None,
    ), status


@bp.route("/tasks/<int:task_id>")
@login_required
def task(task_id: int):
    """A task: what, who, by when, its links; complete or cancel it."""
    return _render_task(queries.get_task_or_404(task_id, _me()))


def _post_close(task_id: int, form, form_name: str, action):
    """Complete or cancel through the shared POST shape (``casework.web.post_change``)."""
    return post_change(
        lambda: queries.get_task_or_404(task_id, _me()), form, action,
        lambda found, status, f: _render_task(found, status, **({form_name: f} if f else {})),
        success_url=lambda *_ignored: url_for(".task", task_id=task_id))


@bp.route("/tasks/<int:task_id>/complete", methods=["POST"])
@login_required
def task_complete(task_id: int):
    """Mark the task done with a note."""
    form = CompleteForm()

    def action(found, f):
        ops.complete_task(_me(), found, f.note.data, expected_version=f.version.data,
                          document=f.document.data, document_level=f.document_level.data)

    return _post_close(task_id, form, "complete", action)


@bp.route("/tasks/<int:task_id>/cancel", methods=["POST"])
@login_required
def task_cancel(task_id: int):
    """Cancel the task with a reason."""
    form = CancelForm()

    def action(found, f):
        ops.cancel_task(_me(), found, f.reason.data, expected_version=f.version.data)

    return _post_close(task_id, form, "cancel", action)


# -- a task given from the case page ----------------------------------------------------------
def _assignee_choices(case) -> list[SelectChoice]:
    """Those who can see the case: its manager, its group's members, the owning service's
    heads."""
    group = case_group(case)
    now = ops.utcnow()
    ids = set(db.session.scalars(select(GroupMember.user_id).where(
        GroupMember.group_id == group.id, GroupMember.member_from <= now,
        or_(GroupMember.member_to.is_(None), GroupMember.member_to > now))))
    if case.case_manager_id:
        ids.add(case.case_manager_id)
    ids |= set(db.session.scalars(
        select(User.id).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.HEAD_OF_SERVICE,
               User.institution_id == case.owner_institution_id)))
    users = db.session.scalars(select(User).where(User.id.in_(ids), User.active.is_(True))
                               .order_by(User.full_name)).all()
    return [SelectChoice(0, "—")] + [
        SelectChoice(u.id, f"{u.full_name} ({u.institution.name})" if u.institution
                     else u.full_name) for u in users]


@bp.route("/cases/<int:case_id>/tasks/new", methods=["GET", "POST"])
@login_required
def case_task_new(case_id: int):
    """The case manager gives a task to someone who works on the case."""
    case = get_case_or_404(case_id, _me())
    if not case_access.may_manage_case(_me(), case):
        abort(403)
    form = TaskForm()
    form.assignee_id.validate_choice = False

    def render(found, status, f):
        f = f or TaskForm(formdata=None)
        f.assignee_id.choices = _assignee_choices(found)
        return render_template("tasks/new.html", form=f, case=found, today=_today()), status

    if request.method == "GET":
        return render(case, 200, form)

    def action(found, f):
        return ops.create_task(_me(), title=f.title.data, description=f.description.data,
                               assignee=db.session.get(User, f.assignee_id.data),
                               due_date=f.due_date.data, case=found)

    def task_url(created):
        return url_for(".task", task_id=created.id)

    return post_change(lambda: get_case_or_404(case_id, _me()), form, action, render,
                       success_url=lambda _found, created: task_url(created),
                       created_url=task_url, done=_("The task has been given."))
