"""The data protection officer's subject-access pages (routes only: load scoped, render).

Find a case of the municipality by its number, choose the person, download everything the
municipality holds about them as PDF or JSON. Opening a case here and every export are in the
audit log (ids and the format only). Anyone but the municipality's officer gets 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from casework.audit.operations import record
from casework.dpo import export, queries
from casework.dpo.schemas import SubjectAccessSchema
from casework.extensions import db

bp = Blueprint("dpo", __name__, url_prefix="/dpo")

FORMATS = {"pdf": "application/pdf", "json": "application/json"}
#: A case number is short (``2026/0042``); anything longer is not one.
MAX_NUMBER = 16


def _me():
    return current_user._get_current_object()


@bp.route("/subject-access")
@login_required
def subject_access():
    """Find the case of a subject-access request by its number."""
    if not queries.is_officer(_me()):
        abort(404)
    number = (request.args.get("number") or "").strip()
    message = None
    if number:
        found = queries.case_by_number(_me(), number) if len(number) <= MAX_NUMBER else None
        if found is not None:
            return redirect(url_for("dpo.case_persons", case_id=found.id))
        message = _("There is no case with this number in the municipality.")
    return render_template("dpo/subject_access.html", number=number, message=message)


@bp.route("/subject-access/cases/<int:case_id>")
@login_required
def case_persons(case_id: int):
    """The persons of the case, to choose whose data to export."""
    case = queries.get_case_for_officer_or_404(case_id, _me())
    record("subject_access_case_opened", case, user=_me())
    db.session.commit()
    return render_template("dpo/case_persons.html", case=case)


@bp.route("/subject-access/cases/<int:case_id>/persons/<int:person_id>")
@login_required
def person(case_id: int, person_id: int):
    """What the export of this person covers, and the download links."""
    case = queries.get_case_for_officer_or_404(case_id, _me())
    found = queries.get_person_or_404(case, person_id)
    rows = queries.same_subject(found)
    return render_template("dpo/person.html", case=case, person=found, rows=rows,
                           withheld=export.withheld_counts(rows))


@bp.route("/subject-access/cases/<int:case_id>/persons/<int:person_id>/export.<fmt>")
@login_required
def person_export(case_id: int, person_id: int, fmt: str):
    """Everything the municipality holds about the person, as PDF or JSON; audited."""
    case = queries.get_case_for_officer_or_404(case_id, _me())
    found = queries.get_person_or_404(case, person_id)
    if fmt not in FORMATS:
        abort(404)
    rows = queries.same_subject(found)
    data = export.subject_access_data(found, rows)
    if fmt == "pdf":
        body = export.to_pdf(data)
    else:
        from flask import json

        body = json.dumps(SubjectAccessSchema().dump(data), ensure_ascii=False, indent=2)
    record("subject_access_exported", case, user=_me(), details={
        "person_id": found.id, "format": fmt, "persons": [r.id for r in rows],
        "ids": sorted({r.case_id for r in rows})})
    db.session.commit()
    name = f"datu-subjekta-pieprasijums-{case.id}-{found.id}.{fmt}"
    return Response(body, mimetype=FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store"})
