"""Reading a municipality's register from a spreadsheet: XLSX (openpyxl) or CSV.

A table is a header row and data rows. Headers are matched to the importer's columns by their
Latvian or English names, ignoring case, spaces and punctuation, so "Lietas Nr.", "lietas
numurs" and "case_number" are one column. Values come back as the spreadsheet holds them: a
date cell as a ``datetime``, a number as ``int``/``float``, text stripped; empty cells as None.
CSV files are read as UTF-8 (with or without a BOM) or, failing that, as Windows-1257, the
Baltic code page older spreadsheets still save in; the delimiter is ``;`` or ``,``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

#: The largest register accepted in one import (rows after the header).
MAX_ROWS = 50_000


class UnreadableFile(ValueError):
    """The file is not a spreadsheet the importer can read; ``message`` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Table:
    """The rows of a register keyed by column; ``row_numbers`` are the spreadsheet's own."""

    columns: list[str]
    rows: list[dict] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)


def header_key(text) -> str:
    """A header reduced for matching: lower case, letters and digits only."""
    return re.sub(r"[\W_]+", "", str(text or "").strip().lower())


def _cell(value):
    if isinstance(value, str):
        value = value.replace("\x00", "").strip()
        return value or None
    return value


def _rows_of_xlsx(data: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise UnreadableFile(_l("The file is not an XLSX workbook.")) from error
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise UnreadableFile(_l("The workbook has no sheet."))
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    finally:
        book.close()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1257", errors="replace")


def _rows_of_csv(data: bytes):
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            yield number, [_cell(v) for v in values]
    except csv.Error as error:
        raise UnreadableFile(_l("The CSV file cannot be read: %(error)s",
                                error=str(error))) from error


def read_table(filename: str, data: bytes, columns: dict[str, tuple[str, ...]]) -> Table:
    """The rows of the first sheet of an XLSX file or of a CSV file.

    ``columns`` maps each column key to the header names it is known by. A header that names
    no column is reported in ``unknown_headers`` (and its values ignored); a column named twice
    is refused.
    """
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        rows = _rows_of_xlsx(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        rows = _rows_of_csv(data)
    elif data[:2] == b"PK":
        rows = _rows_of_xlsx(data)
    else:
        raise UnreadableFile(_l("Import an .xlsx or a .csv file."))

    known = {header_key(alias): key for key, aliases in columns.items()
             for alias in (key, *aliases)}
    table: Table | None = None
    positions: dict[int, str] = {}
    for number, values in rows:
        if table is None:
            if not any(v is not None for v in values):
                continue  # blank lines above the header
            table = Table(columns=[])
            for position, header in enumerate(values):
                if header is None:
                    continue
                key = known.get(header_key(header))
                if key is None:
                    table.unknown_headers.append(str(header))
                elif key in table.columns:
                    raise UnreadableFile(_l('The column "%(column)s" appears twice.',
                                            column=str(header)))
                else:
                    positions[position] = key
                    table.columns.append(key)
            continue
        if not any(v is not None for v in values):
            continue  # empty rows between and after the data
        if len(table.rows) >= MAX_ROWS:
            raise UnreadableFile(_l("The file has more than %(count)d rows; import it in parts.",
                                    count=MAX_ROWS))
        table.rows.append({key: values[pos] if pos < len(values) else None
                           for pos, key in positions.items()})
        table.row_numbers.append(number)
    if table is None:
        raise UnreadableFile(_l("The file is empty."))
    return table
