"""Gap-free numbering with counter rows (case numbers, decision numbers).

A counter row holds the last number used for its key (a municipality and year, a group and
year). Taking the next number is one UPDATE of that row, which on PostgreSQL holds the row lock
until the transaction commits: concurrent writers queue on the row instead of colliding on a
unique index and retrying, and a rolled-back transaction gives its number back (no gaps).
"""

from __future__ import annotations

from sqlalchemy import case, insert, update
from sqlalchemy.dialects import postgresql, sqlite

from casework.extensions import db


def bump_counter(model, keys: dict, *, floor=None) -> int:
    """Increment the ``last`` column of ``model``'s row for ``keys`` and return the new value.

    The row is created at 0 if missing. ``floor`` (a scalar SQL expression, such as the highest
    number already in use) makes the counter skip numbers given outside it, e.g. imported or
    demo rows; the counter row's lock still decides who gets which number.
    """
    dialect = db.session.get_bind().dialect.name
    ins = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if ins is not None:
        db.session.execute(ins(model).values(**keys, last=0).on_conflict_do_nothing())
    elif db.session.get(model, tuple(keys.values())) is None:
        db.session.execute(insert(model).values(**keys, last=0))
    current = model.last
    if floor is not None:
        current = case((floor > model.last, floor), else_=model.last)
    return db.session.execute(
        update(model)
        .where(*(getattr(model, k) == v for k, v in keys.items()))
        .values(last=current + 1)
        .returning(model.last)
        .execution_options(synchronize_session=False)
    ).scalar_one()
