"""Pages of the documents domain (routes only: load, check access, call the service, render):
the upload page of a case, a meeting or a decision, and the download of one document."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from casework.auth.models import User
from casework.auth.operations import OperationRefused
from casework.cases.models import Case
from casework.cases.operations import AccessRefused
from casework.cases.queries import get_case_or_404
from casework.documents import operations as ops
from casework.documents import queries
from casework.documents.forms import LEVEL_HINT, DocumentForm
from casework.documents.models import Document
from casework.extensions import db
from casework.groups.models import Decision, Meeting
from casework.groups.queries import get_decision_or_404, get_meeting_or_404

bp = Blueprint("documents", __name__)

#: Downloads are never rendered by the browser, and never run anything if they were.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


def _me() -> User:
    return current_user._get_current_object()


@bp.app_template_global()
def documents_of(obj):
    """For a case, meeting or decision page: its documents the user may see (one query)."""
    kind = {Case: "case", Meeting: "meeting", Decision: "decision"}[type(obj)]
    # The uploader and their institution are named on every row: loaded with the rows.
    stmt = queries.documents_of(_me(), **{kind: obj}).options(
        joinedload(Document.uploaded_by).lazyload(User.role_rows),
        joinedload(Document.uploader_institution))
    return db.session.scalars(stmt).unique().all()


@bp.app_template_global()
def documents_of_task(task):
    """For a task's page: the documents attached when it was completed, as the user may see
    them."""
    return db.session.scalars(queries.documents_of(_me(), task=task)).unique().all()


def _upload(target: dict, back: str, title: str):
    form = DocumentForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            upload = form.file.data
            try:
                ops.add_document(_me(), stream=upload.stream, filename=upload.filename,
                                 level=form.level.data, **target)
            except AccessRefused:
                db.session.rollback()
                abort(403)
            except OperationRefused as refused:
                db.session.rollback()
                form.file.errors = [str(refused.message)]
                status = 400
            else:
                db.session.commit()
                flash(_("The document has been added."), "success")
                return redirect(back)
        else:
            status = 400
    return render_template("documents/upload.html", form=form, back=back, title=title,
                           level_hint=LEVEL_HINT,
                           max_upload_mb=f"{ops.max_upload_bytes() / 1024 / 1024:g}"), status


@bp.route("/cases/<int:case_id>/documents/new", methods=["GET", "POST"])
@login_required
def case_document_new(case_id: int):
    """Add a document to a case (anyone who sees the case, as with notes)."""
    case = get_case_or_404(case_id, _me())
    return _upload({"case": case}, url_for("cases.case", case_id=case.id) + "#documents-h",
                   _("Add a document to case %(n)s", n=case.number))


@bp.route("/meetings/<int:meeting_id>/documents/new", methods=["GET", "POST"])
@login_required
def meeting_document_new(meeting_id: int):
    """Add a document to a meeting (anyone who sees the meeting)."""
    meeting = get_meeting_or_404(meeting_id, _me())
    return _upload({"meeting": meeting},
                   url_for("groups.meeting", meeting_id=meeting.id) + "#documents-h",
                   _("Add a document to the meeting"))


@bp.route("/decisions/<int:decision_id>/documents/new", methods=["GET", "POST"])
@login_required
def decision_document_new(decision_id: int):
    """Add a document to a published decision (anyone who sees the decision)."""
    decision = get_decision_or_404(decision_id, _me())
    if decision.published_at is None:
        abort(404)
    return _upload({"decision": decision},
                   url_for("decisions.decision", decision_id=decision.id) + "#documents-h",
                   _("Add a document to decision %(n)s", n=decision.number or decision.id))


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact name as RFC 5987
    ``filename*`` (UTF-8, percent-encoded)."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;%' else "_"
                       for c in filename) or "document"
    return (f'attachment; filename="{fallback}"; '
            f"filename*=UTF-8''{quote(filename, safe='')}")


@bp.route("/documents/<int:document_id>/download")
@login_required
def download(document_id: int):
    """The file, as an attachment; every download is audited."""
    document = queries.get_document_or_404(document_id, _me())
    stream = ops.open_for_download(_me(), document)
    db.session.commit()
    response = send_file(stream, mimetype=document.content_type, as_attachment=True,
                         download_name=document.filename, conditional=False, etag=False,
                         max_age=0)
    response.headers["Content-Disposition"] = content_disposition(document.filename)
    response.headers["Content-Length"] = str(document.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Cache-Control"] = "no-store"
    return response
