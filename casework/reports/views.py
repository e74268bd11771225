"""Pages of the reports domain (routes only: load, check access, call the service, render).

Municipal side (coordinator, head of service): the report on a year, its narrative, its
lifecycle and exports. Authority side (inspector, no municipality): every municipality's status
for a year, submitted reports (snapshot only, never drafts), return or accept, the national
aggregate and its CSV.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from casework.access import role_required, wants_json
from casework.audit.operations import record
from casework.auth.models import Role, User
from casework.auth.operations import OperationRefused
from casework.cases.operations import AccessRefused
from casework.concurrency import Stale
from casework.extensions import db
from casework.reports import exports, queries
from casework.reports import operations as ops
from casework.reports.forms import ButtonForm, NarrativeForm, TransitionForm
from casework.web import post_change, stale_message, stale_page
from workflows import annual_report

bp = Blueprint("reports", __name__, url_prefix="/reports")

MUNICIPAL = (Role.COORDINATOR, Role.HEAD_OF_SERVICE)


def _me() -> User:
    return current_user._get_current_object()


def _year_arg(default: int) -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= queries.today().year else default


@bp.app_context_processor
def _report_globals():
    return {"annual_report_banner": queries.banner_for,
            "report_status_label": exports.status_label,
            "report_suppression_note": exports.suppression_note}


# -- municipal side ---------------------------------------------------------------------------
def _municipal_user() -> User:
    if not ops.may_read_municipal(_me()):
        abort(403)
    return _me()


@bp.route("/annual")
@role_required(*MUNICIPAL)
def annual_home():
    """The report on last year (the one due this year)."""
    return redirect(url_for(".annual", year=queries.today().year - 1))


def _render_annual(year: int, status: int = 200, narrative_form=None, transition_form=None):
    user = _municipal_user()
    muni = queries.municipality_of(user)
    report = queries.report_for(muni.id, year)
    doc = exports.display(report, muni, year)
    if narrative_form is None and report is not None:
        narrative_form = NarrativeForm(obj=report, formdata=None)
        narrative_form.version.data = report.version
    editable = report is not None and report.status == "draft" and user.has_role(
        Role.COORDINATOR)
    triggers = ops.allowed_triggers(user, report) if report is not None else []
    return render_template(
        "reports/annual.html", year=year, report=report, doc=doc,
        rows=exports.section_rows(doc), titles=exports.section_titles(),
        chart=exports.risk_chart_svg(doc), narrative_form=narrative_form, editable=editable,
        triggers=triggers, trigger_labels=annual_report.TRIGGER_LABELS,
        comment_required=annual_report.COMMENT_REQUIRED,
        transition_form=transition_form or TransitionForm(formdata=None),
        button=ButtonForm(formdata=None), may_start=user.has_role(Role.COORDINATOR),
        formats=exports.FORMATS), status


@bp.route("/annual/<int:year>")
@role_required(*MUNICIPAL)
def annual(year: int):
    """The report on ``year``: figures (live for drafts, frozen once submitted) and section D."""
    return _render_annual(year)


@bp.route("/annual/<int:year>/start", methods=["POST"])
@role_required(Role.COORDINATOR)
def annual_start(year: int):
    """The coordinator starts the draft."""
    user = _municipal_user()
    if not ButtonForm().validate():
        abort(400)
    try:
        ops.start_report(user, year)
    except AccessRefused:
        db.session.rollback()
        abort(403)
    except OperationRefused as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
        return redirect(url_for(".annual", year=year))
    db.session.commit()
    flash(_("The draft of the annual report has been started."), "success")
    return redirect(url_for(".annual", year=year))


@bp.route("/annual/<int:year>/narrative", methods=["POST"])
@role_required(Role.COORDINATOR)
def annual_narrative(year: int):
    """Save section D. Browsers are redirected; JSON clients (an autosave) get the new version,
    and a stale version answers 409 either way, with the text kept."""
    user = _municipal_user()
    report = queries.report_for(user.municipality_id, year)
    if report is None:
        abort(404)
    form = NarrativeForm()
    if not form.validate():
        if wants_json():
            return jsonify({"errors": form.errors}), 400
        return _render_annual(year, 400, narrative_form=form)
    values = {name: getattr(form, name).data for name in ops.NARRATIVE_FIELDS}
    try:
        ops.save_narrative(user, report, values, expected_version=form.version.data or "")
        db.session.commit()
    except AccessRefused:
        db.session.rollback()
        abort(403)
    except (Stale, StaleDataError) as stale:
        db.session.rollback()
        current = queries.report_for(user.municipality_id, year)
        if wants_json():
            return jsonify({"error": stale_message(stale, current),
                            "version": current.version}), 409
        return stale_page(lambda: current, lambda _found, status, _f: _render_annual(
            year, status), form, stale)
    except OperationRefused as refused:
        db.session.rollback()
        if wants_json():
            return jsonify({"error": str(refused.message)}), 400
        flash(str(refused.message), "error")
        return _render_annual(year, 400, narrative_form=form)
    if wants_json():
        return jsonify({"version": report.version, "saved": True})
    flash(_("Saved."), "success")
    return redirect(url_for(".annual", year=year))


@bp.route("/annual/<int:year>/transition", methods=["POST"])
@role_required(*MUNICIPAL)
def annual_transition(year: int):
    """A lifecycle step of the municipality: for review, send back, approve, submit, rework."""
    user = _municipal_user()
    report = queries.report_for(user.municipality_id, year)
    if report is None:
        abort(404)
    form = TransitionForm()
    if not form.validate() or form.trigger.data in ("return_report", "accept"):
        abort(400)

    def action(found, f):
        ops.transition(user, found, f.trigger.data, comment=f.comment.data,
                       expected_version=f.version.data)
        return found

    return post_change(
        lambda: queries.report_for(user.municipality_id, year), form, action,
        lambda _found, status, f: _render_annual(year, status, transition_form=f),
        success_url=lambda *_ignored: url_for(".annual", year=year),
        done=lambda found: _("The report is now: %(status)s.",
                             status=exports.status_label(found.status)))


def _send(doc: dict, fmt: str) -> Response:
    body = exports.export(doc, fmt)
    return Response(body, mimetype=exports.FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{exports.file_name(doc, fmt)}"'})


@bp.route("/annual/<int:year>/export.<fmt>")
@role_required(*MUNICIPAL)
def annual_export(year: int, fmt: str):
    """The municipality's report as PDF, XLSX or JSON (the draft's figures as they stand)."""
    if fmt not in exports.FORMATS:
        abort(404)
    user = _municipal_user()
    muni = queries.municipality_of(user)
    report = queries.report_for(muni.id, year)
    doc = exports.display(report, muni, year)
    ops.record_export(user, report, muni, fmt)
    db.session.commit()
    return _send(doc, fmt)


# -- the authority ----------------------------------------------------------------------------
def _inspector() -> User:
    if not ops.is_inspector(_me()):
        abort(403)
    return _me()


@bp.route("/municipalities")
@role_required(Role.INSPECTOR)
def municipalities():
    """Every municipality with the status of its report on the year (default: last year)."""
    _inspector()
    year = _year_arg(queries.today().year - 1)
    rows = queries.statuses_for_year(year)
    return render_template("reports/municipalities.html", year=year, rows=rows,
                           overdue_from=queries.annual_report_overdue_from(year))


@bp.route("/municipalities/<atvk>/<int:year>")
@role_required(Role.INSPECTOR)
def submitted(atvk: str, year: int):
    """A submitted (returned, accepted) report: the frozen snapshot and section D."""
    user = _inspector()
    report = queries.submitted_report_or_404(user, atvk, year)
    return _render_submitted(report)


def _render_submitted(report, status: int = 200, form=None):
    doc = exports.display(report, report.municipality, report.year)
    triggers = ops.allowed_triggers(_me(), report)
    return render_template(
        "reports/submitted.html", report=report, doc=doc, rows=exports.section_rows(doc),
        titles=exports.section_titles(), chart=exports.risk_chart_svg(doc), triggers=triggers,
        trigger_labels=annual_report.TRIGGER_LABELS, form=form or TransitionForm(formdata=None),
        formats=exports.FORMATS), status


@bp.route("/municipalities/<atvk>/<int:year>/review", methods=["POST"])
@role_required(Role.INSPECTOR)
def review(atvk: str, year: int):
    """Return the report with a comment, or accept it."""
    user = _inspector()
    queries.submitted_report_or_404(user, atvk, year)  # 404 before 400
    form = TransitionForm()
    if not form.validate() or form.trigger.data not in ("return_report", "accept"):
        abort(400)

    def action(found, f):
        ops.transition(user, found, f.trigger.data, comment=f.comment.data,
                       expected_version=f.version.data)
        return found

    return post_change(
        lambda: queries.submitted_report_or_404(user, atvk, year), form, action,
        lambda found, status, f: _render_submitted(found, status, f),
        success_url=lambda *_ignored: url_for(".municipalities", year=year),
        done=lambda found: _("The report is now: %(status)s.",
                             status=exports.status_label(found.status)))


@bp.route("/municipalities/<atvk>/<int:year>/export.<fmt>")
@role_required(Role.INSPECTOR)
def submitted_export(atvk: str, year: int, fmt: str):
    """A submitted report as PDF, XLSX or JSON."""
    if fmt not in exports.FORMATS:
        abort(404)
    user = _inspector()
    report = queries.submitted_report_or_404(user, atvk, year)
    doc = exports.display(report, report.municipality, report.year)
    ops.record_export(user, report, report.municipality, fmt)
    db.session.commit()
    return _send(doc, fmt)


@bp.route("/national")
@role_required(Role.INSPECTOR)
def national():
    """Key figures of every submitted or accepted report and the national total."""
    _inspector()
    year = _year_arg(queries.today().year - 1)
    per, totals = exports.national_shown(*queries.national_aggregate(year))
    return render_template("reports/national.html", year=year, per=per, totals=totals,
                           labels=exports.aggregate_labels(), note=exports.suppression_note())


@bp.route("/national.csv")
@role_required(Role.INSPECTOR)
def national_csv():
    """The national aggregate as CSV."""
    _inspector()
    year = _year_arg(queries.today().year - 1)
    per, totals = queries.national_aggregate(year)
    body = exports.aggregate_csv(per, totals)
    record("national_aggregate_exported", None, user=_me(), municipality_id=None,
           details={"year": year, "rows": len(per)})
    db.session.commit()
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="gada-parskati-{year}.csv"'})


@bp.route("/")
@login_required
def index():
    """Where "reports" leads each role."""
    if ops.is_inspector(_me()):
        return redirect(url_for(".municipalities"))
    if ops.may_read_municipal(_me()):
        return redirect(url_for(".annual_home"))
    abort(403)
