"""The audit log sorts by time, action, user (by name) and object (type, then id), each both
ways, and pages by keyset in every order without losing or repeating a row (issue 18.3)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select

from casework.audit import queries
from casework.audit.models import AuditEvent
from casework.audit.operations import record
from casework.auth.models import User
from casework.extensions import db

SORTS = sorted(queries.SORTS)


@pytest.fixture
def auditor(make_user, social_service):
    return make_user("auditor", institution=social_service, full_name="Dace Datu")


@pytest.fixture
def mixed_log(auditor, make_user, social_service, make_case):
    """Events with ties in every sort column: two users of the same name, system events
    (no user), events on no object and on an object without an id."""
    first = make_user("specialist", institution=social_service, full_name="Anna Ozola")
    namesake = make_user("specialist", institution=social_service, full_name="Anna Ozola")
    other = make_user("case_manager", institution=social_service, full_name="Zane Liepa")
    cases = [make_case(manager=other) for _ in range(2)]
    idless = SimpleNamespace(municipality_id=auditor.municipality_id)
    plan = [
        ("login", None, first), ("case_viewed", cases[0], first), ("case_viewed", cases[1],
                                                                    namesake),
        ("login", None, namesake), ("logout", None, other), ("case_viewed", cases[0], other),
        ("login", idless, auditor), ("case_viewed", cases[1], auditor), ("login", None, None),
        ("logout", idless, None), ("case_viewed", cases[0], None), ("login", first, auditor),
        ("login", namesake, other), ("logout", None, first), ("case_viewed", cases[1], first),
    ]
    for action, obj, user in plan:
        record(action, obj, user=user, municipality_id=auditor.municipality_id)
    db.session.commit()
    return auditor


def _expected(stmt, sort: str) -> list[int]:
    """The ids of ``stmt`` in the order ``sort`` names, computed here, not by the query:
    no value (no user, no object) comes last going up and first going down."""
    events = list(db.session.scalars(stmt))
    names = dict(db.session.execute(select(User.id, User.full_name)).all())
    column = sort.lstrip("-")

    def key(e: AuditEvent):
        if column == "at":
            values = []
        elif column == "action":
            values = [e.action]
        elif column == "user":
            values = [names.get(e.user_id) if e.user_id else None, e.user_id]
        else:
            values = [e.object_type, e.object_id]
        return [*((v is None, v or 0) for v in values), e.id]

    return [e.id for e in sorted(events, key=key, reverse=sort.startswith("-"))]


def _walk_forwards(stmt, sort: str, per_page: int):
    pages = [queries.keyset_page(stmt, sort=sort, per_page=per_page)]
    while pages[-1].older is not None:
        pages.append(queries.keyset_page(stmt, sort=sort, after=pages[-1].older,
                                         per_page=per_page))
        assert len(pages) < 100
    return pages


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("per_page", [1, 3, 4])
def test_every_sort_pages_forwards_and_backwards_through_the_whole_order(mixed_log, sort,
                                                                         per_page):
    stmt = queries.audit_events_of(mixed_log, queries.AuditFilters())
    expected = _expected(stmt, sort)
    assert len(expected) >= 15

    forwards = _walk_forwards(stmt, sort, per_page)
    assert [e.id for p in forwards for e in p.items] == expected
    assert forwards[0].first and not any(p.first for p in forwards[1:])

    # From the last page back to the first, by the "previous" cursor of each page.
    backwards = [forwards[-1]]
    while backwards[-1].newer is not None:
        backwards.append(queries.keyset_page(stmt, sort=sort, before=backwards[-1].newer,
                                             per_page=per_page))
        assert len(backwards) < 100
    assert [e.id for p in reversed(backwards) for e in p.items] == expected
    assert [[e.id for e in p.items] for p in reversed(backwards)] == \
        [[e.id for e in p.items] for p in forwards]
    assert backwards[-1].first


def test_the_user_column_sorts_by_name_and_keeps_a_namesake_s_events_together(mixed_log):
    stmt = queries.audit_events_of(mixed_log, queries.AuditFilters())
    events = _walk_forwards(stmt, "user", 50)[0].items
    names = dict(db.session.execute(select(User.id, User.full_name)).all())
    shown = [names.get(e.user_id) for e in events]
    named = [n for n in shown if n is not None]
    assert named == sorted(named) and shown[len(named):] == [None] * (len(shown) - len(named))
    namesakes = [e.user_id for e in events if names.get(e.user_id) == "Anna Ozola"]
    # Two people of the same name are not interleaved.
    assert namesakes == sorted(namesakes)


def test_the_object_column_sorts_by_type_then_id(mixed_log):
    stmt = queries.audit_events_of(mixed_log, queries.AuditFilters())
    events = _walk_forwards(stmt, "-object", 50)[0].items
    typed = [(e.object_type, e.object_id or "") for e in events if e.object_type]
    assert typed == sorted(typed, reverse=True)
    assert events[0].object_type is None


@pytest.mark.parametrize(("sort", "header"), [
    ("user", r'aria-sort="ascending">\s*<a href="[^"]*sort=-user[^"]*">User'),
    ("-user", r'aria-sort="descending">\s*<a href="[^"]*sort=user[^"]*">User'),
    ("object", r'aria-sort="ascending">\s*<a href="[^"]*sort=-object[^"]*">Object'),
    ("-object", r'aria-sort="descending">\s*<a href="[^"]*sort=object[^"]*">Object'),
    ("nonsense", r'aria-sort="descending">\s*<a href="[^"]*sort=at[^"]*">Time'),
    ("", r'aria-sort="descending">\s*<a href="[^"]*sort=at[^"]*">Time'),
])
def test_the_sorted_column_says_so_and_an_unknown_sort_is_the_default(client, mixed_log, sort,
                                                                     header):
    client.post("/language", data={"lang": "en", "csrf_token": client.csrf_token()})
    client.login(mixed_log.email)
    response = client.get(f"/audit/?sort={sort}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(header, html.replace("&amp;", "&")), header
    assert html.count("aria-sort=") == 1


@pytest.mark.parametrize("sort", ["user", "-user", "object", "-object"])
def test_a_page_of_every_sort_follows_its_cursor_in_the_browser(client, mixed_log, sort):
    for _n in range(queries.PER_PAGE):
        record("logout", None, user=mixed_log)
    db.session.commit()
    client.login(mixed_log.email)
    stmt = queries.audit_events_of(mixed_log, queries.AuditFilters())
    expected = _expected(stmt, sort)
    first = client.get(f"/audit/?sort={sort}").get_data(as_text=True).replace("&amp;", "&")
    # "Next" continues after the page's last row, in the same order.
    assert f"sort={sort}&after={expected[queries.PER_PAGE - 1]}" in first
    assert client.get(f"/audit/?sort={sort}&after={expected[3]}").status_code == 200
    assert client.get(f"/audit/?sort={sort}&before={expected[3]}").status_code == 200
    assert client.get(f"/audit/?sort={sort}&after=999999999").status_code == 200


@pytest.mark.parametrize("sort", SORTS)
def test_a_page_costs_the_same_queries_in_every_sort_whatever_the_rows(app, client, mixed_log,
                                                                       make_case, sort):
    client.login(mixed_log.email)
    stmt = queries.audit_events_of(mixed_log, queries.AuditFilters())
    cursor = _expected(stmt, sort)[2]

    def statements() -> int:
        seen = []

        def count(*_args, **_kwargs):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/audit/?sort={sort}&after={cursor}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    few = statements()
    for _n in range(4):
        case = make_case()
        for action in ("case_viewed", "login"):
            record(action, case, user=mixed_log)
    db.session.commit()
    assert statements() <= few
