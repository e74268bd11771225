"""Referral and case pages (routes only: load, check access, call the service, render)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from casework import listing
from casework.access import role_required
from casework.auth.models import Role, User
from casework.auth.operations import OperationRefused
from casework.cases import access, page, queries, search
from casework.cases import operations as ops
from casework.cases.forms import (
    BreakGlassForm,
    MemberForm,
    NoteForm,
    ParticipationForm,
    PersonForm,
    ReassignForm,
    ReferralForm,
    ReviewForm,
    RiskForm,
    TransitionForm,
    TriageForm,
)
from casework.cases.models import CATEGORY_LABELS, Case, Note
from casework.extensions import db
from casework.forms import show_refusal
from casework.plans.forms import goal_statuses_from
from casework.plans.queries import plan_with_goals
from casework.policies.operations import policy_for
from casework.tasks.models import Task
from casework.web import AlreadySent, already_sent, once, post_change
from workflows import case_lifecycle, pick_label, risk_profile
from workflows.policy import caseload_limit

bp = Blueprint("cases", __name__)


def _me() -> User:
    return current_user._get_current_object()


# -- referrals --------------------------------------------------------------------------------
@bp.route("/referrals/new", methods=["GET", "POST"])
@login_required
def referral_new():
    """Any institution's user reports a concern."""
    if not access.may_file_referral(_me()):
        abort(403)
    form = ReferralForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                once(form, _me(), lambda _referral: url_for(".referrals_mine"), lambda: (
                    ops.file_referral(
                        _me(), child_given_name=form.child_given_name.data,
                        child_family_name=form.child_family_name.data,
                        child_personal_code=form.child_personal_code.data,
                        child_birth_date=form.child_birth_date.data,
                        categories=form.categories.data, description=form.description.data,
                        proposed_urgency=form.proposed_urgency.data)))
            except AlreadySent as sent:
                return already_sent(sent)
            except OperationRefused as refused:
                db.session.rollback()
                form.child_personal_code.errors = [str(refused.message)]
                status = 400
            else:
                db.session.commit()
                flash(_("The referral has been registered. You will see the outcome of the "
                        "triage here."), "success")
                return redirect(url_for(".referrals_mine"))
        else:
            status = 400
    return render_template("cases/referral_form.html", form=form), status


@bp.route("/referrals/mine")
@login_required
def referrals_mine():
    """The user's own referrals with the outcome of triage (nothing of the case)."""
    if not access.may_file_referral(_me()):
        abort(403)
    wanted = request.args.get("state")
    state = listing.read_list(queries.REFERRALS_MINE, request.args, {
        "state": wanted if wanted in ("waiting", "triaged") else None,
        "q": listing.search_text(request.args)})
    page = listing.paginate(db, queries.referrals_by(_me(), **state.filters), state)
    return render_template("cases/referrals_mine.html", referrals=page.items, page=page,
                           state=state,
                           outcomes={r.id: queries.reporter_outcome(r) for r in page.items})


@bp.route("/referrals/triage")
@role_required(Role.CASE_MANAGER)
def triage_queue():
    """Referrals waiting for triage, most urgent first, with the time left under policy."""
    rows = db.session.scalars(queries.triage_queue(_me())).all()
    return render_template("cases/triage_queue.html", referrals=rows, now=ops.utcnow())


@bp.route("/referrals/<int:referral_id>/triage", methods=["GET", "POST"])
@role_required(Role.CASE_MANAGER)
def triage(referral_id: int):
    """Assign a risk colour and open a case, attach to a case, or close with a reason."""
    referral = queries.get_referral_for_triage_or_404(referral_id, _me())
    if referral.outcome is not None:
        flash(str(ops.ReferralAlreadyTriaged(referral).message), "info")
        return redirect(url_for(".triage_queue"))
    form = TriageForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            target = None
            if form.outcome.data == "attached":
                target = db.session.scalar(queries.visible_cases(_me()).where(
                    Case.number == (form.case_number.data or "").strip()))
            try:
                case = ops.triage_referral(_me(), referral, outcome=form.outcome.data,
                                           risk=form.risk.data or None, case=target,
                                           reason=form.reason.data)
            except ops.ReferralAlreadyTriaged as refused:
                db.session.rollback()  # the claim was lost: nothing of this triage is kept
                flash(str(refused.message), "error")
                return redirect(url_for(".triage_queue"))
            except OperationRefused as refused:
                db.session.rollback()
                show_refusal(form, refused, default="outcome")
                status = 400
            else:
                db.session.commit()
                flash(_("The referral has been triaged."), "success")
                if case is not None:
                    return redirect(url_for(".case", case_id=case.id))
                return redirect(url_for(".triage_queue"))
        else:
            status = 400
    return render_template("cases/triage.html", referral=referral, form=form,
                           now=ops.utcnow(),
                           suggestions=search.suggestions_for_referral(_me(), referral),
                           today=date.today()), status


# -- case list --------------------------------------------------------------------------------
def _list_filters() -> dict:
    args = request.args
    filters = {
        "risk": args.get("risk") if args.get("risk") in ("green", "yellow", "red") else None,
        "status": args.get("status") if args.get("status") in
        (*case_lifecycle.CaseStatus, "active", "open", "all") else None,
        "category": args.get("category") if args.get("category") in
        {c.value for c in CATEGORY_LABELS} else None,
        "case_manager_id": args.get("case_manager_id", type=int),
        "review_overdue": args.get("review_overdue") == "1",
        "q": (args.get("q") or "").strip()[:search.MAX_QUERY] or None,
    }
    return filters


@bp.route("/cases")
@role_required(*access.CASE_ROLES)
def cases():
    """The cases the user may see, filtered and paginated."""
    state = listing.read_list(queries.CASE_LIST, request.args, _list_filters())
    filters = state.filters
    page = listing.paginate(db, queries.filtered_cases(_me(), **filters), state)
    # Ids and names for the filter only, not whole users (a large municipality has hundreds).
    managers = db.session.execute(queries.case_managers_of(_me().municipality_id)
                                  .with_only_columns(User.id, User.full_name)).all() \
        if _me().municipality_id else []
    return render_template("cases/list.html", page=page, filters=filters, state=state,
                           managers=managers,
                           categories=CATEGORY_LABELS, today=date.today(),
                           children_of=search.children_of, age_on=search.age_on,
                           statuses=case_lifecycle.STATUS_LABELS)


# -- one case ---------------------------------------------------------------------------------
def _case_forms(case: Case, decisions=(), **overrides) -> dict:
    """The case page's forms; ``decisions`` as ``page.read`` gives them. The forms that list
    the municipality's people have pages of their own (``case_member_add``,
    ``case_reassign``)."""
    forms = {
        "transition": TransitionForm(formdata=None),
        "risk": RiskForm(formdata=None),
        "person": PersonForm(formdata=None),
        "note": NoteForm(formdata=None),
        "participation": ParticipationForm(formdata=None),
        "review": ReviewForm(formdata=None),
    }
    forms.update(overrides)
    forms["transition"].closure_reason.choices = [SelectChoice("", "—")] + [
        SelectChoice(k.value, pick_label(v, str(get_locale())))
        for k, v in case_lifecycle.CLOSURE_REASONS.items()]
    forms["risk"].decision_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(d.id, f"{d.number}: {d.text[:60]}") for d in decisions]
    forms["participation"].person_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(p.id, p.full_name) for p in case.persons]
    for name in ("transition", "risk", "review"):
        if not forms[name].version.data:
            forms[name].version.data = case.version
    return forms


def _case_page_reads(case: Case, assessment) -> dict:
    """What the case page shows before its read is audited (``casework.cases.page``): the
    group with its members, the history and the short lists (the other cases of its persons
    among them, which the audit record names)."""
    manages = access.may_manage_case(_me(), case)
    group = page.case_group(case)
    history = page.history(case)
    return {"assessment": assessment, "group": group, "history": history, "manages": manages,
            "lists": page.read(case, _me(), group=group, events=history, manages=manages)}


def _render_case(case: Case, status: int = 200, open_panel: str | None = None,
                 reads: dict | None = None, **forms):
    me = _me()
    if reads is None:  # a form sent back with its errors: the case came without the panels
        from casework.plans.queries import latest_assessment

        reads = _case_page_reads(case, latest_assessment(case))
    lists, group, manages = reads["lists"], reads["group"], reads["manages"]
    notes = db.session.scalars(queries.visible_notes(me, case).options(
        joinedload(Note.author).lazyload(User.role_rows),
        joinedload(Note.author_institution))).all()
    tasks = db.session.scalars(
        select(Task).where(Task.case_id == case.id)
        .options(joinedload(Task.assignee).lazyload(User.role_rows))
        .order_by(Task.status, Task.due_date)).all()
    members = sorted(group.members, key=lambda m: (m.member_to is not None, m.member_from)) \
        if group is not None else []
    facts = risk = None
    if manages:
        facts = ops.case_facts(case, tasks=tasks, meetings=lists.meetings)
        risk = ops.risk_facts(case, [d.id for d in lists.decisions if d.published])
    return render_template(
        "cases/case.html", case=case, history=reads["history"], notes=notes, tasks=tasks,
        participation=lists.participation, members=members,
        persons_by_id={p.id: p for p in case.persons},
        forms=_case_forms(case, lists.decisions, **forms),
        may_manage=manages, supervises=access.supervises(me, case),
        lifecycle_triggers=ops.allowed_case_triggers(me, case, facts),
        risk_triggers=ops.allowed_risk_triggers(me, case, risk),
        blocked=ops.blocked_triggers(me, case, facts, risk),
        trigger_inputs=case_lifecycle.TRIGGER_INPUTS, risk_inputs=risk_profile.TRIGGER_INPUTS,
        lifecycle_labels=case_lifecycle.TRIGGER_LABELS, risk_labels=risk_profile.TRIGGER_LABELS,
        statuses=case_lifecycle.STATUS_LABELS,
        closure_reasons=case_lifecycle.CLOSURE_REASONS,
        elsewhere=lists.elsewhere, today=date.today(), group=group, meetings=lists.meetings,
        plan_section=(reads["assessment"], plan_with_goals(case)),
        referrals=db.session.scalars(queries.referrals_of_case(case)).unique().all(),
        children=search.children_of(case), age_on=search.age_on,
        open_panel=open_panel, users=lists.named_users,
    ), status


@bp.route("/cases/<int:case_id>")
@login_required
def case(case_id: int):
    """The case page; every read is in the audit log."""
    found, assessment = page.get_case_for_page_or_404(case_id, _me())
    reads = _case_page_reads(found, assessment)
    ops.record_case_view(_me(), found, reads["lists"].elsewhere)
    # Rendered before the commit, which would expire every loaded row (and reload each).
    response = _render_case(found, reads=reads)
    db.session.commit()
    return response


def _post_case_change(case_id: int, form_name: str, form, action, *, creates: bool = False):
    """Validate ``form``, run ``action(case, form)``, commit once (``casework.web``): 400 with
    the errors in their panel, 403, or 409 with the input kept and the current version.

    ``creates``: the form's one-time token makes a second sending store nothing twice.
    """
    def render(found, status, f):
        if f is None:
            return _render_case(found, status)
        return _render_case(found, status, open_panel=form_name, **{form_name: f})

    def back_to_section(*_ignored):
        # After a save the page opens at the section that was edited.
        return url_for(".case", case_id=case_id, _anchor=CASE_SECTIONS.get(form_name, "main"))

    return post_change(lambda: queries.get_case_or_404(case_id, _me()), form, action, render,
                       success_url=back_to_section,
                       created_url=back_to_section if creates else None)


#: The section of the case page each form edits (its heading's id).
CASE_SECTIONS = {"transition": "actions-h", "risk": "actions-h", "review": "actions-h",
                 "reassign": "actions-h", "person": "persons-h", "member": "group-h",
                 "note": "notes-h", "participation": "client-h"}


@bp.route("/cases/<int:case_id>/transition", methods=["POST"])
@login_required
def case_transition(case_id: int):
    """Fire a lifecycle trigger."""
    form = TransitionForm()
    form.closure_reason.choices = [SelectChoice("", "—")] + [
        SelectChoice(k.value, k.value) for k in case_lifecycle.CLOSURE_REASONS]

    def action(found, f):
        ops.transition_case(_me(), found, f.trigger.data, expected_version=f.version.data,
                            reason=f.reason.data, closure_reason=f.closure_reason.data,
                            closure_reason_text=f.closure_reason_text.data)

    return _post_case_change(case_id, "transition", form, action)


@bp.route("/cases/<int:case_id>/risk", methods=["POST"])
@login_required
def case_risk(case_id: int):
    """Raise or lower the risk colour."""
    form = RiskForm()
    form.decision_id.validate_choice = False

    def action(found, f):
        ops.change_risk(_me(), found, f.trigger.data, reason=f.reason.data,
                        decision_id=f.decision_id.data or None, expected_version=f.version.data)

    return _post_case_change(case_id, "risk", form, action)


@bp.route("/cases/<int:case_id>/review", methods=["POST"])
@login_required
def case_review(case_id: int):
    """Record a case review; the next review date follows the colour."""
    form = ReviewForm()

    def action(found, f):
        ops.record_review(_me(), found, summary=f.summary.data, expected_version=f.version.data,
                          goal_statuses=goal_statuses_from(request.form))

    return _post_case_change(case_id, "review", form, action)


@bp.route("/cases/<int:case_id>/persons", methods=["POST"])
@login_required
def case_person(case_id: int):
    """Add a person to the case."""
    form = PersonForm()

    def action(found, f):
        ops.add_person(_me(), found, role=f.role.data, given_name=f.given_name.data,
                       family_name=f.family_name.data, personal_code=f.personal_code.data,
                       birth_date=f.birth_date.data, contact=f.contact.data,
                       school=f.school.data)

    return _post_case_change(case_id, "person", form, action, creates=True)


@bp.route("/cases/<int:case_id>/notes", methods=["POST"])
@login_required
def case_note(case_id: int):
    """Write a note."""
    form = NoteForm()

    def action(found, f):
        ops.add_note(_me(), found, level=f.level.data, text=f.text.data)

    return _post_case_change(case_id, "note", form, action, creates=True)


@bp.route("/cases/<int:case_id>/participation", methods=["POST"])
@login_required
def case_participation(case_id: int):
    """Record the client's participation."""
    form = ParticipationForm()
    form.person_id.validate_choice = False

    def action(found, f):
        ops.add_participation(_me(), found, subject=f.subject.data,
                              person_id=f.person_id.data or None, decision_id=None,
                              informed=f.informed.data, informed_on=f.informed_on.data,
                              method=f.method.data or None, opinion=f.opinion.data,
                              attended=f.attended.data)

    return _post_case_change(case_id, "participation", form, action)


def _case_form_page(case_id: int, name: str, form, fill, action, *, title, submit, fields):
    """A form of the case page that lists the municipality's people (adding a member,
    reassigning the case) on a page of its own: the case page would otherwise write a thousand
    options and more into every view of the case. GET shows the form; POST saves it as the case
    page's other forms do and goes back to its section."""
    def render(found, status, f):
        if not access.may_manage_case(_me(), found):
            abort(403)
        f = f or type(form)(formdata=None)
        fill(found, f)
        return render_template("cases/case_form.html", case=found, form=f, title=title,
                               submit=submit, fields=fields,
                               anchor=CASE_SECTIONS[name]), status

    if request.method == "GET":
        found = queries.get_case_or_404(case_id, _me())
        return render(found, 200, None)
    return post_change(lambda: queries.get_case_or_404(case_id, _me()), form, action, render,
                       success_url=lambda *_ignored: url_for(
                           ".case", case_id=case_id, _anchor=CASE_SECTIONS[name]))


@bp.route("/cases/<int:case_id>/members", methods=["GET", "POST"])
@login_required
def case_member_add(case_id: int):
    """Add a specialist to the case's group: they gain access to the case."""
    form = MemberForm()
    form.user_id.validate_choice = False

    def fill(found, f):
        group = ops.case_group(found)
        current = {m.user_id for m in group.members if m.member_to is None} if group else set()
        f.user_id.choices = [SelectChoice(0, "—")] + [
            SelectChoice(p.id, f"{p.full_name} ({p.institution})")
            for p in page.people(found) if p.id not in current]

    def action(found, f):
        user = db.session.get(User, f.user_id.data)
        ops.add_group_member(_me(), found, user, f.role_in_group.data or None)

    return _case_form_page(case_id, "member", form, fill, action, title=_("Add a member"),
                           submit=_("Add"), fields=("user_id", "role_in_group"))


@bp.route("/cases/<int:case_id>/members/<int:member_id>/remove", methods=["POST"])
@login_required
def case_member_remove(case_id: int, member_id: int):
    """End a membership: the user loses access to the case."""
    found = queries.get_case_or_404(case_id, _me())
    try:
        ops.remove_group_member(_me(), found, member_id)
    except ops.AccessRefused:
        abort(403)
    except OperationRefused as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
    else:
        db.session.commit()
        flash(_("The member has been removed from the group."), "success")
    return redirect(url_for(".case", case_id=case_id))


@bp.route("/cases/<int:case_id>/reassign", methods=["GET", "POST"])
@login_required
def case_reassign(case_id: int):
    """The head of service gives the case to another case manager."""
    form = ReassignForm()
    form.case_manager_id.validate_choice = False

    def fill(found, f):
        if not access.supervises(_me(), found):
            abort(403)
        f.case_manager_id.choices = [SelectChoice(0, "—")] + [
            SelectChoice(p.id, p.full_name) for p in page.people(found, managers_only=True)]
        if not f.version.data:
            f.version.data = found.version

    def action(found, f):
        ops.reassign_case_manager(_me(), found, db.session.get(User, f.case_manager_id.data),
                                  expected_version=f.version.data)

    return _case_form_page(case_id, "reassign", form, fill, action,
                           title=_("Reassign the case"), submit=_("Reassign"),
                           fields=("case_manager_id",))


# -- head of service and coordinator views ----------------------------------------------------
@bp.route("/cases/caseload")
@role_required(Role.HEAD_OF_SERVICE)
def caseload():
    """Active cases and children under 12 per case manager, against the policy bands."""
    today = date.today()
    policy = policy_for(_me().municipality_id)
    rows = db.session.execute(queries.caseload(_me(), today)).all()
    return render_template("cases/caseload.html", rows=rows,
                           case_limit=caseload_limit(policy, today),
                           children_limit=policy.children_under_12_limit, policy=policy)


@bp.route("/cases/break-glass", methods=["GET", "POST"])
@role_required(Role.HEAD_OF_SERVICE)
def break_glass():
    """Emergency access to a case outside the head's scope; demands a reason, flagged."""
    form = BreakGlassForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                found = ops.break_glass(_me(), form.number.data, form.reason.data)
            except OperationRefused as refused:
                form.number.errors = [str(refused.message)]
                status = 400
            else:
                db.session.commit()
                flash(_("Emergency access granted for %(hours)s hours. It is flagged in the "
                        "audit log.", hours=ops.BREAK_GLASS_HOURS), "warning")
                return redirect(url_for(".case", case_id=found.id))
        else:
            status = 400
    return render_template("cases/break_glass.html", form=form), status


@bp.route("/cases/overview")
@role_required(Role.COORDINATOR)
def overview():
    """The strategic group's pseudonymous view: counts by colour, status, category and kind of
    institution involved; no case number, name or note, and counts below 3 shown as "<3"."""
    return render_template("cases/overview.html", stats=queries.case_statistics(_me()),
                           statuses=case_lifecycle.STATUS_LABELS)
