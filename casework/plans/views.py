"""Assessment and support plan pages of a case (routes only: load, check access, call the
service, render). Every URL loads the case with ``get_case_or_404`` first: who may not see the
case gets 404 here too; a group member who sees it may read, and only the case manager and the
head of the social service may change (403 otherwise)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from casework.audit.operations import record
from casework.auth.models import User
from casework.auth.operations import OperationRefused
from casework.cases import access
from casework.cases import operations as case_ops
from casework.cases.queries import get_case_or_404
from casework.extensions import db
from casework.forms import show_refusal
from casework.orgs.models import Institution
from casework.plans import operations as ops
from casework.plans import queries
from casework.plans.forms import GOAL_FIELD_PREFIX, AgreeForm, AssessmentForm, GoalForm
from casework.plans.forms import goal_status_choices as _goal_status_choices
from casework.tasks.models import Task
from workflows import pick_label
from workflows import support_plan as plan_workflow

bp = Blueprint("plans", __name__)


def _me() -> User:
    return current_user._get_current_object()


def _require_manage(case) -> None:
    if not access.may_manage_case(_me(), case):
        abort(403)


def _labels() -> dict:
    return {"areas": plan_workflow.AREAS, "area_labels": plan_workflow.AREA_LABELS,
            "rating_labels": plan_workflow.RATING_LABELS,
            "goal_status_labels": plan_workflow.GOAL_STATUS_LABELS,
            "plan_status_labels": plan_workflow.PLAN_STATUS_LABELS,
            "proposal_labels": plan_workflow.PROPOSAL_LABELS}


@bp.app_template_global()
def goal_status_choices():
    """The review form's choices of a goal's progress."""
    return _goal_status_choices()


@bp.app_context_processor
def _plan_labels():
    return {"plan_labels": _labels(), "goal_field_prefix": GOAL_FIELD_PREFIX}


# -- assessment -------------------------------------------------------------------------------
@bp.route("/cases/<int:case_id>/assessments")
@login_required
def assessments(case_id: int):
    """Every version of the case's assessment, newest first."""
    case = get_case_or_404(case_id, _me())
    rows = db.session.scalars(queries.assessments_of(case)).all()
    record("case_assessments_viewed", case, user=_me())
    db.session.commit()
    return render_template("plans/assessments.html", case=case, assessments=rows,
                           may_manage=access.may_manage_case(_me(), case))


@bp.route("/cases/<int:case_id>/assessments/<int:assessment_id>")
@login_required
def assessment(case_id: int, assessment_id: int):
    """One version of the assessment, with the colour its ratings propose."""
    case = get_case_or_404(case_id, _me())
    row = queries.get_assessment_or_404(case, assessment_id)
    record("case_assessment_viewed", case, user=_me(), details={"assessment_id": row.id})
    db.session.commit()
    return render_template("plans/assessment.html", case=case, assessment=row,
                           may_manage=access.may_manage_case(_me(), case))


@bp.route("/cases/<int:case_id>/assessments/new", methods=["GET", "POST"])
@login_required
def assessment_new(case_id: int):
    """Save a new version of the assessment (the form starts from the latest one)."""
    case = get_case_or_404(case_id, _me())
    _require_manage(case)
    latest = queries.latest_assessment(case)
    form = AssessmentForm() if request.method == "POST" else AssessmentForm(
        formdata=None, data=_form_data(latest))
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                row = ops.save_assessment(_me(), case, ratings=form.ratings(),
                                          texts=form.texts(), assessed_on=form.assessed_on.data)
            except OperationRefused as refused:
                db.session.rollback()
                case = get_case_or_404(case_id, _me())
                show_refusal(form, refused)
                status = 400
            else:
                db.session.commit()
                flash(_("A new version of the assessment has been saved."), "success")
                return redirect(url_for(".assessment", case_id=case_id, assessment_id=row.id))
        else:
            status = 400
    return render_template("plans/assessment_form.html", case=case, form=form,
                           latest=latest), status


def _form_data(latest) -> dict:
    if latest is None:
        return {"assessed_on": date.today()}
    data = {"assessed_on": date.today()}
    for area in plan_workflow.AREAS:
        data[f"{area}_rating"] = latest.rating(area)
        data[f"{area}_text"] = latest.text(area)
    return data


# -- plan -------------------------------------------------------------------------------------
def _decision_choices(case, published_only: bool = False) -> list[SelectChoice]:
    group = case_ops.case_group(case)
    rows = db.session.execute(queries.group_decisions(group.id)).all() if group else []
    return [SelectChoice(0, "—")] + [
        SelectChoice(i, f"{n or _('draft')}: {t[:60]}") for i, n, t, published in rows
        if published or not published_only]


def _goal_form(case, form: GoalForm | None = None) -> GoalForm:
    form = form or GoalForm(formdata=None)
    institutions = db.session.execute(
        select(Institution.id, Institution.name)
        .where(Institution.municipality_id == case.municipality_id,
               Institution.active.is_(True)).order_by(Institution.name)).all()
    form.responsible_institution_id.choices = [SelectChoice(i, n) for i, n in institutions]
    people = db.session.execute(
        select(User.id, User.full_name, Institution.name)
        .join(Institution, Institution.id == User.institution_id)
        .where(Institution.municipality_id == case.municipality_id, User.active.is_(True))
        .order_by(Institution.name, User.full_name)).all()
    form.responsible_user_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(i, f"{n} ({inst})") for i, n, inst in people]
    form.decision_id.choices = _decision_choices(case)
    task_ids = ops.case_task_ids(case)
    tasks = db.session.execute(select(Task.id, Task.title, Task.due_date)
                               .where(Task.id.in_(task_ids or {0}))
                               .order_by(Task.due_date)).all()
    form.task_ids.choices = [SelectChoice(i, f"{t} ({d.isoformat()})") for i, t, d in tasks]
    return form


def _render_plan(case, status: int = 200, *, goal_form=None, agree_form=None,
                 open_panel: str | None = None):
    plan = queries.plan_with_goals(case)
    goal_ids = [g.id for g in plan.goals] if plan else []
    me = _me()
    may_manage = access.may_manage_case(me, case)
    agree_form = agree_form or AgreeForm(formdata=None)
    agree_form.decision_id.choices = _decision_choices(case, published_only=True)
    return render_template(
        "plans/plan.html", case=case, plan=plan, may_manage=may_manage,
        goal_tasks_by_id=queries.goal_tasks(goal_ids),
        goal_progress_by_id=queries.goal_progress(goal_ids),
        goal_form=_goal_form(case, goal_form) if may_manage else None,
        agree_form=agree_form, open_panel=open_panel, today=date.today(),
        locale=str(get_locale()),
    ), status


@bp.route("/cases/<int:case_id>/plan")
@login_required
def plan(case_id: int):
    """The support plan: goals, who is responsible, deadlines, progress at reviews."""
    case = get_case_or_404(case_id, _me())
    record("case_plan_viewed", case, user=_me())
    db.session.commit()
    return _render_plan(case)


def _post_plan_change(case_id: int, form, form_name: str, action):
    case = get_case_or_404(case_id, _me())
    _require_manage(case)
    if form_name == "goal":
        _goal_form(case, form)
    else:
        form.decision_id.choices = _decision_choices(case, published_only=True)
    if not form.validate():
        return _render_plan(case, 400, open_panel=form_name, **{f"{form_name}_form": form})
    try:
        action(case, form)
    except case_ops.AccessRefused:
        db.session.rollback()
        abort(403)
    except OperationRefused as refused:
        db.session.rollback()
        case = get_case_or_404(case_id, _me())
        flash(str(refused.message), "error")
        return _render_plan(case, 400, open_panel=form_name, **{f"{form_name}_form": form})
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".plan", case_id=case_id))


@bp.route("/cases/<int:case_id>/plan/goals", methods=["POST"])
@login_required
def goal_new(case_id: int):
    """Add a goal to the plan."""
    form = GoalForm()

    def action(case, f):
        ops.add_goal(_me(), case, goal=f.goal.data, actions=f.actions.data,
                     responsible_institution_id=f.responsible_institution_id.data,
                     responsible_user_id=f.responsible_user_id.data or None,
                     deadline=f.deadline.data, review_on=f.review_on.data,
                     decision_id=f.decision_id.data or None, task_ids=f.task_ids.data or ())

    return _post_plan_change(case_id, form, "goal", action)


@bp.route("/cases/<int:case_id>/plan/agree", methods=["POST"])
@login_required
def plan_agree(case_id: int):
    """Mark the plan agreed by a decision of the case's interprofessional group."""
    form = AgreeForm()
    form.decision_id.validate_choice = False

    def action(case, f):
        ops.agree_plan(_me(), case, decision_id=f.decision_id.data or None)

    return _post_plan_change(case_id, form, "agree", action)


def goal_status_label(status: str) -> str:
    """A goal's status in the user's language."""
    return pick_label(plan_workflow.GOAL_STATUS_LABELS.get(status, status),
                      str(get_locale()))


@bp.app_template_filter("goal_status_label")
def _goal_status_filter(status: str) -> str:
    return goal_status_label(status)
