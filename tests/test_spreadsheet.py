"""Export cells that a spreadsheet would run as formulas are neutralised (OWASP CSV injection)."""

import pytest

from casework.spreadsheet import safe_cell, safe_row


@pytest.mark.parametrize("text", ["=1+2", "+1+2", "-1+2", "@SUM(A1)", "\t=1", "\r=1",
                                  '=HYPERLINK("http://evil.example","x")', "-", "=", "+ab"])
def test_export_cell_starting_like_a_formula_is_prefixed_with_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [3, -3, 2.5, -0.5, "-3", "+7", "-2,5", "<3", "Lēmums =1",
                                   "", None, "2026/0001", "2026-11-02"])
def test_export_cell_that_is_a_number_or_plain_text_is_kept(value):
    assert safe_cell(value) == value


def test_export_row_neutralises_each_cell():
    assert safe_row(["=a", 1, "b"]) == ["'=a", 1, "b"]
