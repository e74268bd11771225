"""The annual report as an official document (requisites, DRAFT watermark, decimal commas,
dd.mm.yyyy, glossary order, a chart whose labels fit, PDF/A and tagged), the suppression rule
(children and cases only, complementary cells) and spreadsheets that can use the exports."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime

from flask_babel import force_locale
from openpyxl import load_workbook
from pypdf import PdfReader

from casework.orgs.models import InstitutionKind
from casework.reports import disclosure, exports

from .conftest import YEAR
from .test_exports import PERSONAL, _doc, _pdf_text
from .test_pages import _submit

SECTION_C = "C. Starpprofesionāļu sadarbība"


def _submitted_doc(known_year):
    report = _submit(known_year)
    return report, exports.display(report, known_year["municipality"], YEAR)


def _compact(text: str) -> str:
    return " ".join(text.split())


# -- the PDF as an official document ----------------------------------------------------------
def test_submitted_report_pdf_carries_the_requisites_and_is_pdfa_and_tagged(known_year):
    report, doc = _submitted_doc(known_year)
    body = exports.to_pdf(doc)
    reader = PdfReader(io.BytesIO(body))
    assert b"pdfaid:part" in reader.trailer["/Root"]["/Metadata"].get_data()  # PDF/A
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    text = _compact(_pdf_text(body))
    day = report.submitted_at.astimezone(exports_riga()).strftime("%d.%m.%Y")
    institutions = known_year["people"]
    for requisite in ("PARAUGA NOVADS", "Reģ. Nr.", f"Dokumenta datums {day}",
                      f"Iesniegts {day}", f"Apstiprināts {day}", "Sociālā dienesta vadītājs",
                      "Koordinators", institutions["head"].institution.name,
                      institutions["coordinator"].email, "Bērnu aizsardzības centrs"):
        assert requisite in text, requisite
    assert "MELNRAKSTS" not in text
    for name in PERSONAL:
        assert name not in text


def exports_riga():
    from workflows.policy import RIGA

    return RIGA


def test_report_not_submitted_has_a_draft_watermark_on_every_page(known_year):
    doc = _doc(known_year)
    reader = PdfReader(io.BytesIO(exports.to_pdf(doc)))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert "MELNRAKSTS" in page.extract_text()


def test_report_pdf_uses_decimal_commas_and_dd_mm_yyyy_in_latvian(known_year):
    text = _compact(_pdf_text(exports.to_pdf(_doc(known_year))))
    # Decisions of interprofessional groups: the client was informed of 2 of 3.
    assert "2 no 3 (66,7 %)" in text
    assert not re.search(r"\d\.\d %", text)
    assert "12.03.2025, 11.06.2025, 10.09.2025" in text and "2025-03-12" not in text


def test_categories_and_institution_kinds_follow_the_glossary_not_the_code(known_year):
    doc = _doc(known_year, narrative=False)
    rows = exports.section_rows(doc)
    kinds = [label.split(": ", 1)[1] for label, _v in rows["A"]
             if label.startswith("Locekļi no") or label.startswith("Members from")]
    glossary = [str(exports._kind(k)) for k in InstitutionKind]
    assert kinds == [k for k in glossary if k in kinds] and len(kinds) >= 3
    from casework.cases.models import CATEGORY_LABELS, Category

    glossary = [str(CATEGORY_LABELS[c]) for c in Category]
    categories = [label.split(": ", 1)[1] for label, _v in rows["C"]
                  if label.startswith(("Lietas pēc problēmas", "Cases by concern"))]
    assert categories == [c for c in glossary if c in categories] and len(categories) >= 3


def test_chart_labels_fit_the_drawing_and_the_legend_speaks_the_documents_language(
        known_year, app):
    doc = _doc(known_year, narrative=False)
    for locale, legend in (("lv", "Dz = dzeltens"), ("en", "Y = yellow")):
        with force_locale(locale):
            svg = str(exports.risk_chart_svg(doc))
        assert legend in svg
        width = float(re.search(r'viewBox="0 0 (\d+)', svg).group(1))
        for x, size, text in re.findall(
                r'<text x="([\d.]+)" y="[\d.]+" font-size="(\d+)"[^>]*>([^<]*)</text>', svg):
            shown = text.replace("&lt;", "<").replace("&amp;", "&")
            assert float(x) + len(shown) * int(size) * exports.CHAR_EM <= width, shown


# -- the suppression rule ---------------------------------------------------------------------
def test_suppression_hides_a_neighbour_where_the_total_would_give_a_count_back(known_year):
    c = _doc(known_year, narrative=False)["sections"]["C"]
    # Examined 5 = new 3 + carried over 1 + reopened 1: with "new" shown the two "<3" would add
    # up to 2, so each would be 1. "new" is hidden.
    assert c["cases"] == {"new": "x", "carried_over": "<3", "reopened": "<3", "examined": 5}
    # Referrals 4 = school 3 + State Police 1: the school's 3 is hidden next to the "<3".
    assert c["referrals"]["received"] == 4
    assert c["referrals"]["by_institution_kind"] == {"school": "x", "state_police": "<3"}
    # Closed 2 = 1 + 1: with every part below 3, the total is hidden.
    assert c["closed"]["total"] == "x"
    assert set(c["closed"]["by_reason"].values()) == {"<3"}


def test_suppression_protects_children_and_cases_only(known_year):
    doc = _doc(known_year, narrative=False)
    a, b = doc["sections"]["A"], doc["sections"]["B"]
    # Groups, members, meetings and decisions are not children: exact, so a list of dates is
    # never next to a "<3".
    assert b["supervision_sessions"] == 1 and len(b["supervision_dates"]) == 1
    assert b["meetings_held"] == len(b["meeting_dates"]) == 3
    assert b["proposals_state"] == 1 and b["decisions"]["executed"] == 1
    assert 1 in a["composition"].values() or 2 in a["composition"].values()
    c = doc["sections"]["C"]
    assert c["client_participation"]["informed"] == {"count": 2, "base": 3, "percent": 66.7}
    # Children are.
    assert "<3" in c["children_by_age"].values()
    assert all(v in (0, "<3", "x") or v >= 3 for v in c["children_by_age"].values())


def test_suppression_rule_in_one_function():
    protect = disclosure.protect
    assert protect({"a": 0, "b": 1, "c": 2, "d": 3}) == {"a": 0, "b": "<3", "c": "<3", "d": 3}
    # A part next to its total: the smallest other count of 3 or more is hidden.
    assert protect({"a": 1, "b": 4, "c": 6, "total": 11}, additive=True) == {
        "a": "<3", "b": "x", "c": 6, "total": 11}
    # No small count: nothing hidden.
    assert protect({"a": 3, "total": 3}, additive=True) == {"a": 3, "total": 3}
    # A percentage and a median drawn from a small count are hidden.
    assert disclosure.ratio({"count": 2, "base": 9, "percent": 22.2}) == {
        "count": "<3", "base": 9, "percent": "x"}
    assert disclosure.median(4.0, 2) == "x" and disclosure.median(4.0, 3) == 4.0


def test_national_aggregate_hides_a_neighbour_next_to_a_small_count_and_its_total():
    class Muni:
        def __init__(self, name):
            self.name, self.atvk_code = name, name

    per = [(Muni("A"), {"cases_new": 1, "strategic_meetings": 1}),
           (Muni("B"), {"cases_new": 7, "strategic_meetings": 4}),
           (Muni("C"), {"cases_new": 9, "strategic_meetings": 2})]
    totals = {"cases_new": 17, "strategic_meetings": 7}
    shown, shown_totals = disclosure.protect_national(per, totals)
    assert [f["cases_new"] for _m, f in shown] == ["<3", "x", 9] and shown_totals["cases_new"] == 17
    # Meetings are not children: exact.
    assert [f["strategic_meetings"] for _m, f in shown] == [1, 4, 2]


def test_report_notes_state_the_suppression_rule(known_year):
    text = _compact(_pdf_text(exports.to_pdf(_doc(known_year, narrative=False))))
    assert "Piezīmes" in text and "<3" in text and "(x)" in text


# -- spreadsheets -----------------------------------------------------------------------------
def test_xlsx_keeps_numbers_numeric_and_withheld_counts_in_the_note_column(known_year):
    book = load_workbook(io.BytesIO(exports.to_xlsx(_doc(known_year))))
    rows = {row[0]: row for row in book[SECTION_C].iter_rows(min_row=3, values_only=True)}
    assert rows["Izskatītās lietas"][1] == 5 and rows["Izskatītās lietas"][4] is None
    carried = rows["No iepriekšējā gada pārņemtās lietas"]
    assert carried[1] is None and carried[4] == "<3"
    informed = rows["Klients informēts par lēmumu"]
    assert informed[1:3] == (2, 3) and abs(informed[3] - 0.667) < 0.001
    for row in book[SECTION_C].iter_rows(min_row=3):
        for cell in row[1:4]:
            assert cell.value is None or isinstance(cell.value, int | float), cell.value


def test_xlsx_meeting_dates_are_date_cells(known_year):
    book = load_workbook(io.BytesIO(exports.to_xlsx(_doc(known_year))))
    sheet = book["Sanāksmju datumi"]
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells][:3] == [datetime(2025, 3, 12), datetime(2025, 6, 11),
                                           datetime(2025, 9, 10)]
    assert all(c.is_date and c.number_format == "DD.MM.YYYY" for c in cells)


def test_xlsx_sheet_names_say_what_they_hold_and_headers_are_frozen(known_year):
    book = load_workbook(io.BytesIO(exports.to_xlsx(_doc(known_year))))
    assert book.sheetnames == ["A. Identifikācija", "B. Stratēģiskās grupas darbs", SECTION_C,
                               "D. Apraksts", "Sanāksmju datumi",
                               "Neslēgtās lietas pa ceturkšņiem", "Dokuments un piezīmes"]
    for sheet in book:
        assert sheet.freeze_panes in ("B3", "A2", "B2"), sheet.title
    assert [c.value for c in book[SECTION_C][2]][:2] == ["Rādītājs", "Vērtība"]


def test_national_csv_starts_with_a_bom_uses_semicolons_and_keeps_numbers_numeric(
        client, known_year, login_as):
    _submit(known_year)
    login_as("inspector")
    body = client.get(f"/reports/national.csv?year={YEAR}").get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    header, row, total = rows[0], rows[1], rows[2]
    assert len(header) == len(row) == len(total) and header[-1] == "Piezīme"
    assert row[:2] == ["Parauga novads", "0999001"]
    for cell in row[2:-1] + total[2:-1]:
        assert cell == "" or cell.isdigit(), cell
    carried = header.index("No iepriekšējā gada pārņemtās lietas")
    assert row[carried] == "" and "<3" in row[-1]


def test_json_requisites_name_roles_and_institutions_not_persons(known_year):
    report, doc = _submitted_doc(known_year)
    data = json.loads(exports.to_json(doc))
    req = data["requisites"]
    assert req["approved_by"]["role"] == "head_of_service"
    assert req["submitted_by"]["role"] == "coordinator" and req["submitted_at"]
    for name in PERSONAL:
        assert name not in json.dumps(data, ensure_ascii=False)
