"""Every foreign key, and every column a list filters or sorts on, has an index (issue 16).

Read from the migrated database itself (SQLite or PostgreSQL), not from the models: what
counts is what ``flask db upgrade`` built. An index serves a foreign key when the key's columns
lead it (a composite index on ``(case_id, machine, at)`` serves ``case_id``); the primary key and
unique constraints count too, since both databases back them with an index.
"""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from casework.extensions import db

#: Columns the lists, start pages, calendars, sweeps and the annual report filter or sort on.
FILTERED_OR_SORTED = [
    ("case", "municipality_id"), ("case", "status"), ("case", "risk"),
    ("case", "case_manager_id"), ("case", "owner_institution_id"), ("case", "next_review_due"),
    ("case", "opened_at"), ("case", "closed_at"), ("case_category", "category"),
    ("case_event", "case_id"), ("case_event", "machine"), ("case_person", "personal_code"),
    ("referral", "municipality_id"), ("referral", "outcome"), ("referral", "received_at"),
    ("referral", "reported_by_id"),
    ("task", "municipality_id"), ("task", "assignee_id"), ("task", "assignee_institution_id"),
    ("task", "status"), ("task", "due_date"), ("task", "issued_at"), ("task", "closed_at"),
    ("meeting", "group_id"), ("meeting", "starts_at"), ("meeting", "ends_at"),
    ("meeting", "status"), ("meeting", "held_at"),
    ("decision", "group_id"), ("decision", "status"), ("decision", "due_date"),
    ("decision", "published_at"), ("decision", "year"),
    ("client_participation", "decision_id"), ("group_member", "user_id"),
    ("notification", "user_id"), ("notification", "created_at"),
    ("notification", "email_state"),
    ("audit_event", "municipality_id"), ("audit_event", "at"), ("audit_event", "action"),
    ("audit_event", "user_id"), ("audit_event", "object_type"), ("user", "full_name"),
    ("annual_report", "municipality_id"), ("annual_report", "year"),
]

#: Column pairs filtered together, whose index must lead with both: the annual report's figures
#: over one municipality and year, and the history lookups by machine, trigger or state and time.
FILTERED_TOGETHER = [
    ("case", ("municipality_id", "opened_at")),
    ("case_event", ("case_id", "machine", "at")),
    ("case_event", ("machine", "trigger", "at")), ("case_event", ("machine", "to_state", "at")),
    ("client_participation", ("decision_id", "informed")),
    ("decision", ("group_id", "published_at")), ("meeting", ("group_id", "status")),
    ("referral", ("municipality_id", "received_at")), ("task", ("municipality_id", "issued_at")),
    # One municipality's histories, meetings and decisions (the annual report, the banner),
    # and its strategic group among its case groups.
    ("case_event", ("municipality_id", "case_id", "machine", "at")),
    ("case_event", ("municipality_id", "machine", "trigger", "at")),
    ("case_event", ("municipality_id", "machine", "to_state", "at")),
    ("meeting", ("municipality_id", "status", "starts_at", "held_at")),
    ("decision", ("municipality_id", "published_at")),
    ("decision", ("municipality_id", "status", "published_at")),
    ("cooperation_group", ("municipality_id", "kind")),
    ("decision", ("municipality_id", "status", "due_date")),
    ("task", ("assignee_institution_id", "status", "due_date")),
    # The audit log sorted by object within a municipality, and by user name then user.
    ("audit_event", ("municipality_id", "object_type", "object_id")),
    ("user", ("full_name", "id")),
]


def _leading_columns(inspector, table: str) -> list[tuple[str, ...]]:
    """The column lists of every index of ``table`` (primary key and unique ones included)."""
    found = [tuple(ix["column_names"]) for ix in inspector.get_indexes(table)]
    found += [tuple(uc["column_names"]) for uc in inspector.get_unique_constraints(table)]
    pk = inspector.get_pk_constraint(table)["constrained_columns"]
    if pk:
        found.append(tuple(pk))
    return found


def _covered(indexes, columns: tuple[str, ...]) -> bool:
    return any(ix[:len(columns)] == columns for ix in indexes)


@pytest.fixture
def inspector(app_ctx):
    with db.engine.connect() as conn:
        yield inspect(conn)


def test_every_foreign_key_of_the_database_is_served_by_an_index(inspector):
    missing = []
    tables = inspector.get_table_names()
    assert "case" in tables
    for table in tables:
        indexes = _leading_columns(inspector, table)
        for fk in inspector.get_foreign_keys(table):
            columns = tuple(fk["constrained_columns"])
            if not _covered(indexes, columns):
                missing.append(f"{table}.{','.join(columns)}")
    assert missing == []


def test_every_foreign_key_of_the_models_exists_in_the_database_with_its_index(inspector):
    # The models declare the same keys: a key added to a model without a migration, or
    # without an index, shows here.
    for table in db.metadata.sorted_tables:
        indexes = _leading_columns(inspector, table.name)
        for fk in table.foreign_key_constraints:
            assert _covered(indexes, tuple(fk.column_keys)), (table.name, fk.column_keys)


@pytest.mark.parametrize(("table", "column"), FILTERED_OR_SORTED)
def test_columns_lists_filter_or_sort_on_are_indexed(inspector, table, column):
    indexes = _leading_columns(inspector, table)
    assert _covered(indexes, (column,)), f"{table}.{column} has no index"


@pytest.mark.parametrize(("table", "columns"), FILTERED_TOGETHER)
def test_columns_filtered_together_share_one_index(inspector, table, columns):
    indexes = _leading_columns(inspector, table)
    assert _covered(indexes, columns), f"{table}{columns} has no composite index"
