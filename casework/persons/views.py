"""Correct a case person or mark them as no longer part of the case (routes only: load, check
access, call the service, render). Only the case manager and the head of the social service."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from casework.auth.models import User
from casework.auth.operations import OperationRefused
from casework.cases import access, queries
from casework.cases import operations as ops
from casework.cases.forms import EndPersonForm, PersonCorrectionForm
from casework.cases.models import CasePerson
from casework.extensions import db

bp = Blueprint("persons", __name__)


def _me() -> User:
    return current_user._get_current_object()


def _load(case_id: int, person_id: int):
    """The case (404 unless visible), the person of that case (404), and 403 unless the user
    manages the case."""
    case = queries.get_case_or_404(case_id, _me())
    person = db.session.get(CasePerson, person_id)
    if person is None or person.case_id != case.id:
        abort(404)
    if not access.may_manage_case(_me(), case):
        abort(403)
    return case, person


def _render(case, person, status=200, *, form=None, end_form=None):
    if form is None:
        form = PersonCorrectionForm(formdata=None, obj=person)
    return render_template("cases/person.html", case=case, person=person, form=form,
                           end_form=end_form or EndPersonForm(formdata=None)), status


@bp.route("/cases/<int:case_id>/persons/<int:person_id>", methods=["GET", "POST"])
@login_required
def person(case_id: int, person_id: int):
    """The person's data in a form; saving writes the changed fields' names to the history."""
    case, found = _load(case_id, person_id)
    if request.method == "GET":
        ops.record_case_view(_me(), case)
        db.session.commit()
        return _render(case, found)
    form = PersonCorrectionForm()
    if not form.validate():
        return _render(case, found, 400, form=form)
    try:
        changed = ops.correct_person(
            _me(), case, found.id, role=form.role.data, given_name=form.given_name.data,
            family_name=form.family_name.data, personal_code=form.personal_code.data,
            birth_date=form.birth_date.data, contact=form.contact.data, school=form.school.data)
    except OperationRefused as refused:
        db.session.rollback()
        case, found = _load(case_id, person_id)
        form.personal_code.errors = [str(refused.message)]
        return _render(case, found, 400, form=form)
    db.session.commit()
    flash(_("The person's data has been corrected.") if changed else _("Nothing was changed."),
          "success" if changed else "info")
    return redirect(url_for("cases.case", case_id=case_id) + "#persons-h")


@bp.route("/cases/<int:case_id>/persons/<int:person_id>/end", methods=["POST"])
@login_required
def person_end(case_id: int, person_id: int):
    """Mark the person as no longer part of the case, with a reason (nothing is deleted)."""
    case, found = _load(case_id, person_id)
    end_form = EndPersonForm()
    if not end_form.validate():
        return _render(case, found, 400, end_form=end_form)
    try:
        ops.end_person(_me(), case, found.id, reason=end_form.reason.data)
    except OperationRefused as refused:
        db.session.rollback()
        case, found = _load(case_id, person_id)
        end_form.reason.errors = [str(refused.message)]
        return _render(case, found, 400, end_form=end_form)
    db.session.commit()
    flash(_("The person is no longer part of the case."), "success")
    return redirect(url_for("cases.case", case_id=case_id) + "#persons-h")
