"""The audit log for the municipality's data protection officer, and "who has seen this case"
for the case's manager, their head of service and the data protection officer."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

from flask import (
    Blueprint,
    Response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required

from casework.access import role_required
from casework.audit import labels, queries
from casework.audit.operations import (
    chain_head,
    check_chain,
    parse_anchors,
    record,
    record_read,
)
from casework.audit.readable import readable, user_names
from casework.auth.models import Role
from casework.extensions import db
from casework.inputs import date_in_range
from casework.spreadsheet import safe_row

bp = Blueprint("audit", __name__, url_prefix="/audit")

PER_PAGE = queries.PER_PAGE
#: Rows read and written per step of a CSV export (one look-up of names per step).
EXPORT_BATCH = 1000
_ACTION = re.compile(r"[a-z][a-z0-9_]{0,63}")
_FILTER_NAMES = ("user", "user_id", "case", "action", "from", "to", "flagged", "sort")


def _me():
    return current_user._get_current_object()


def _date_arg(name: str, errors: list[str]) -> date | None:
    raw = (request.args.get(name) or "").strip()[:20]
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            value = datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if date_in_range(value):
            return value
        break
    errors.append(_("The date %(value)s is not valid; write it as dd.mm.yyyy.", value=raw))
    return None


def _filters() -> tuple[queries.AuditFilters, list[str]]:
    """The list's filters from the query string; what cannot be read is left out, with a
    message."""
    args, errors = request.args, []
    action = (args.get("action") or "").strip()
    filters = queries.AuditFilters(
        user=(args.get("user") or "").strip()[:200] or None,
        user_id=args.get("user_id", type=int) or None,
        case_number=(args.get("case") or "").strip()[:32] or None,
        action=action if _ACTION.fullmatch(action) else None,
        date_from=_date_arg("from", errors),
        date_to=_date_arg("to", errors),
        flagged=args.get("flagged") == "1",
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors.append(_("The first date is after the last one."))
    return filters, errors


def _sort() -> str:
    sort = request.args.get("sort") or queries.DEFAULT_SORT
    return sort if sort in queries.SORTS else queries.DEFAULT_SORT


def _kept_args() -> dict:
    """The filters and sort of this request, for links to other pages and the export (an
    unknown sort is left out: the links then carry the default order the page shows)."""
    kept = {k: v for k in _FILTER_NAMES if (v := request.args.get(k))}
    if kept.get("sort") not in queries.SORTS:
        kept.pop("sort", None)
    return kept


def _action_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in labels.ACTION_LABELS.items()),
                  key=lambda pair: pair[1].lower())


@bp.route("/")
@role_required(Role.AUDITOR)
def events():
    """The municipality's audit log in words: filters by user, case number, action, dates
    and "flagged"; sorted by time, action, user (by name) or object; paged by keyset."""
    me = _me()
    filters, errors = _filters()
    sort = _sort()
    stmt = queries.audit_events_of(me, filters)
    page = queries.keyset_page(stmt, sort=sort, after=request.args.get("after", type=int),
                               before=request.args.get("before", type=int))
    case_unknown = bool(filters.case_number) and filters.case_id is None
    return render_template(
        "audit/events.html", page=page, rows=readable(page.items, me.municipality_id),
        filters=filters, errors=errors, sort=sort, kept=_kept_args(),
        actions=_action_choices(), case_unknown=case_unknown)


@bp.route("/events.csv")
@role_required(Role.AUDITOR)
def events_csv():
    """The filtered log as CSV (UTF-8 with BOM, ``;``, formula-safe cells); the export
    itself is in the log, with its filters as codes."""
    me = _me()
    filters, _errors = _filters()
    sort = _sort()
    stmt = queries.audit_events_of(me, filters)
    record("audit_log_exported", None, user=me, details={"format": "csv", **filters.codes()})
    db.session.commit()
    municipality_id = me.municipality_id
    header = [_("Time"), _("User"), _("IP address"), _("Action"), _("Read or change"),
              _("Object"), _("Case"), _("Details"), _("Flagged")]

    def generate():
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        out.write("\ufeff")
        writer.writerow(safe_row(header))
        after = None
        while True:
            page = queries.keyset_page(stmt, sort=sort, after=after, per_page=EXPORT_BATCH)
            for row in readable(page.items, municipality_id):
                e = row.event
                writer.writerow(safe_row([
                    format_datetime(e.at, "dd.MM.yyyy HH:mm:ss"), row.who, e.ip or "",
                    row.action, _("read") if row.is_read else _("change"),
                    f"{row.object_kind} {row.object_text}".strip(),
                    row.case_number,
                    row.details, _("yes") if e.flagged else ""]))
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            if page.older is None:
                return
            after = page.older
            db.session.expunge_all()

    return Response(stream_with_context(generate()), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="audit-log.csv"'})


@bp.route("/cases")
@role_required(Role.AUDITOR)
def case_lookup():
    """The data protection officer finds a case of the municipality by its number and goes
    to the list of who has seen it."""
    number = (request.args.get("number") or "").strip()[:32]
    found = queries.case_by_number(_me().municipality_id, number) if number else None
    if found is not None:
        return redirect(url_for(".case_access", case_id=found.id))
    return redirect(url_for(".events", case=number or None))


@bp.route("/cases/<int:case_id>")
@login_required
def case_access(case_id: int):
    """Who has seen this case: every read and change of the case and of what belongs to it,
    by whom and when, and per person the first and last time. For the case manager, the
    head of the social service that owns the case and the data protection officer; 404 for
    everyone else."""
    me = _me()
    case = queries.get_access_log_case_or_404(case_id, me)
    record_read("case_access_log_viewed", case, user=me)
    stmt = queries.case_events(case)
    page = queries.keyset_page(stmt, sort=queries.DEFAULT_SORT,
                               after=request.args.get("after", type=int),
                               before=request.args.get("before", type=int))
    rows = readable(page.items, case.municipality_id)
    readers = queries.case_readers(case)
    names = user_names(case.municipality_id, [r.user_id for r in readers])
    summary = [(names.get(r.user_id) or (_("user no. %(id)s", id=r.user_id) if r.user_id
                                         else _("system")), r.events, r.first_at, r.last_at)
               for r in readers]
    page_html = render_template("audit/case_access.html", case=case, page=page, rows=rows,
                                summary=summary, is_auditor=me.has_role(Role.AUDITOR))
    db.session.commit()
    return page_html


@bp.route("/verify")
@role_required(Role.AUDITOR)
def verify():
    """Recompute the hash chain of the whole log and say whether it is intact; with
    ``?anchor=<id>:<hash>`` (written down earlier) also whether the log still reaches it
    unchanged. Shows the current head, to be written down as the next anchor."""
    given = (request.args.get("anchor") or "").strip()[:2000]
    anchors = parse_anchors(given)
    problem = check_chain(anchors)
    return render_template("audit/verify.html", problem=problem,
                           broken_at=problem.event_id if problem else None,
                           anchor=given, anchors=anchors, head=chain_head())
