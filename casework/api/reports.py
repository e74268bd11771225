"""API endpoints of annual reports (read, JSON export) and the authority's overview: the same
queries, access rules and audit events as the report pages. No person's name leaves here."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from casework.api import schemas as s
from casework.api.core import endpoint, etag, load_query, page_of
from casework.reports import exports, queries
from casework.reports import operations as ops
from casework.reports.models import AnnualReport
from casework.reports.schemas import AnnualReportExport

TAG = "annual reports"


def _me():
    return current_user._get_current_object()


def _municipal():
    if not ops.may_read_municipal(_me()):
        abort(403)
    return _me()


@endpoint("/reports", summary="Your municipality's annual reports (coordinators, heads of "
          "service)", tag=TAG, query=s.ReportQuery,
          response=s.page_schema(s.AnnualReport, "ReportPage"), paginated=True,
          errors=(400, 403))
def reports():
    user = _municipal()
    stmt = select(AnnualReport).where(AnnualReport.municipality_id == user.municipality_id)
    return page_of(stmt, AnnualReport.id, load_query(s.ReportQuery)), \
        s.page_schema(s.AnnualReport, "ReportPage")()


def _report(year: int) -> AnnualReport:
    user = _municipal()
    found = queries.report_for(user.municipality_id, year)
    if found is None:
        abort(404)
    return found


@endpoint("/reports/<int:year>", summary="The annual report on a year", tag=TAG,
          response=s.AnnualReport, etag=True, errors=(400, 403, 404))
def report(year: int):
    found = _report(year)
    return found, s.AnnualReport(), etag(found)


@endpoint("/reports/<int:year>/export", summary="The report as the versioned JSON export "
          "(small counts as \"<3\"; the export is in the audit log)", tag=TAG,
          response=AnnualReportExport, errors=(400, 403))
def report_export(year: int):
    user = _municipal()
    muni = queries.municipality_of(user)
    found = queries.report_for(muni.id, year)
    doc = exports.display(found, muni, year)
    ops.record_export(user, found, muni, "json")
    return doc, None


# -- the authority ----------------------------------------------------------------------------
def _inspector():
    if not ops.is_inspector(_me()):
        abort(403)
    return _me()


@endpoint("/inspector/overview", summary="Every municipality's report status on a year "
          "(inspectors; default last year)", tag="inspector", query=s.YearQuery,
          response=s.Overview, errors=(400, 403))
def inspector_overview():
    _inspector()
    year = load_query(s.YearQuery).get("year") or queries.today().year - 1
    rows = queries.statuses_for_year(year)
    return {"year": year, "municipalities": [_status_row(r) for r in rows]}, None


def _status_row(row) -> dict:
    return {"name": row.municipality.name, "atvk_code": row.municipality.atvk_code,
            "status": row.shown,
            "submitted_at": row.report.submitted_at.isoformat()
            if row.report is not None and row.report.submitted_at else None}


def _submitted(atvk: str, year: int) -> AnnualReport:
    return queries.submitted_report_or_404(_inspector(), atvk, year)


@endpoint("/inspector/reports/<atvk>/<int:year>", summary="A submitted report (inspectors)",
          tag="inspector", response=s.AnnualReport, etag=True, errors=(400, 403, 404))
def inspector_report(atvk: str, year: int):
    found = _submitted(atvk, year)
    return found, s.AnnualReport(), etag(found)


@endpoint("/inspector/reports/<atvk>/<int:year>/export", summary="A submitted report as the "
          "JSON export (inspectors; in the audit log)", tag="inspector",
          response=AnnualReportExport, errors=(400, 403, 404))
def inspector_report_export(atvk: str, year: int):
    found = _submitted(atvk, year)
    doc = exports.display(found, found.municipality, found.year)
    ops.record_export(_me(), found, found.municipality, "json")
    return doc, None
