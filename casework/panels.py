"""Several short lists of one page read in one statement (issue 16).

A page that shows many short lists pays a round trip for each. ``read_lists`` sends them as one
``UNION ALL``: each list is a select of named columns (its FROM, joins and WHERE as usual, no
ORDER BY) with the order of its rows given apart; the rows come back per list as named tuples
with that list's column names, in that list's order (``row_number()`` over the list's order,
so the same SQL runs on SQLite and PostgreSQL).

The lists share typed slots: a column takes the next free slot of its family (integers, text,
booleans, dates, UTC datetimes), and the lists that have no value there give a typed NULL, so
the databases unify the branches and the values come back converted as the columns' own types
would convert them (zone-aware datetimes on SQLite, booleans from 0/1). Rows are plain tuples,
not model objects: for what a page only shows.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping, Sequence

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    String,
    cast,
    func,
    literal,
    null,
    type_coerce,
    union_all,
)
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import Label

from casework.db_types import UTCDateTime
from casework.extensions import db

#: The families of column types that share slots, each with the type its slots are read as.
_FAMILIES = ((Boolean, Boolean()), (Integer, Integer()), (Date, Date()),
             (UTCDateTime, UTCDateTime()), (DateTime, DateTime()), (String, String()))


def _family(column) -> int:
    for index, (family, _type) in enumerate(_FAMILIES):
        if isinstance(column.type, family):
            return index
    raise TypeError(f"read_lists: no slot for column {column.key!r} of type {column.type!r}")


def read_lists(lists: Mapping[str, tuple[Select, Sequence]]) -> dict[str, list[tuple]]:
    """``{name: (select, order)}`` -> ``{name: [row, ...]}`` in one statement (see above).

    ``select`` names its columns (labels or model columns); ``order`` is what its ORDER BY
    would be. A list without rows gives ``[]``.
    """
    layout = []
    widths: dict[int, int] = {}
    for name, (stmt, order) in lists.items():
        used: dict[int, int] = {}
        columns = []
        for column in stmt.selected_columns:
            family = _family(column)
            columns.append((column, (family, used.get(family, 0))))
            used[family] = used.get(family, 0) + 1
        for family, count in used.items():
            widths[family] = max(widths.get(family, 0), count)
        layout.append((name, stmt, order, columns))
    if not layout:
        return {}
    slots = [(family, i) for family in sorted(widths) for i in range(widths[family])]
    branches = []
    for name, stmt, order, columns in layout:
        by_slot = {slot: column for column, slot in columns}
        values = [literal(name, String()).label("list_name"),
                  func.row_number().over(order_by=list(order)).label("list_pos")]
        for slot in slots:
            slot_type = _FAMILIES[slot[0]][1]
            column = by_slot.get(slot)
            if column is None:
                value = cast(null(), slot_type)
            else:
                value = type_coerce(column.element if isinstance(column, Label) else column,
                                    slot_type)
            values.append(value.label(f"s{slot[0]}_{slot[1]}"))
        branches.append(stmt.with_only_columns(*values, maintain_column_froms=True))
    compound = union_all(*branches) if len(branches) > 1 else branches[0]
    position = compound.selected_columns.list_pos
    index = {slot: i + 2 for i, slot in enumerate(slots)}
    shapes = {name: (namedtuple(f"{name}_row", [column.key for column, _slot in columns]),
                     [index[slot] for _column, slot in columns])
              for name, _stmt, _order, columns in layout}
    result: dict[str, list[tuple]] = {name: [] for name in lists}
    for row in db.session.execute(compound.order_by(position)).all():
        shape, places = shapes[row[0]]
        result[row[0]].append(shape(*(row[i] for i in places)))
    return result
