"""The annual report as PDF (WeasyPrint), XLSX (openpyxl, one sheet per section) and JSON, and
the national aggregate as CSV.

Every format renders the output of `casework.reports.schemas.dump`, where small counts are
already "<3"; the figures are sections A–C (snapshot once submitted) and section D's text. No
format carries a name or a personal code: the indicators hold none, the coordinator is named by
institution only.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, render_template
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from casework.auth.models import ROLE_LABELS, Role
from casework.cases.models import CATEGORY_LABELS, Category
from casework.db_types import utcnow
from casework.orgs.models import INSTITUTION_KIND_LABELS, InstitutionKind, Municipality
from casework.reports import disclosure, operations, schemas
from casework.reports.models import AnnualReport
from casework.spreadsheet import safe_row
from workflows import annual_report, case_lifecycle, pick_label, risk_profile

FORMATS = {"pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "json": "application/json"}
RISK_FILL = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}
#: Statuses in which the report is an official document (no DRAFT watermark).
OFFICIAL = ("submitted", "accepted")


def risk_letter(risk: str) -> str:
    """The letter a chart segment carries, in the document's language."""
    if _locale().startswith("lv"):
        return {"green": "Z", "yellow": "Dz", "red": "S"}[risk]
    return {"green": "G", "yellow": "Y", "red": "R"}[risk]


def _locale() -> str:
    return str(get_locale() or "lv")


def build_document(report: AnnualReport | None, municipality: Municipality, year: int) -> dict:
    """The exact document (before suppression): figures, narrative and status."""
    figs = operations.figures(report, municipality, year)
    narrative = {name: getattr(report, name) if report is not None else None
                 for name in operations.NARRATIVE_FIELDS}
    return {
        "schema_version": figs.get("schema_version"),
        "municipality": municipality.name,
        "atvk_code": municipality.atvk_code,
        "year": year,
        "recipient": current_app.config["REPORT_RECIPIENT"],
        "status": report.status if report is not None else "not_started",
        "figures_frozen": bool(report is not None and report.status in operations.FROZEN),
        "computed_at": figs.get("computed_at"),
        "submitted_at": report.submitted_at.isoformat()
        if report is not None and report.submitted_at else None,
        "requisites": requisites(report),
        "sections": {"A": figs["A"], "B": figs["B"], "C": figs["C"], "D": narrative},
    }


def _official(user, role: str) -> dict | None:
    """An official of the municipality as a requisite: the role in which they acted and their
    institution (the report names no person), and the work e-mail to contact."""
    if user is None:
        return None
    return {"role": role, "institution": user.institution.name if user.institution else None,
            "email": user.email}


def requisites(report: AnnualReport | None) -> dict:
    """The requisites of the report as a document: its date (of submission, else of making),
    who prepared, approved and submitted it and when, and whom to contact (the submitter,
    else the preparer). The registration number is a field the document system fills in."""
    if report is None:
        return {"date": utcnow().date().isoformat(), "prepared_by": None, "approved_by": None,
                "approved_at": None, "submitted_by": None, "submitted_at": None,
                "contact": None}
    from workflows.policy import local_date

    def local_day(moment: datetime | None) -> str | None:
        return local_date(moment).isoformat() if moment else None

    coordinator, head = Role.COORDINATOR.value, Role.HEAD_OF_SERVICE.value
    return {
        "date": local_day(report.submitted_at) or local_date(utcnow()).isoformat(),
        "prepared_by": _official(report.prepared_by, coordinator),
        "approved_by": _official(report.approved_by, head),
        "approved_at": local_day(report.approved_at),
        "submitted_by": _official(report.submitted_by, coordinator),
        "submitted_at": local_day(report.submitted_at),
        "contact": _official(report.submitted_by or report.prepared_by, coordinator),
    }


def display(report: AnnualReport | None, municipality: Municipality, year: int) -> dict:
    """The document as every format shows it (small counts suppressed)."""
    return schemas.dump(build_document(report, municipality, year))


# -- formatting (decimal commas, dd.mm.yyyy, glossary order) ---------------------------------
@dataclass(frozen=True)
class Ratio:
    """A share: ``{"count", "base", "percent"}`` as the suppression rule left it."""

    value: dict | None


@dataclass(frozen=True)
class Pair:
    """A part of a whole, e.g. attended of invited."""

    part: object
    whole: object


@dataclass(frozen=True)
class Dates:
    """A list of ISO dates."""

    days: list


def number_text(v) -> str:
    """A number in the reader's language: "2,5" in Latvian; "<3" and "x" as they are."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return str(v)
    return format_decimal(v, format="#,##0.##")


def day_text(iso: str) -> str:
    """An ISO date as dd.mm.yyyy."""
    try:
        return date.fromisoformat(iso).strftime("%d.%m.%Y")
    except (TypeError, ValueError):
        return str(iso)


def ordered(counts: dict, order) -> list[tuple[str, object]]:
    """The items of ``counts`` in the glossary's order (the enum's), unknown keys last."""
    order = [str(k) for k in order]
    rank = {k: i for i, k in enumerate(order)}
    return sorted(counts.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))


def shown(value) -> str:
    """A row's value as the page and the PDF show it."""
    if value is None:
        return "—"
    if isinstance(value, Ratio):
        return _ratio(value.value)
    if isinstance(value, Pair):
        return f"{number_text(value.part)} / {number_text(value.whole)}"
    if isinstance(value, Dates):
        return ", ".join(day_text(d) for d in value.days) if value.days else "—"
    if isinstance(value, list):
        return ", ".join(str(x) for x in value) if value else "—"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_text(value)
    return str(value)


# -- labels and rows --------------------------------------------------------------------------
def _kind(value: str) -> str:
    label = INSTITUTION_KIND_LABELS.get(value)
    return str(label) if label is not None else value


def _category(value: str) -> str:
    label = CATEGORY_LABELS.get(value)
    return str(label) if label is not None else value


def _risk(value: str) -> str:
    return pick_label(risk_profile.RISK_LABELS.get(value, value),
                      _locale())


def _reason(value: str) -> str:
    return pick_label(case_lifecycle.CLOSURE_REASONS.get(value, value),
                      _locale())


def status_label(status: str) -> str:
    """A report status (or "not_started", "overdue") in the user's language."""
    if status == "not_started":
        return _("not started")
    if status == "overdue":
        return _("overdue")
    return pick_label(annual_report.STATUS_LABELS.get(status, status),
                      _locale())


def _ratio(value: dict | None) -> str:
    if not value or not value.get("base"):
        return "—"
    percent = value.get("percent")
    percent = percent if disclosure.is_withheld(percent) or percent is None \
        else f"{number_text(percent)} %"
    return _("%(count)s of %(base)s (%(percent)s)", count=number_text(value["count"]),
             base=number_text(value["base"]), percent=percent)


def figure_rows(doc: dict) -> dict[str, list[tuple[str, object]]]:
    """Rows (label, typed value) of sections A–D in the user's language and the glossary's
    order; ``shown`` makes a value text, the XLSX keeps numbers as numbers."""
    a, b, c, d = (doc["sections"][k] for k in "ABCD")
    kinds = list(InstitutionKind)
    rows_a = [
        (_("Municipality"), a["municipality"]),
        (_("ATVK code"), a["atvk_code"]),
        (_("Year"), a["year"]),
        (_("Recipient"), doc["recipient"]),
        (_("Coordinator (institution)"), a["coordinator_institutions"]),
        (_("Strategic groups"), a["strategic_groups"]),
        (_("Members of the strategic groups"), a["members"]),
    ]
    rows_a += [(_("Members from: %(kind)s", kind=_kind(k)), n)
               for k, n in ordered(a["composition"], kinds)]
    rows_a.append((_("Required institutions not represented"),
                   [_kind(k) for k, _n in ordered(dict.fromkeys(a["required_kinds_missing"]),
                                                  kinds)]))
    rows_b = [
        (_("Meetings held"), b["meetings_held"]),
        (_("Dates of the meetings"), Dates(b["meeting_dates"])),
        (_("Supervision sessions"), b["supervision_sessions"]),
        (_("Dates of supervision"), Dates(b["supervision_dates"])),
    ]
    rows_b += [(_("Attended (of invited): %(kind)s", kind=_kind(k)),
                Pair(v["attended"], v["invited"]))
               for k, v in ordered(b["attendance"], kinds)]
    dec = b["decisions"]
    rows_b += [
        (_("Decisions taken"), dec["total"]),
        (_("Decisions executed"), dec["executed"]),
        (_("Decisions in progress"), dec["in_progress"]),
        (_("Decisions not executed"), dec["not_executed"]),
        (_("Decisions without a status change"), dec["pending"]),
        (_("Proposals to the municipality"), b["proposals_municipality"]),
        (_("Proposals at state level"), b["proposals_state"]),
    ]
    cases, closed = c["cases"], c["closed"]
    rows_c = [
        (_("New cases"), cases["new"]),
        (_("Cases carried over from the previous year"), cases["carried_over"]),
        (_("Closed cases reopened in the year"), cases["reopened"]),
        (_("Cases examined"), cases["examined"]),
        (_("Cases closed"), closed["total"]),
    ]
    rows_c += [(_("Closed: %(reason)s", reason=_reason(k)), n)
               for k, n in ordered(closed["by_reason"], case_lifecycle.CLOSURE_REASONS)]
    rows_c.append((_("Interprofessional group meetings held"), c["meetings_held"]))
    rows_c += [(_("Cases by concern: %(category)s", category=_category(k)), n)
               for k, n in ordered(c["by_category"], list(Category))]
    rows_c.append((_("Referrals received"), c["referrals"]["received"]))
    rows_c += [(_("Referrals from: %(kind)s", kind=_kind(k)), n)
               for k, n in ordered(c["referrals"]["by_institution_kind"], kinds)]
    rows_c += [(_("Open cases at year end: %(risk)s", risk=_risk(r)), c["risk_at_year_end"][r])
               for r in ("green", "yellow", "red")]
    tri, red, tasks = c["triage"], c["red_to_meeting"], c["tasks"]
    part = c["client_participation"]
    rows_c += [
        (_("Escalations to red"), c["escalations_to_red"]["events"]),
        (_("Cases escalated to red"), c["escalations_to_red"]["cases"]),
        (_("Referrals triaged"), tri["triaged"]),
        (_("Median working days from referral to triage"), tri["median_working_days"]),
        (_("Referrals triaged within the policy's time"), Ratio(tri["within_policy"])),
        (_("Cases turning red (or opened red)"), red["red_starts"]),
        (_("Median working days from red to the group's first meeting"),
         red["median_working_days"]),
        (_("Group met within the policy's time"), Ratio(red["within_policy"])),
        (_("Tasks issued"), tasks["issued"]),
        (_("Tasks done"), tasks["done"]),
        (_("Tasks done on time"), Ratio(tasks["done_on_time"])),
    ]
    rows_c += [(_("Children aged %(band)s", band=band.replace("-", "–")), n)
               for band, n in c["children_by_age"].items() if band not in ("18+", "unknown")]
    rows_c += [
        (_("Children aged 18 or more"), c["children_by_age"]["18+"]),
        (_("Children of unknown age"), c["children_by_age"]["unknown"]),
        (_("Decisions of interprofessional groups"), part["decisions"]),
        (_("Client informed of the decision"), Ratio(part["informed"])),
        (_("Client's opinion recorded"), Ratio(part["opinion_recorded"])),
    ]
    goals = c.get("plan_goals")
    if goals:
        rows_c += [
            (_("Support-plan goals due or closed in the year"), goals["due_or_closed"]),
            (_("Support-plan goals reached"), Ratio(goals["reached"])),
        ]
    rows_d = [(narrative_label(name), d.get(name) or None)
              for name in operations.NARRATIVE_FIELDS]
    return {"A": rows_a, "B": rows_b, "C": rows_c, "D": rows_d}


def section_rows(doc: dict) -> dict[str, list[tuple[str, str]]]:
    """Rows (label, shown value) of sections A–D, in the user's language."""
    return {key: [(label, shown(value)) for label, value in rows]
            for key, rows in figure_rows(doc).items()}


def section_titles() -> dict[str, str]:
    """The titles of the report's sections."""
    return {"A": _("A. Identification"), "B": _("B. Strategic groups"),
            "C": _("C. Interprofessional work"), "D": _("D. Narrative")}


def sheet_titles() -> dict[str, str]:
    """Worksheet names of the sections (at most 31 characters in either language)."""
    return {"A": _("A. Identification"), "B": _("B. Strategic group work"),
            "C": _("C. Interprofessional work"), "D": _("D. Narrative")}


def narrative_label(name: str) -> str:
    """The label of a narrative field."""
    return {"challenges": _("Challenges"), "directions": _("Directions"),
            "conclusions": _("Conclusions for improving the work"),
            "state_proposals": _("Proposals at state level")}[name]


# -- chart ------------------------------------------------------------------------------------
CHART_WIDTH = 720
BAR_AREA = 300
SUMMARY_X = 360
#: Average advance of DejaVu Sans per font size (wide enough for "Dz", "ž", digits).
CHAR_EM = 0.62


def risk_chart_svg(doc: dict) -> Markup:
    """Open cases by risk colour at the end of each quarter, as an inline SVG drawn here (no
    script). Each segment carries its number and letter, a summary in words stands beside each
    bar and the legend names the colours in the document's language, so the chart does not rely
    on colour alone. Bars are drawn in their own area and the summaries start after it, so no
    label runs past the drawing."""
    quarters = doc["sections"]["C"]["risk_by_quarter"]

    def width(v) -> float:
        return 1.5 if disclosure.is_withheld(v) else float(v or 0)

    widest = max([sum(width(q[r]) for r in RISK_FILL) for q in quarters] + [1.0])
    scale = BAR_AREA / widest
    title = escape(_("Open cases by risk colour at the end of each quarter"))
    height = 10 + len(quarters) * 34 + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{height}" '
             f'viewBox="0 0 {CHART_WIDTH} {height}" role="img" '
             'aria-labelledby="risk-chart-title">',
             f'<title id="risk-chart-title">{title}</title>']
    for i, q in enumerate(quarters):
        y = 10 + i * 34
        name = escape(_("Q%(n)s", n=q["quarter"]))
        parts.append(f'<text x="0" y="{y + 17}" font-size="10">{name}</text>')
        x = 50.0
        for risk, fill in RISK_FILL.items():
            w = width(q[risk]) * scale
            if w <= 0:
                continue
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="24" fill="{fill}" '
                         'stroke="#000" stroke-width="0.5"/>')
            label = f"{risk_letter(risk)} {number_text(q[risk])}"
            if w >= len(label) * 10 * CHAR_EM + 6:
                ink = "#000" if risk == "yellow" else "#fff"
                parts.append(f'<text x="{x + 3:.1f}" y="{y + 16}" font-size="10" fill="{ink}">'
                             f'{escape(label)}</text>')
            x += w
        summary = escape(" · ".join(f"{_risk(r)} {number_text(q[r])}" for r in RISK_FILL))
        parts.append(f'<text x="{SUMMARY_X}" y="{y + 16}" font-size="9">{summary}</text>')
    legend_y = 10 + len(quarters) * 34 + 16
    x = 50
    for risk, fill in RISK_FILL.items():
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{fill}" '
                     'stroke="#000" stroke-width="0.5"/>')
        parts.append(f'<text x="{x + 16}" y="{legend_y}" font-size="10">'
                     f'{escape(risk_letter(risk))} = {escape(_risk(risk))}</text>')
        x += 150
    parts.append("</svg>")
    # Every text above is escaped; the rest is numbers and our own markup.
    return Markup("".join(parts))  # noqa: S704


# -- formats ----------------------------------------------------------------------------------
def suppression_note() -> str:
    """The suppression rule as the report's notes state it."""
    return _("Counts of children, cases and referrals of 1 or 2 are shown as <3 (0 is shown). "
             "Where such counts add up to a total that is shown, one more figure is hidden "
             "(x), so that the total and its other parts do not give the suppressed count "
             "back; a percentage or a median drawn from a hidden count is hidden too. Counts "
             "of groups, members, meetings, decisions, tasks and institutions are shown as "
             "they are. The report contains no personal data of clients.")


def is_draft(doc: dict) -> bool:
    """Anything not submitted to the authority is a draft, and says so on every page."""
    return doc["status"] not in OFFICIAL


def to_json(doc: dict) -> bytes:
    """The JSON export (the schema's output)."""
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def to_pdf(doc: dict) -> bytes:
    """The PDF: requisites, tables of sections A–D, the chart and the notes; PDF/A-3b and
    tagged (as the minutes), in DejaVu Sans (all Latvian letters), "DRAFT" across every page
    of a report not submitted."""
    from weasyprint import HTML

    html = render_template("reports/pdf.html", doc=doc, rows=section_rows(doc),
                           titles=section_titles(), chart=risk_chart_svg(doc),
                           status=status_label(doc["status"]), draft=is_draft(doc),
                           requisites=requisite_rows(doc), note=suppression_note())
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3b", pdf_tags=True)


def sheet_title(text: str) -> str:
    """A worksheet name: at most 31 characters, none of ``[]:*?/\\``."""
    for ch in "[]:*?/\\":
        text = text.replace(ch, " ")
    return " ".join(text.split())[:31].strip()


def _cells(value) -> tuple[list, str | None]:
    """(value, of, share) cells and a note for an XLSX row: numbers as numbers, a withheld
    figure an empty cell with its "<3" or "x" in the note."""
    def num(v):
        return v if isinstance(v, int | float) and not isinstance(v, bool) else None

    if isinstance(value, Ratio):
        r = value.value or {}
        cells = [num(r.get("count")), num(r.get("base")),
                 r["percent"] / 100 if num(r.get("percent")) is not None else None]
        withheld = any(disclosure.is_withheld(r.get(k)) for k in ("count", "base", "percent"))
        return cells, _ratio(r) if withheld else None
    if isinstance(value, Pair):
        withheld = disclosure.is_withheld(value.part) or disclosure.is_withheld(value.whole)
        return [num(value.part), num(value.whole), None], shown(value) if withheld else None
    if disclosure.is_withheld(value):
        return [None, None, None], value
    if isinstance(value, Dates):
        return [len(value.days), None, None], _("dates on the sheet \"%(sheet)s\"",
                                                 sheet=dates_sheet_title())
    if value is None or isinstance(value, list):
        return [shown(value) if value else None, None, None], None
    return [value, None, None], None


def dates_sheet_title() -> str:
    """The worksheet of the meeting dates."""
    return sheet_title(_("Meeting dates"))


def to_xlsx(doc: dict) -> bytes:
    """The workbook: one sheet per section, named after it, with a title row and a frozen
    header; counts, shares and medians are numbers, withheld figures are empty with their
    "<3"/"x" in the note column; meeting dates are date cells on a sheet of their own; the
    last sheet holds the document's requisites and the suppression rule."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    titles = section_titles()
    heading = safe_row([f'{doc["municipality"]} ({doc["atvk_code"]}), {doc["year"]}',
                        status_label(doc["status"])])
    bold = Font(bold=True)
    header = [_("Indicator"), _("Value"), _("Of"), _("Share"), _("Note")]
    for key, rows in figure_rows(doc).items():
        sheet = book.create_sheet(sheet_title(sheet_titles()[key]))
        # Every row goes through safe_row: a narrative or a name starting with "=" is text.
        sheet.append(safe_row([titles[key], *heading]))
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = bold
        sheet["A1"].font = bold
        for label, value in rows:
            cells, note = _cells(value)
            sheet.append(safe_row([label, *cells, note]))
            sheet.cell(row=sheet.max_row, column=4).number_format = "0.0%"
            if key == "D":
                sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(wrap_text=True)
        sheet.freeze_panes = "B3"
        for column, width in zip("ABCDE", (60, 40 if key == "D" else 12, 10, 10, 40),
                                 strict=True):
            sheet.column_dimensions[column].width = width
    _dates_sheet(book, doc)
    _quarters_sheet(book, doc)
    _notes_sheet(book, doc)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _dates_sheet(book, doc: dict) -> None:
    from openpyxl.styles import Font

    sheet = book.create_sheet(dates_sheet_title())
    sheet.append([_("Kind of meeting"), _("Date")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    b = doc["sections"]["B"]
    for kind, days in ((_("regular meeting"), b["meeting_dates"]),
                       (_("supervision"), b["supervision_dates"])):
        for iso in days:
            sheet.append([kind, date.fromisoformat(iso)])
            sheet.cell(row=sheet.max_row, column=2).number_format = "DD.MM.YYYY"
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 14


def _quarters_sheet(book, doc: dict) -> None:
    from openpyxl.styles import Font

    sheet = book.create_sheet(sheet_title(_("Open cases by risk per quarter")))
    sheet.append([_("Quarter"), *(_risk(r) for r in RISK_FILL), _("Note")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for q in doc["sections"]["C"]["risk_by_quarter"]:
        values = [q[r] for r in RISK_FILL]
        withheld = [f"{_risk(r)} {q[r]}" for r in RISK_FILL if disclosure.is_withheld(q[r])]
        sheet.append(safe_row([_("Q%(n)s", n=q["quarter"]),
                               *(None if disclosure.is_withheld(v) else v for v in values),
                               "; ".join(withheld) or None]))
    sheet.freeze_panes = "B2"


def _notes_sheet(book, doc: dict) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet(sheet_title(_("Document and notes")))
    sheet.append([_("Requisite"), _("Value")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for label, value in requisite_rows(doc):
        sheet.append(safe_row([label, value]))
    sheet.append(safe_row([_("Notes"), suppression_note()]))
    sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(wrap_text=True)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 90


def requisite_rows(doc: dict) -> list[tuple[str, str]]:
    """The requisites as (label, text) rows, dates dd.mm.yyyy."""
    req = doc.get("requisites") or {}

    def person(p) -> str:
        if not p:
            return "—"
        role = ROLE_LABELS.get(p.get("role"))
        return ", ".join(str(x) for x in (role, p.get("institution")) if x)

    def when(iso) -> str:
        return day_text(iso) if iso else "—"

    contact = req.get("contact") or {}
    return [
        (_("Date of the document"), when(req.get("date"))),
        (_("Reg. No."), "________"),
        (_("Status"), status_label(doc["status"])),
        (_("Prepared by"), person(req.get("prepared_by"))),
        (_("Approved by"), person(req.get("approved_by"))),
        (_("Approved on"), when(req.get("approved_at"))),
        (_("Submitted by"), person(req.get("submitted_by"))),
        (_("Submitted on"), when(req.get("submitted_at"))),
        (_("Contact"), ", ".join(x for x in (contact.get("institution"), contact.get("email"))
                                 if x) or "—"),
        (_("Recipient"), doc["recipient"]),
    ]


def export(doc: dict, fmt: str) -> bytes:
    """The report in ``fmt`` (pdf, xlsx or json)."""
    return {"pdf": to_pdf, "xlsx": to_xlsx, "json": to_json}[fmt](doc)


def file_name(doc: dict, fmt: str) -> str:
    """e.g. ``gada-parskats-0999001-2026.pdf``."""
    return f"gada-parskats-{doc['atvk_code']}-{doc['year']}.{fmt}"


def aggregate_labels() -> dict[str, str]:
    """Column titles of the national aggregate."""
    return {
        "strategic_meetings": _("Strategic group meetings"),
        "supervision_sessions": _("Supervision sessions"),
        "strategic_decisions": _("Decisions taken"),
        "proposals_state": _("Proposals at state level"),
        "cases_new": _("New cases"),
        "cases_carried_over": _("Cases carried over from the previous year"),
        "cases_examined": _("Cases examined"),
        "cases_closed": _("Cases closed"),
        "interprofessional_meetings": _("Interprofessional group meetings held"),
        "escalations_to_red": _("Escalations to red"),
        "red_at_year_end": _("Red cases at year end"),
        "tasks_issued": _("Tasks issued"),
        "tasks_done_on_time": _("Tasks done on time"),
    }


def national_shown(per, totals) -> tuple[list, dict]:
    """The national aggregate under the suppression rule (``disclosure.protect_national``)."""
    return disclosure.protect_national(per, totals)


def aggregate_csv(per, totals) -> bytes:
    """The national aggregate as CSV for spreadsheets, like the decisions CSV: UTF-8 with a
    BOM, ``;`` between cells. Numbers are plain numbers; a withheld figure leaves its cell
    empty and is named with its "<3" or "x" in the last column, so every figure column stays
    numeric."""
    labels = aggregate_labels()
    per, totals = national_shown(per, totals)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(safe_row([_("Municipality"), _("ATVK code"), *labels.values(),
                              _("Note")]))

    def row(name, code, figs):
        cells = ["" if disclosure.is_withheld(figs[k]) else figs[k] for k in labels]
        note = "; ".join(f"{text}: {figs[k]}" for k, text in labels.items()
                         if disclosure.is_withheld(figs[k]))
        return safe_row([name, code, *cells, note])

    for muni, figs in per:
        writer.writerow(row(muni.name, muni.atvk_code, figs))
    writer.writerow(row(_("Total"), "", totals))
    writer.writerow(safe_row([_("Notes"), "", *([""] * len(labels)), suppression_note()]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
