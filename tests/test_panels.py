"""``casework.panels.read_lists``: several lists in one statement, each in its own order and
with its own column names, the values converted as their columns' types convert them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import event, func, select

from casework.extensions import db
from casework.orgs.models import Institution, Municipality
from casework.panels import read_lists


def test_lists_come_back_in_their_order_with_their_types_in_one_statement(
        municipality, make_institution):
    make_institution(kind="school", name="B skola").active = False
    make_institution(kind="school", name="A skola")
    make_institution(kind="ngo", name="C biedrība")
    db.session.commit()
    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    lists = {
        "institutions": (select(Institution.id, Institution.name, Institution.active,
                                Institution.created_at)
                         .where(Institution.municipality_id == municipality.id),
                         (Institution.name.desc(),)),
        "kinds": (select(Institution.kind, func.count().label("n"),
                         func.min(Institution.name).label("first"))
                  .where(Institution.municipality_id == municipality.id)
                  .group_by(Institution.kind), (Institution.kind,)),
        "municipalities": (select(Municipality.id, Municipality.name), (Municipality.id,)),
        "nothing": (select(Municipality.name, Municipality.id.label("number"))
                    .where(Municipality.id == -1), (Municipality.id,)),
    }
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        rows = read_lists(lists)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert [r.name for r in rows["institutions"]] == ["C biedrība", "B skola", "A skola"]
    assert [r.active for r in rows["institutions"]] == [True, False, True]
    assert all(isinstance(r.created_at, datetime) and r.created_at.tzinfo is not None
               and r.created_at.utcoffset() == UTC.utcoffset(None)
               for r in rows["institutions"])
    assert [tuple(r) for r in rows["kinds"]] == [("ngo", 1, "C biedrība"), ("school", 2, "A skola")]
    assert [r.name for r in rows["municipalities"]] == [municipality.name]
    assert rows["nothing"] == []
    assert rows["kinds"][0]._fields == ("kind", "n", "first")


def test_one_list_and_none(municipality):
    only = read_lists({"m": (select(Municipality.atvk_code, func.current_date().label("d")),
                             (Municipality.id,))})
    assert only["m"][0].atvk_code == municipality.atvk_code
    assert read_lists({}) == {}
    assert isinstance(only["m"][0].d, date)
