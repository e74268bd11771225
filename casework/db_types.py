"""Column types shared by all models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """The current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database.

    PostgreSQL keeps the zone (``timestamptz``); SQLite has none, so values are stored as naive
    UTC and given back their zone when read. Naive input is refused: it is always a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def in_ids(column, ids):
    """SQL: ``column`` is one of ``ids`` (integers). On PostgreSQL one array parameter
    (``= ANY(:ids)``), whose length the planner sees: a case manager's twenty groups are probed
    by index, a service's thousands hashed, and thousands of ids are not thousands of
    placeholders. Elsewhere (SQLite) an IN list."""
    from sqlalchemy import any_, bindparam, false
    from sqlalchemy.dialects.postgresql import ARRAY

    from casework.extensions import db

    ids = sorted(set(ids))
    if not ids:
        return false()
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)


class _AnyOfSelect(ColumnElement):
    """``column IN (select)``, written on PostgreSQL as ``column = ANY(ARRAY(select))``: the
    select runs once (an init plan) and the condition is an index condition, so that an OR of
    such conditions with plain ones becomes a union of index scans (a case manager's cases and
    groups) instead of a filter over every row of the municipality."""

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("select", InternalTraversal.dp_clauseelement)]

    def __init__(self, column, select) -> None:
        self.column = column
        self.select = select.scalar_subquery()

    @property
    def _from_objects(self):
        return self.column._from_objects


@compiles(_AnyOfSelect)
def _any_of_select_default(element, compiler, **kw):
    return compiler.process(element.column.in_(element.select.element), **kw)


@compiles(_AnyOfSelect, "postgresql")
def _any_of_select_postgresql(element, compiler, **kw):
    return (f"{compiler.process(element.column, **kw)} = "
            f"ANY(ARRAY({compiler.process(element.select, **kw)}))")


def in_select(column, select):
    """SQL: ``column`` is one of the values ``select`` returns (see ``_AnyOfSelect``)."""
    return _AnyOfSelect(column, select)
