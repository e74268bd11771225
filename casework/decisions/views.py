"""Pages of the decisions domain (routes only: load, check access, call the service, render):
the execution table of a group's decisions and the page of one decision."""

from __future__ import annotations

import csv
import io

from flask import (
    Blueprint,
    Response,
    abort,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from casework import listing
from casework.audit.operations import record, record_read
from casework.auth.models import User
from casework.decisions import operations as ops
from casework.decisions import queries
from casework.decisions.forms import AdvanceForm, ProgressForm
from casework.extensions import db
from casework.groups.models import CooperationGroup, Decision
from casework.groups.queries import get_decision_or_404, get_group_or_404, visible_groups
from casework.spreadsheet import safe_row
from casework.tasks.models import Task
from casework.web import post_change
from workflows import decision as decision_workflow
from workflows import pick_label

bp = Blueprint("decisions", __name__)


def _me() -> User:
    return current_user._get_current_object()


def _content_group_or_404(group_id: int) -> CooperationGroup:
    """The group if ``user`` may see its content (an administrator managing a strategic group
    sees its members, not its decisions: 404)."""
    group = get_group_or_404(group_id, _me())
    if db.session.scalar(visible_groups(_me()).where(CooperationGroup.id == group.id)) is None:
        abort(404)
    return group


def _filters(group_id: int) -> dict:
    args = request.args
    status = args.get("status")
    return {
        "year": args.get("year", type=int),
        "status": status if status in queries.STATUS_FILTERS else None,
        "institution_id": args.get("institution_id", type=int),
        "q": listing.search_text(args),
    }


@bp.route("/groups/<int:group_id>/decisions")
@login_required
def group_decisions(group_id: int):
    """The group's decisions with their execution status; overdue ones are marked. The read
    is in the audit log (repeated reads within a few minutes once)."""
    group = _content_group_or_404(group_id)
    state = listing.read_list(queries.DECISION_LIST, request.args, _filters(group_id),
                              group_id=group.id)
    filters = state.filters
    today = ops.today()
    found = listing.paginate_rows(db, queries.group_decisions(_me(), group.id, today=today,
                                                               **filters), state)
    record_read("decisions_viewed", group, user=_me())
    page = render_template(
        "decisions/group.html", group=group, rows=found.items, page=found, state=state,
        filters=filters, today=today,
        years=queries.group_decision_years(_me(), group.id),
        institutions=queries.group_decision_institutions(_me(), group.id),
        statuses=decision_workflow.STATUS_LABELS, status_filters=queries.STATUS_FILTERS,
        group_endpoint="groups.group")
    db.session.commit()
    return page


@bp.route("/groups/<int:group_id>/decisions.csv")
@login_required
def group_decisions_csv(group_id: int):
    """The same table as a CSV file (UTF-8 with BOM, for spreadsheets); the export is audited."""
    group = _content_group_or_404(group_id)
    filters = _filters(group_id)
    today = ops.today()
    rows = db.session.execute(queries.group_decisions(_me(), group.id, today=today,
                                                      **filters)).all()
    locale = str(get_locale() or "lv")
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    # safe_row: a decision or progress text starting with "=" must not run as a formula.
    writer.writerow(safe_row([_("Number"), _("Decision"), _("Responsible institution"),
                              _("Due date"), _("Status"), _("Overdue"),
                              _("Progress of execution")]))
    for decision, overdue in rows:
        writer.writerow(safe_row([
            decision.number or "", decision.text,
            decision.responsible_institution.name if decision.responsible_institution else "",
            decision.due_date.isoformat() if decision.due_date else "",
            pick_label(decision_workflow.STATUS_LABELS[decision.status], locale),
            _("overdue") if overdue else "",
            " | ".join(f"{p.on.isoformat()}: {p.text}" for p in decision.progress),
        ]))
    record("decisions_exported", group, user=_me(), details={"rows": len(rows), **filters})
    db.session.commit()
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="decisions-{group.id}.csv"'})


def _published_or_404(decision_id: int) -> Decision:
    decision = get_decision_or_404(decision_id, _me())
    if decision.published_at is None:
        abort(404)
    return decision


def _render(decision: Decision, status: int = 200, *, advance: AdvanceForm | None = None,
            progress: ProgressForm | None = None):
    me = _me()
    advance = advance or AdvanceForm(formdata=None)
    progress = progress or ProgressForm(formdata=None)
    for form in (advance, progress):
        if not form.version.data:
            form.version.data = decision.version
    if progress.on.data is None and not progress.on.errors and not progress.on.raw_data:
        progress.on.data = ops.today()
    tasks = db.session.scalars(select(Task).where(Task.decision_id == decision.id,
                                                  Task.issued_at.is_not(None))
                               .order_by(Task.due_date, Task.id)).all()
    today = ops.today()
    overdue = (decision.status in queries.OPEN_STATES and decision.due_date is not None
               and decision.due_date < today)
    return render_template(
        "decisions/decision.html", decision=decision, advance=advance, progress=progress,
        triggers=ops.allowed_decision_triggers(me, decision),
        may_track=ops.may_track_decision(me, decision), overdue=overdue, today=today,
        trigger_labels=decision_workflow.TRIGGER_LABELS,
        trigger_inputs=decision_workflow.TRIGGER_INPUTS,
        statuses=decision_workflow.STATUS_LABELS, tasks=tasks,
        meeting_endpoint="groups.meeting",
        group_endpoint="groups.group",
    ), status


@bp.route("/decisions/<int:decision_id>")
@login_required
def decision(decision_id: int):
    """A decision: its text, responsible institution, due date, status and progress. The
    read is in the audit log (repeated reads within a few minutes once)."""
    found = _published_or_404(decision_id)
    record_read("decision_viewed", found, user=_me(), municipality_id=found.group.municipality_id)
    page = _render(found)
    db.session.commit()
    return page


def _post(decision_id: int, form, form_name: str, action):
    """Validate, run ``action``, commit; refusals re-render with the input (400, 403, 409)."""
    return post_change(
        lambda: _published_or_404(decision_id), form, action,
        lambda found, status, f: _render(found, status, **({form_name: f} if f else {})),
        success_url=lambda *_ignored: url_for(".decision", decision_id=decision_id))


@bp.route("/decisions/<int:decision_id>/advance", methods=["POST"])
@login_required
def decision_advance(decision_id: int):
    """Start execution, mark executed, or mark not executed with a reason."""
    form = AdvanceForm()

    def action(found, f):
        ops.advance_decision(_me(), found, f.trigger.data, reason=f.reason.data,
                             note=f.note.data, on=f.on.data, expected_version=f.version.data)

    return _post(decision_id, form, "advance", action)


@bp.route("/decisions/<int:decision_id>/progress", methods=["POST"])
@login_required
def decision_progress(decision_id: int):
    """A dated progress entry without a change of status."""
    form = ProgressForm()

    def action(found, f):
        ops.add_progress(_me(), found, on=f.on.data, text=f.text.data,
                         expected_version=f.version.data)

    return _post(decision_id, form, "progress", action)
