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

from flask import current_app, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from openpyxl import Workbook
from openpyxl.styles import Font

from casework.cases.models import CATEGORY_LABELS
from casework.orgs.models import INSTITUTION_KIND_LABELS, Municipality
from casework.reports import operations, schemas
from casework.reports.models import AnnualReport
from casework.spreadsheet import safe_row
from workflows import annual_report, case_lifecycle, pick_label, risk_profile

FORMATS = {"pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "json": "application/json"}
RISK_FILL = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}
RISK_LETTER = {"green": "Z", "yellow": "Dz", "red": "S"}


def suppress(n):
    """A count as it may be shown anywhere: 1 and 2 become "<3"."""
    return schemas.suppress(n)


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
        "sections": {"A": figs["A"], "B": figs["B"], "C": figs["C"], "D": narrative},
    }


def display(report: AnnualReport | None, municipality: Municipality, year: int) -> dict:
    """The document as every format shows it (small counts suppressed)."""
    return schemas.dump(build_document(report, municipality, year))


# -- labels and rows --------------------------------------------------------------------------
def _kind(value: str) -> str:
    label = INSTITUTION_KIND_LABELS.get(value)
    return str(label) if label is not None else value


def _category(value: str) -> str:
    label = CATEGORY_LABELS.get(value)
    return str(label) if label is not None else value


def _risk(value: str) -> str:
    return pick_label(risk_profile.RISK_LABELS.get(value, {"lv": value, "en": value}),
                      _locale())


def _reason(value: str) -> str:
    return pick_label(case_lifecycle.CLOSURE_REASONS.get(value, {"lv": value, "en": value}),
                      _locale())


def status_label(status: str) -> str:
    """A report status (or "not_started", "overdue") in the user's language."""
    if status == "not_started":
        return _("not started")
    if status == "overdue":
        return _("overdue")
    return pick_label(annual_report.STATUS_LABELS.get(status, {"lv": status, "en": status}),
                      _locale())


def _ratio(value: dict | None) -> str:
    if not value or not value.get("base"):
        return "—"
    percent = value.get("percent")
    percent = "<3" if percent == "<3" else f"{percent} %"
    return _("%(count)s of %(base)s (%(percent)s)", count=value["count"], base=value["base"],
             percent=percent)


def _value(v) -> object:
    if v is None:
        return "—"
    if isinstance(v, list):
        return ", ".join(str(x) for x in v) if v else "—"
    return v


def section_rows(doc: dict) -> dict[str, list[tuple[str, object]]]:
    """Rows (label, shown value) of sections A–D, in the user's language."""
    a, b, c, d = (doc["sections"][k] for k in "ABCD")
    rows_a = [
        (_("Municipality"), a["municipality"]),
        (_("ATVK code"), a["atvk_code"]),
        (_("Year"), a["year"]),
        (_("Recipient"), doc["recipient"]),
        (_("Coordinator (institution)"), _value(a["coordinator_institutions"])),
        (_("Strategic groups"), a["strategic_groups"]),
        (_("Members of the strategic groups"), a["members"]),
    ]
    rows_a += [(_("Members from: %(kind)s", kind=_kind(k)), n)
               for k, n in sorted(a["composition"].items())]
    rows_a.append((_("Required institutions not represented"),
                   _value([_kind(k) for k in a["required_kinds_missing"]])))
    rows_b = [
        (_("Meetings held"), b["meetings_held"]),
        (_("Dates of the meetings"), _value(b["meeting_dates"])),
        (_("Supervision sessions"), b["supervision_sessions"]),
        (_("Dates of supervision"), _value(b["supervision_dates"])),
    ]
    rows_b += [(_("Attended (of invited): %(kind)s", kind=_kind(k)),
                f"{v['attended']} / {v['invited']}")
               for k, v in sorted(b["attendance"].items())]
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
               for k, n in sorted(closed["by_reason"].items())]
    rows_c.append((_("Interprofessional group meetings held"), c["meetings_held"]))
    rows_c += [(_("Cases by concern: %(category)s", category=_category(k)), n)
               for k, n in sorted(c["by_category"].items())]
    rows_c.append((_("Referrals received"), c["referrals"]["received"]))
    rows_c += [(_("Referrals from: %(kind)s", kind=_kind(k)), n)
               for k, n in sorted(c["referrals"]["by_institution_kind"].items())]
    rows_c += [(_("Open cases at year end: %(risk)s", risk=_risk(r)), c["risk_at_year_end"][r])
               for r in ("green", "yellow", "red")]
    tri, red, tasks = c["triage"], c["red_to_meeting"], c["tasks"]
    part = c["client_participation"]
    rows_c += [
        (_("Escalations to red"), c["escalations_to_red"]["events"]),
        (_("Cases escalated to red"), c["escalations_to_red"]["cases"]),
        (_("Referrals triaged"), tri["triaged"]),
        (_("Median working days from referral to triage"), _value(tri["median_working_days"])),
        (_("Referrals triaged within the policy's time"), _ratio(tri["within_policy"])),
        (_("Cases turning red (or opened red)"), red["red_starts"]),
        (_("Median working days from red to the group's first meeting"),
         _value(red["median_working_days"])),
        (_("Group met within the policy's time"), _ratio(red["within_policy"])),
        (_("Tasks issued"), tasks["issued"]),
        (_("Tasks done"), tasks["done"]),
        (_("Tasks done on time"), _ratio(tasks["done_on_time"])),
    ]
    rows_c += [(_("Children aged %(band)s", band=band.replace("-", "–")), n)
               for band, n in c["children_by_age"].items() if band not in ("18+", "unknown")]
    rows_c += [
        (_("Children aged 18 or more"), c["children_by_age"]["18+"]),
        (_("Children of unknown age"), c["children_by_age"]["unknown"]),
        (_("Decisions of interprofessional groups"), part["decisions"]),
        (_("Client informed of the decision"), _ratio(part["informed"])),
        (_("Client's opinion recorded"), _ratio(part["opinion_recorded"])),
    ]
    goals = c.get("plan_goals")
    if goals:
        rows_c += [
            (_("Support-plan goals due or closed in the year"), goals["due_or_closed"]),
            (_("Support-plan goals reached"), _ratio(goals["reached"])),
        ]
    rows_d = [(narrative_label(name), d.get(name) or "—")
              for name in operations.NARRATIVE_FIELDS]
    return {"A": rows_a, "B": rows_b, "C": rows_c, "D": rows_d}


def section_titles() -> dict[str, str]:
    """The titles of the report's sections."""
    return {"A": _("A. Identification"), "B": _("B. Strategic groups"),
            "C": _("C. Interprofessional work"), "D": _("D. Narrative")}


def narrative_label(name: str) -> str:
    """The label of a narrative field."""
    return {"challenges": _("Challenges"), "directions": _("Directions"),
            "conclusions": _("Conclusions for improving the work"),
            "state_proposals": _("Proposals at state level")}[name]


# -- chart ------------------------------------------------------------------------------------
def risk_chart_svg(doc: dict) -> Markup:
    """Open cases by risk colour at the end of each quarter, as an inline SVG drawn here (no
    script). Each segment carries its number and letter, and the legend names the colours, so
    the chart does not rely on colour alone."""
    quarters = doc["sections"]["C"]["risk_by_quarter"]

    def width(v) -> float:
        return 1.5 if v == schemas.SMALL else float(v or 0)

    widest = max([sum(width(q[r]) for r in RISK_FILL) for q in quarters] + [1.0])
    scale = 380 / widest
    title = escape(_("Open cases by risk colour at the end of each quarter"))
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="560" height="190" '
             'viewBox="0 0 560 190" role="img" aria-labelledby="risk-chart-title">',
             f'<title id="risk-chart-title">{title}</title>']
    for i, q in enumerate(quarters):
        y = 10 + i * 34
        name = escape(_("Q%(n)s", n=q["quarter"]))
        parts.append(f'<text x="0" y="{y + 17}" font-size="12">{name}</text>')
        x = 40.0
        for risk, fill in RISK_FILL.items():
            w = width(q[risk]) * scale
            if w <= 0:
                continue
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="24" fill="{fill}" '
                         'stroke="#000" stroke-width="0.5"/>')
            if w >= 26:
                ink = "#000" if risk == "yellow" else "#fff"
                parts.append(f'<text x="{x + 3:.1f}" y="{y + 16}" font-size="10" fill="{ink}">'
                             f'{RISK_LETTER[risk]} {escape(q[risk])}</text>')
            x += w
        summary = escape(" · ".join(f"{_risk(r)} {q[r]}" for r in RISK_FILL))
        parts.append(f'<text x="{min(x, 420) + 6:.1f}" y="{y + 16}" font-size="9">'
                     f'{summary}</text>')
    legend_y = 10 + len(quarters) * 34 + 12
    x = 40
    for risk, fill in RISK_FILL.items():
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{fill}" '
                     'stroke="#000" stroke-width="0.5"/>')
        parts.append(f'<text x="{x + 16}" y="{legend_y}" font-size="10">'
                     f'{RISK_LETTER[risk]} = {escape(_risk(risk))}</text>')
        x += 120
    parts.append("</svg>")
    # Every text above is escaped; the rest is numbers and our own markup.
    return Markup("".join(parts))  # noqa: S704


# -- formats ----------------------------------------------------------------------------------
def to_json(doc: dict) -> bytes:
    """The JSON export (the schema's output)."""
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def to_pdf(doc: dict) -> bytes:
    """The PDF: tables of sections A–D and the chart, in DejaVu Sans (all Latvian letters)."""
    from weasyprint import HTML

    html = render_template("reports/pdf.html", doc=doc, rows=section_rows(doc),
                           titles=section_titles(), chart=risk_chart_svg(doc),
                           status=status_label(doc["status"]))
    return HTML(string=html).write_pdf()


def to_xlsx(doc: dict) -> bytes:
    """The workbook: one sheet per section A, B, C, D with a title row."""
    book = Workbook()
    book.remove(book.active)
    titles = section_titles()
    for key, rows in section_rows(doc).items():
        sheet = book.create_sheet(key)
        # Every row goes through safe_row: a narrative or a name starting with "=" is text.
        sheet.append(safe_row([titles[key]]))
        sheet["A1"].font = Font(bold=True)
        sheet.append(safe_row([f'{doc["municipality"]} ({doc["atvk_code"]}), {doc["year"]}',
                               status_label(doc["status"])]))
        for label, value in rows:
            sheet.append(safe_row([label, value]))
        if key == "C":
            sheet.append([])
            sheet.append(safe_row([_("Open cases by risk colour at the end of each quarter")]))
            sheet.append(safe_row([""] + [_risk(r) for r in RISK_FILL]))
            for q in doc["sections"]["C"]["risk_by_quarter"]:
                sheet.append(safe_row([_("Q%(n)s", n=q["quarter"])]
                                      + [q[r] for r in RISK_FILL]))
        sheet.column_dimensions["A"].width = 60
        sheet.column_dimensions["B"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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


def aggregate_csv(per, totals) -> bytes:
    """The national aggregate as CSV (UTF-8 with BOM for spreadsheets), small counts "<3"."""
    labels = aggregate_labels()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row([_("Municipality"), _("ATVK code"), *labels.values()]))
    for muni, figs in per:
        writer.writerow(safe_row([muni.name, muni.atvk_code,
                                  *(suppress(figs[k]) for k in labels)]))
    writer.writerow(safe_row([_("Total"), "", *(suppress(totals[k]) for k in labels)]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
