"""Pages of the groups domain (routes only: load, check access, call the service, render)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from wtforms import SelectChoice

from casework.audit.operations import record_read
from casework.auth.models import Role, User
from casework.auth.operations import OperationRefused
from casework.cases.models import Case
from casework.cases.operations import AccessRefused
from casework.db_types import utcnow
from casework.extensions import db
from casework.forms import BaseForm
from casework.groups import access, queries
from casework.groups import operations as ops
from casework.groups.forms import (
    AgendaForm,
    DecisionForm,
    EndMemberForm,
    GroupForm,
    GroupMemberForm,
    InviteForm,
    MeetingForm,
    MeetingTransitionForm,
    MinutesForm,
    TaskForm,
    item_ids_sent,
    minutes_form,
    riga_to_utc,
    utc_to_riga,
)
from casework.groups.models import CooperationGroup, GroupMember, Meeting
from casework.orgs.models import Institution
from casework.web import AlreadySent, already_sent, once, post_change
from workflows import meeting as meeting_workflow
from workflows import pick_label
from workflows.policy import RIGA

bp = Blueprint("groups", __name__)

STRATEGIC_ROLES = (Role.COORDINATOR, Role.ADMIN, Role.HEAD_OF_SERVICE, Role.CASE_MANAGER,
                   Role.SPECIALIST)


def _me() -> User:
    return current_user._get_current_object()


def _route_exists(path: str) -> bool:
    """Whether another domain serves ``path`` (links to pages built elsewhere)."""
    try:
        current_app.url_map.bind("localhost").match(path)
    except HTTPException:
        return False
    return True


@bp.app_template_global()
def meeting_status_label(status: str) -> str:
    """A meeting status in the user's language."""
    from flask_babel import get_locale

    labels = meeting_workflow.STATUS_LABELS.get(status, status)
    return pick_label(labels, str(get_locale()))


# -- choices ----------------------------------------------------------------------------------
def _municipal_users(municipality_id: int):
    return db.session.execute(
        select(User.id, User.full_name, Institution.name)
        .join(Institution, User.institution_id == Institution.id)
        .where(Institution.municipality_id == municipality_id, User.active.is_(True))
        .order_by(Institution.name, User.full_name)).all()


def _institutions(municipality_id: int):
    return db.session.scalars(select(Institution).where(
        Institution.municipality_id == municipality_id, Institution.active.is_(True))
        .order_by(Institution.name)).all()


def _member_choices(group: CooperationGroup, blank: bool = True) -> list[SelectChoice]:
    members = ops.active_members(group)
    seen, choices = set(), [SelectChoice(0, "—")] if blank else []
    for m in members:
        if m.user_id not in seen:
            seen.add(m.user_id)
            choices.append(SelectChoice(m.user_id, f"{m.user.full_name} ({m.institution.name})"))
    if group.lead_id and group.lead_id not in seen and group.lead is not None:
        choices.append(SelectChoice(group.lead_id, group.lead.full_name))
    return choices


# -- strategic groups -------------------------------------------------------------------------
@bp.route("/groups")
@login_required
def groups():
    """The municipality's strategic groups as the user may list them."""
    if not _me().has_role(*STRATEGIC_ROLES):
        abort(403)
    rows = db.session.scalars(queries.strategic_groups(_me())).all()
    return render_template("groups/list.html", groups=rows,
                           may_create=access.may_create_strategic_group(_me()))


@bp.route("/groups/new", methods=["GET", "POST"])
@login_required
def group_new():
    """Create a strategic group (administrator or coordinator)."""
    if not access.may_create_strategic_group(_me()):
        abort(403)
    form = GroupForm()
    form.lead_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(i, f"{n} ({inst})") for i, n, inst in _municipal_users(
            _me().municipality_id)]
    status = 200
    if request.method == "POST":
        if form.validate():
            lead = db.session.get(User, form.lead_id.data) if form.lead_id.data else None
            try:
                group = ops.create_strategic_group(_me(), name=form.name.data,
                                                   description=form.description.data, lead=lead)
            except OperationRefused as refused:
                db.session.rollback()
                form.name.errors = [str(refused.message)]
                status = 400
            else:
                db.session.commit()
                flash(_("The group has been created."), "success")
                return redirect(url_for(".group", group_id=group.id))
        else:
            status = 400
    return render_template("groups/group_form.html", form=form), status


def _render_group(group: CooperationGroup, status: int = 200, member_form=None):
    me = _me()
    sees_content = queries.may_see_content(me, group)
    members = db.session.scalars(select(GroupMember).where(GroupMember.group_id == group.id)
                                 .order_by(GroupMember.member_to.is_not(None),
                                           GroupMember.member_from, GroupMember.id)).all()
    may_members = access.may_manage_members(me, group)
    if group.kind == "interprofessional":
        case = db.session.get(Case, group.case_id)
        from casework.cases.access import may_manage_case

        may_members = may_manage_case(me, case)
    form = member_form or GroupMemberForm(formdata=None)
    current = {m.user_id for m in members if m.member_to is None}
    form.user_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(i, f"{n} ({inst})") for i, n, inst in _municipal_users(
            group.municipality_id) if i not in current]
    form.institution_id.choices = [SelectChoice(0, _("the member's own institution"))] + [
        SelectChoice(i.id, i.name) for i in _institutions(group.municipality_id)]
    decisions_path = f"/groups/{group.id}/decisions"
    return render_template(
        "groups/group.html", group=group, members=members, member_form=form,
        end_form=EndMemberForm(formdata=None), may_members=may_members,
        sees_content=sees_content,
        meetings=db.session.scalars(queries.group_meetings(group)).all() if sees_content else [],
        may_meetings=access.may_manage_meetings(me, group),
        decisions_link=decisions_path if sees_content and _route_exists(decisions_path)
        else None,
        case=db.session.get(Case, group.case_id) if group.case_id else None,
    ), status


@bp.route("/groups/<int:group_id>")
@login_required
def group(group_id: int):
    """A group: members with their dates, meetings, a link to its decisions."""
    return _render_group(queries.get_group_or_404(group_id, _me()))


@bp.route("/groups/<int:group_id>/members", methods=["POST"])
@login_required
def member_add(group_id: int):
    """Add a member (strategic here; interprofessional through the case's rules)."""
    found = queries.get_group_or_404(group_id, _me())
    form = GroupMemberForm()
    form.user_id.validate_choice = False
    form.institution_id.validate_choice = False
    if not form.validate():
        return _render_group(found, 400, form)
    member_from = None
    if form.member_from.data:
        member_from = datetime.combine(form.member_from.data, time(0), tzinfo=RIGA) \
            .astimezone(UTC)
    try:
        ops.add_member(_me(), found, db.session.get(User, form.user_id.data),
                       institution_id=form.institution_id.data or None,
                       role_in_group=form.role_in_group.data, member_from=member_from)
    except AccessRefused:
        db.session.rollback()
        abort(403)
    except OperationRefused as refused:
        db.session.rollback()
        found = queries.get_group_or_404(group_id, _me())
        form.user_id.errors = [str(refused.message)]
        return _render_group(found, 400, form)
    db.session.commit()
    flash(_("The member has been added."), "success")
    return redirect(url_for(".group", group_id=group_id))


@bp.route("/groups/<int:group_id>/members/<int:member_id>/end", methods=["POST"])
@login_required
def member_end(group_id: int, member_id: int):
    """End a membership (access ends with it)."""
    found = queries.get_group_or_404(group_id, _me())
    form = EndMemberForm()
    if not form.validate():
        return _render_group(found, 400)
    member_to = None
    if form.member_to.data:
        member_to = datetime.combine(form.member_to.data, time(0), tzinfo=RIGA).astimezone(UTC)
    try:
        ops.end_member(_me(), found, member_id, member_to=member_to)
    except AccessRefused:
        db.session.rollback()
        abort(403)
    except OperationRefused as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
        return _render_group(queries.get_group_or_404(group_id, _me()), 400)
    db.session.commit()
    flash(_("The membership has ended."), "success")
    return redirect(url_for(".group", group_id=group_id))


# -- planning ---------------------------------------------------------------------------------
def _meeting_form_choices(form: MeetingForm, group: CooperationGroup) -> MeetingForm:
    choices = _member_choices(group)
    form.chair_id.choices = choices
    form.minute_taker_id.choices = choices
    form.invite_ids.choices = choices[1:]
    return form


def _meeting_input(form: MeetingForm) -> dict:
    return {"starts_at": riga_to_utc(form.starts_at.data),
            "ends_at": riga_to_utc(form.ends_at.data), "kind": form.kind.data,
            "title": form.title.data, "place": form.place.data,
            "online_link": form.online_link.data, "chair_id": form.chair_id.data or None,
            "minute_taker_id": form.minute_taker_id.data or None}


def _meeting_group_or_404(group_id: int) -> CooperationGroup:
    found = queries.get_group_or_404(group_id, _me())
    if not queries.may_see_content(_me(), found):
        abort(404)
    return found


@bp.route("/groups/<int:group_id>/meetings/new", methods=["GET", "POST"])
@login_required
def meeting_new(group_id: int):
    """Plan a meeting and invite members."""
    found = _meeting_group_or_404(group_id)
    if not access.may_manage_meetings(_me(), found):
        abort(403)
    form = _meeting_form_choices(MeetingForm(), found)
    if request.method == "GET":
        form.chair_id.data = _me().id
        form.invite_ids.data = [c.value for c in form.invite_ids.choices]
    status = 200
    if request.method == "POST":
        if form.validate():
            def plan():
                return ops.plan_meeting(_me(), found, invite_ids=form.invite_ids.data,
                                        **_meeting_input(form))

            try:
                meeting = once(form, _me(), _meeting_url, plan)
            except AlreadySent as sent:
                return already_sent(sent)
            except AccessRefused:
                db.session.rollback()
                abort(403)
            except OperationRefused as refused:
                db.session.rollback()
                form.ends_at.errors = [str(refused.message)]
                status = 400
            else:
                db.session.commit()
                flash(_("The meeting has been planned and the members invited."), "success")
                return redirect(_meeting_url(meeting))
        else:
            status = 400
    return render_template("groups/meeting_form.html", form=form, group=found,
                           meeting=None), status


def _meeting_url(meeting: Meeting) -> str:
    return url_for(".meeting", meeting_id=meeting.id)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def meeting_edit(meeting_id: int):
    """Change or reschedule a planned meeting (stays planned; the invited are notified)."""
    found = queries.get_meeting_or_404(meeting_id, _me())
    if not access.may_manage_meetings(_me(), found.group):
        abort(403)
    if request.method == "GET":
        form = MeetingForm(formdata=None, obj=found)
        form.starts_at.data = utc_to_riga(found.starts_at)
        form.ends_at.data = utc_to_riga(found.ends_at)
        form.version.data = found.version
    else:
        form = MeetingForm()
    _meeting_form_choices(form, found.group)
    del form.invite_ids

    def render(meeting, status, f):
        if f is None:  # 409: the form as the meeting is now, the input in the kept panel
            f = MeetingForm(formdata=None, obj=meeting)
            f.starts_at.data = utc_to_riga(meeting.starts_at)
            f.ends_at.data = utc_to_riga(meeting.ends_at)
            f.version.data = meeting.version
            _meeting_form_choices(f, meeting.group)
            del f.invite_ids
        return render_template("groups/meeting_form.html", form=f, group=meeting.group,
                               meeting=meeting), status

    if request.method == "GET":
        return render(found, 200, form)

    def action(meeting, f):
        return ops.update_meeting(_me(), meeting, expected_version=f.version.data,
                                  **_meeting_input(f))

    return post_change(lambda: queries.get_meeting_or_404(meeting_id, _me()), form, action,
                       render, done=lambda moved: _(
                           "The meeting has been rescheduled and the invited notified.")
                       if moved else _("Saved."),
                       success_url=lambda *_ignored: url_for(".meeting", meeting_id=meeting_id))


# -- the meeting page -------------------------------------------------------------------------
def _minutes_form(meeting: Meeting, sent_ids=(), **kwargs) -> MinutesForm:
    """The minutes form of ``meeting``: the general part and a text per agenda item, plus a
    field for each other item id a request sent (so that what was typed there is shown back;
    the service refuses it)."""
    items = [(item.id, _("Minutes on “%(item)s”", item=_short(item.text)), item.minutes)
             for item in meeting.agenda]
    known = {item.id for item in meeting.agenda}
    items += [(item_id, _("Minutes"), None) for item_id in dict.fromkeys(sent_ids)
              if item_id not in known]
    return minutes_form(items, **kwargs)


def _short(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def _meeting_forms(meeting: Meeting, **overrides) -> dict:
    group = meeting.group
    forms = {
        "agenda": AgendaForm(formdata=None),
        "invite": InviteForm(formdata=None),
        "minutes": _minutes_form(meeting, formdata=None, obj=meeting),
        "decision": DecisionForm(formdata=None),
        "task": TaskForm(formdata=None),
        "transition": MeetingTransitionForm(formdata=None),
    }
    forms.update(overrides)
    for name in ("minutes", "transition"):
        if not forms[name].version.data:
            forms[name].version.data = meeting.version
    invited = {a.user_id for a in meeting.attendance}
    forms["invite"].invite_ids.choices = [c for c in _member_choices(group, blank=False)
                                          if c.value not in invited]
    institutions = [SelectChoice(0, "—")] + [SelectChoice(i.id, i.name)
                                             for i in _institutions(group.municipality_id)]
    agenda = [SelectChoice(0, "—")] + [SelectChoice(a.id, a.text[:80]) for a in meeting.agenda]
    forms["decision"].responsible_institution_id.choices = institutions
    forms["decision"].agenda_item_id.choices = agenda
    forms["task"].assignee_id.choices = _member_choices(group)
    forms["task"].agenda_item_id.choices = agenda
    forms["task"].decision_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(d.id, d.text[:80]) for d in db.session.scalars(
            queries.meeting_decisions(meeting)) if d.published_at is None]
    return forms


def _render_meeting(meeting: Meeting, status: int = 200, open_panel: str | None = None,
                    **forms):
    me = _me()
    group = meeting.group
    may_manage = access.may_manage_meetings(me, group)
    facts = ops.meeting_facts(meeting)
    machine = meeting_workflow.bind(meeting, facts)
    from flask_babel import get_locale

    locale = str(get_locale())
    # Every unmet condition of each blocked action, not only the first.
    blocked = [(pick_label(meeting_workflow.TRIGGER_LABELS[t], locale),
                " ".join(e.message(locale) for e in machine.unmet(t)))
               for t in machine.refusals()] if may_manage else []
    overlaps = {}
    if meeting.status == "planned":
        overlaps = queries.conflicts([a.user_id for a in meeting.attendance], meeting.starts_at,
                                     meeting.ends_at, exclude_meeting_id=meeting.id)
    decisions = db.session.scalars(queries.meeting_decisions(meeting)).all()
    return render_template(
        "groups/meeting.html", meeting=meeting, group=group, may_manage=may_manage,
        forms=_meeting_forms(meeting, **forms), open_panel=open_panel,
        triggers=machine.allowed_triggers() if may_manage else [], blocked=blocked,
        trigger_labels=meeting_workflow.TRIGGER_LABELS,
        trigger_inputs=meeting_workflow.TRIGGER_INPUTS,
        decisions=decisions, tasks=db.session.scalars(queries.meeting_tasks(meeting)).all(),
        case_numbers=queries.case_numbers(a.case_id for a in meeting.agenda),
        overlaps={u: ms for u, ms in overlaps.items()},
        users={a.user_id: a.user for a in meeting.attendance},
        locked=meeting.minutes_locked, steps=ops.meeting_steps(meeting, facts, locale),
        case=db.session.get(Case, group.case_id) if group.case_id else None,
        today=utcnow().astimezone(RIGA).date(),
    ), status


@bp.route("/meetings/<int:meeting_id>")
@login_required
def meeting(meeting_id: int):
    """The meeting: agenda, invitations and attendance, minutes, decisions, tasks. The read
    is in the audit log (repeated reads within a few minutes once: ``record_read``)."""
    found = queries.get_meeting_or_404(meeting_id, _me())
    record_read("meeting_viewed", found, user=_me(), municipality_id=found.group.municipality_id)
    # Rendered before the commit, which would expire every loaded row (and reload each).
    page = _render_meeting(found, **_add_for_item(found))
    db.session.commit()
    return page


def _add_for_item(meeting: Meeting) -> dict:
    """``?add_decision=<item id>`` or ``?add_task=<item id>`` (the links under each item of the
    minutes): that form opened with the item chosen. Without JavaScript the link reloads the
    page; with it (``static/casework.js``) the form opens in place."""
    items = {item.id for item in meeting.agenda}
    for arg, name, form_class in (("add_decision", "decision", DecisionForm),
                                  ("add_task", "task", TaskForm)):
        item_id = request.args.get(arg, type=int)
        if item_id in items:
            return {"open_panel": name, name: form_class(formdata=None, agenda_item_id=item_id)}
    return {}


def _post_meeting_change(meeting_id: int, form_name: str, form, action, done=None,
                         creates: bool = False):
    """Validate ``form``, run ``action(meeting, form)``, commit once (``casework.web``): 400
    with the errors in their panel, 403, or 409 with the input kept and the current version.
    ``creates``: the form's one-time token makes a second sending store nothing twice."""
    def render(found, status, f):
        if f is None:
            return _render_meeting(found, status)
        return _render_meeting(found, status, open_panel=form_name, **{form_name: f})

    def back_to_section(*_ignored):
        # After a save the page opens at the section that was edited.
        return url_for(".meeting", meeting_id=meeting_id,
                       _anchor=MEETING_SECTIONS.get(form_name, "main"))

    return post_change(lambda: queries.get_meeting_or_404(meeting_id, _me()), form, action,
                       render, success_url=back_to_section, done=done,
                       created_url=back_to_section if creates else None)


#: The section of the meeting page each form edits (its heading's id).
MEETING_SECTIONS = {"agenda": "agenda-h", "attendance": "attendance-h", "invite": "attendance-h",
                    "minutes": "minutes-h", "decision": "decisions-h", "task": "tasks-h",
                    "transition": "actions-h"}


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["POST"])
@login_required
def agenda_add(meeting_id: int):
    """Add a goal or an agenda item."""
    def action(found, f):
        ops.add_agenda_item(_me(), found, kind=f.kind.data, text=f.text.data,
                            case_number=f.case_number.data)

    return _post_meeting_change(meeting_id, "agenda", AgendaForm(), action)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/remove", methods=["POST"])
@login_required
def agenda_remove(meeting_id: int, item_id: int):
    """Remove a goal or an agenda item."""
    return _post_meeting_change(meeting_id, "agenda_remove", BaseForm(),
                                lambda found, f: ops.remove_agenda_item(_me(), found, item_id))


@bp.route("/meetings/<int:meeting_id>/invite", methods=["POST"])
@login_required
def invite(meeting_id: int):
    """Invite more members (they are notified)."""
    form = InviteForm()
    form.invite_ids.validate_choice = False
    return _post_meeting_change(meeting_id, "invite", form,
                                lambda found, f: ops.invite(_me(), found, f.invite_ids.data),
                                done=_("The members have been invited."))


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@login_required
def attendance(meeting_id: int):
    """Record attendance: one choice per invitation (``status-<user id>``)."""
    def action(found, _f):
        statuses = {}
        for row in found.attendance:
            value = request.form.get(f"status-{row.user_id}")
            if value:
                statuses[row.user_id] = value
        ops.record_attendance(_me(), found, statuses)

    return _post_meeting_change(meeting_id, "attendance", BaseForm(), action)


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["POST"])
@login_required
def minutes(meeting_id: int):
    """Save the minutes: the general part and each agenda item's (``item_minutes-<id>``);
    refused once they are locked."""
    form = _minutes_form(queries.get_meeting_or_404(meeting_id, _me()),
                         sent_ids=item_ids_sent(request.form))

    def action(found, f):
        ops.save_minutes(_me(), found, minutes=f.minutes.data, expected_version=f.version.data,
                         participation={k: getattr(f, k).data for k in (
                             "client_took_part", "client_informed", "client_opinion",
                             "child_took_part", "child_informed", "child_opinion")},
                         item_minutes=f.item_texts())

    return _post_meeting_change(meeting_id, "minutes", form, action)


def _decision_form() -> DecisionForm:
    form = DecisionForm()
    form.responsible_institution_id.validate_choice = False
    form.agenda_item_id.validate_choice = False
    return form


@bp.route("/meetings/<int:meeting_id>/decisions", methods=["POST"])
@login_required
def decision_add(meeting_id: int):
    """Add a decision draft."""
    def action(found, f):
        ops.add_decision(_me(), found, kind=f.kind.data, text=f.text.data,
                         responsible_institution_id=f.responsible_institution_id.data or None,
                         due_date=f.due_date.data, agenda_item_id=f.agenda_item_id.data or None)

    return _post_meeting_change(meeting_id, "decision", _decision_form(), action)


@bp.route("/meetings/<int:meeting_id>/decisions/<int:decision_id>/edit", methods=["POST"])
@login_required
def decision_edit(meeting_id: int, decision_id: int):
    """Edit a decision draft."""
    def action(found, f):
        ops.update_decision(_me(), found, decision_id, kind=f.kind.data, text=f.text.data,
                            responsible_institution_id=f.responsible_institution_id.data or None,
                            due_date=f.due_date.data,
                            agenda_item_id=f.agenda_item_id.data or None)

    return _post_meeting_change(meeting_id, f"decision_{decision_id}", _decision_form(), action)


@bp.route("/meetings/<int:meeting_id>/decisions/<int:decision_id>/remove", methods=["POST"])
@login_required
def decision_remove(meeting_id: int, decision_id: int):
    """Remove a decision draft."""
    return _post_meeting_change(
        meeting_id, "decision_remove", BaseForm(),
        lambda found, f: ops.remove_decision(_me(), found, decision_id))


@bp.route("/meetings/<int:meeting_id>/tasks", methods=["POST"])
@login_required
def task_add(meeting_id: int):
    """Add a task draft (issued when the minutes are approved)."""
    form = TaskForm()
    for name in ("assignee_id", "decision_id", "agenda_item_id"):
        getattr(form, name).validate_choice = False

    def action(found, f):
        assignee = db.session.get(User, f.assignee_id.data) if f.assignee_id.data else None
        return ops.add_task(_me(), found, title=f.title.data, description=f.description.data,
                     assignee=assignee, due_date=f.due_date.data,
                     decision_id=f.decision_id.data or None,
                     agenda_item_id=f.agenda_item_id.data or None)

    return _post_meeting_change(meeting_id, "task", form, action, creates=True)


@bp.route("/meetings/<int:meeting_id>/tasks/<int:task_id>/remove", methods=["POST"])
@login_required
def task_remove(meeting_id: int, task_id: int):
    """Remove a task draft."""
    return _post_meeting_change(meeting_id, "task_remove", BaseForm(),
                                lambda found, f: ops.remove_task(_me(), found, task_id))


@bp.route("/meetings/<int:meeting_id>/transition", methods=["POST"])
@login_required
def transition(meeting_id: int):
    """Mark held, approve the minutes or cancel (with a reason)."""
    form = MeetingTransitionForm()

    def action(found, f):
        trigger = f.trigger.data
        if trigger == "mark_held":
            ops.mark_held(_me(), found, expected_version=f.version.data)
            return _("The meeting is marked as held.")
        if trigger == "approve_minutes":
            ops.approve_minutes(_me(), found, expected_version=f.version.data)
            summary = ops.approval_summary(found)
            return _("Minutes approved: %(decisions)s decisions numbered, %(tasks)s tasks "
                     "issued, %(people)s participants informed.", **summary)
        if trigger == "cancel":
            ops.cancel_meeting(_me(), found, reason=f.reason.data,
                               expected_version=f.version.data)
            return _("The meeting is cancelled; the invited have been told.")
        raise OperationRefused(_("Unknown action."))

    return _post_meeting_change(meeting_id, "transition", form, action, done=lambda text: text)



# -- the minutes as a document ----------------------------------------------------------------
MINUTES_FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@bp.route("/meetings/<int:meeting_id>/minutes.<fmt>")
@login_required
def minutes_document(meeting_id: int, fmt: str):
    """The approved minutes as PDF/A or DOCX (for signing with eParaksts); audited."""
    from flask import Response

    from casework.audit.operations import record
    from casework.groups import minutes as minutes_doc

    found = queries.get_meeting_or_404(meeting_id, _me())
    if fmt not in MINUTES_FORMATS or found.status != "minutes_approved":
        abort(404)
    doc = minutes_doc.minutes_document(found)
    body = minutes_doc.to_pdf(doc) if fmt == "pdf" else minutes_doc.to_docx(doc)
    record("meeting_minutes_exported", found, user=_me(),
           municipality_id=found.group.municipality_id, details={"format": fmt})
    db.session.commit()
    name = f"protokols-{doc.year}-{doc.number}.{fmt}"
    return Response(body, mimetype=MINUTES_FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"'})
