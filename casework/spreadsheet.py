"""Cells of every CSV and XLSX export, safe to open in a spreadsheet.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as
a formula by Excel, LibreOffice and Google Sheets (CSV injection: a decision text such as
``=HYPERLINK("http://…")`` would run on the coordinator's machine). Following OWASP's guidance
such text gets a leading single quote, which the spreadsheet shows as text. Real numbers stay
numbers: an ``int`` or ``float``, and text that is exactly a number such as ``-3`` or ``2,5``.
openpyxl would even store text starting with ``=`` as a formula, so the XLSX needs it as much
as the CSVs.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def safe_cell(value):
    """``value`` as a cell that a spreadsheet will not evaluate."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_row(values) -> list:
    """``safe_cell`` of each value of a row."""
    return [safe_cell(v) for v in values]
