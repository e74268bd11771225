"""PDF, XLSX and JSON exports and the command line: the figures, "<3", Latvian letters and no
personal data."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook
from pypdf import PdfReader

from casework.extensions import db
from casework.reports import exports
from casework.reports import operations as ops

from .conftest import YEAR

PERSONAL = ("Anna", "Bērziņa", "Jānis", "Ozols", "Pēteris", "Gunta Vadītāja",
            "Kristīne Koordinatore", "Vija Priekšniece")


def _doc(known_year, narrative=True):
    p = known_year["people"]
    report = ops.start_report(p["coordinator"], YEAR)
    if narrative:
        ops.save_narrative(p["coordinator"], report, {
            "challenges": "Bērnu aizsardzības darbā trūkst speciālistu",
            "directions": "Ģimeņu atbalsts", "conclusions": "Ātrāka sanāksmju sasaukšana",
            "state_proposals": "Valsts līmeņa finansējums"})
    db.session.commit()
    return exports.display(report, known_year["municipality"], YEAR)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_contains_the_figures_latvian_letters_and_no_personal_data(known_year):
    text = _pdf_text(exports.to_pdf(_doc(known_year)))
    assert "Bērnu aizsardzības centrs (BAC, agrāk VBTAI)" in text
    assert "ā" in text and "ņ" in text and "Ģimeņu atbalsts" in text
    assert "Parauga novads" in text and "0999001" in text
    compact = " ".join(text.split())
    assert "Izskatītās lietas 5" in compact or "Cases examined 5" in compact
    assert "<3" in text
    assert "12.03.2025, 11.06.2025, 10.09.2025" in compact
    # Triaged within policy: 2 of 3; the count is suppressed and the percentage (which would
    # give the count back) hidden.
    assert "<3 no 3 (x)" in compact or "<3 of 3 (x)" in compact
    assert "66.7" not in compact  # decimal commas
    for name in PERSONAL:
        assert name not in text


def test_pdf_chart_shows_numbers_next_to_the_colours(known_year):
    svg = str(exports.risk_chart_svg(_doc(known_year, narrative=False)))
    assert svg.startswith("<svg") and "<script" not in svg
    assert svg.count("<rect") >= 3 and "<title" in svg
    assert "S &lt;3" in svg  # a segment's letter and its (suppressed) number


def test_xlsx_has_one_sheet_per_section_with_suppressed_counts(known_year):
    book = load_workbook(io.BytesIO(exports.to_xlsx(_doc(known_year))))
    assert book.sheetnames[:4] == ["A. Identifikācija", "B. Stratēģiskās grupas darbs",
                                   "C. Starpprofesionāļu sadarbība", "D. Apraksts"]
    rows = [row for row in book["C. Starpprofesionāļu sadarbība"].iter_rows(values_only=True)]
    assert 5 in [row[1] for row in rows] and "<3" in [row[4] for row in rows]
    all_text = " ".join(str(c) for ws in book for row in ws.iter_rows(values_only=True)
                        for c in row if c is not None)
    assert "Valsts līmeņa finansējums" in all_text
    for name in PERSONAL:
        assert name not in all_text


def test_xlsx_neutralises_cells_that_start_like_a_formula(known_year):
    p = known_year["people"]
    report = ops.start_report(p["coordinator"], YEAR)
    ops.save_narrative(p["coordinator"], report, {
        "challenges": '=HYPERLINK("http://evil.example","Sīkāk")', "directions": "+1+1",
        "conclusions": "@SUM(A1:A9)", "state_proposals": "-2+3 speciālisti"})
    db.session.commit()
    book = load_workbook(io.BytesIO(exports.to_xlsx(
        exports.display(report, known_year["municipality"], YEAR))))
    cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.value for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert {"'=HYPERLINK(\"http://evil.example\",\"Sīkāk\")", "'+1+1", "'@SUM(A1:A9)",
            "'-2+3 speciālisti"} <= texts
    assert not [t for t in texts if t[:1] in ("=", "+", "-", "@", "\t", "\r")]
    # Real numbers stay numbers.
    assert any(isinstance(c.value, int) for c in cells if c.parent.title.startswith("C"))


def test_json_export_is_versioned_and_suppressed(known_year):
    data = json.loads(exports.to_json(_doc(known_year)))
    assert data["schema"] == "casework.annual_report" and data["schema_version"] == "1.0"
    # carried over + reopened = 5 - 3 = 2 would make both 1: "new" is hidden too.
    assert data["sections"]["C"]["cases"] == {"new": "x", "carried_over": "<3", "reopened": "<3",
                                              "examined": 5}
    assert data["sections"]["D"]["directions"] == "Ģimeņu atbalsts"
    assert data["figures_frozen"] is False and data["status"] == "draft"
    for name in PERSONAL:
        assert name not in json.dumps(data, ensure_ascii=False)


def test_export_pages_download_each_format_and_are_audited(client, known_year):
    _doc(known_year)
    client.login(known_year["people"]["head"].email)
    for fmt, magic in (("pdf", b"%PDF"), ("xlsx", b"PK"), ("json", b"{")):
        response = client.get(f"/reports/annual/{YEAR}/export.{fmt}")
        assert response.status_code == 200 and response.data.startswith(magic)
        assert f"gada-parskats-0999001-{YEAR}.{fmt}" in response.headers["Content-Disposition"]
    from tests.conftest import audit_actions

    assert audit_actions().count("annual_report_exported") == 3


def test_cli_writes_each_format(known_year, runner, tmp_path):
    _doc(known_year)
    for fmt in ("pdf", "xlsx", "json"):
        out = tmp_path / f"r.{fmt}"
        result = runner.invoke(args=["report", "annual", "--municipality", "0999001",
                                     "--year", str(YEAR), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    assert "Bērnu aizsardzības centrs" in _pdf_text((tmp_path / "r.pdf").read_bytes())
    assert json.loads((tmp_path / "r.json").read_text())["sections"]["C"]["cases"]["examined"] == 5


def test_cli_refuses_an_unknown_municipality(app_ctx, runner, tmp_path):
    result = runner.invoke(args=["report", "annual", "--municipality", "0000000", "--year",
                                 "2025", "--format", "json", "-o", str(tmp_path / "x.json")])
    assert result.exit_code == 2 and "0000000" in result.output
