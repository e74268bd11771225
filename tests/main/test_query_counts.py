"""Queries per page do not grow with the data (issue 16): every list and start page, for each
role, costs the same number of SQL statements with a few rows as with three times as many.

A page that loads a related row per listed row (an N+1) fails here long before it is slow.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from casework.extensions import db
from tests.main.conftest import add_task, riga

PAGES = ("/", "/cases", "/cases/overview", "/cases/caseload", "/referrals/triage",
         "/referrals/mine", "/tasks", "/tasks/institution", "/calendar?month=2026-11",
         "/calendar/week?week=2026-W48", "/groups", "/notifications", "/reports/annual/2025")
ROLES = ("manager", "head", "coordinator", "member", "outsider")


def _grow(w, make_case, make_meeting, make_decision, case_group_of, rounds: int) -> None:
    """More of everything the pages list: red cases of both managers with upcoming and held
    meetings, decisions past due, tasks of the users and their institutions."""
    for i in range(rounds):
        for manager in (w.manager, w.other_manager):
            case = make_case(risk="red", at=riga(2026, 11, 16, 9, i), manager=manager)
            group = case_group_of(case)
            make_meeting(group, riga(2026, 11, 24, 9, i), invite=[w.member])
            make_meeting(group, riga(2026, 11, 10, 9, i), status="held")
            make_decision(group, date(2026, 11, 1))
            add_task(manager, date(2026, 11, 2), title=f"Uzdevums {i}", case=case)
        add_task(w.member, date(2026, 11, 3), title=f"Dalībnieka uzdevums {i}")
        add_task(w.colleague, date(2026, 11, 4), title=f"Kolēģa uzdevums {i}")
        make_meeting(w.strategic, riga(2026, 11, 25, 9, i))
        make_decision(w.strategic, date(2026, 11, 2))


def _counts(app, client) -> dict[str, tuple[int, int]]:
    seen = []

    def count(*_args, **_kwargs):
        seen.append(1)

    result = {}
    for path in PAGES:
        client.get(path)  # warm-up: per-process caches are not the page's cost
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            status = client.get(path).status_code
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        result[path] = (status, len(seen))
        seen.clear()
    return result


@pytest.mark.parametrize("who", ROLES)
def test_lists_and_start_pages_cost_the_same_queries_at_two_data_sizes(
        app, client, late_world, make_case, make_meeting, make_decision, case_group_of, who):
    w = late_world
    user = getattr(w, who)
    client.login(user.email)
    _grow(w, make_case, make_meeting, make_decision, case_group_of, rounds=1)
    small = _counts(app, client)
    _grow(w, make_case, make_meeting, make_decision, case_group_of, rounds=3)
    large = _counts(app, client)
    assert any(status == 200 for status, _n in small.values())
    grown = {path: (small[path], large[path]) for path in PAGES if small[path] != large[path]}
    assert grown == {}


# -- every list and start page of the URL map, per role (tests/world.py) ----------------------
#: Pages without parameters that are not lists: the login form (a logged-in user is sent
#: on), the audit chain check (it reads the whole chain by design, in pages of its own).
NOT_LISTS = {"/login", "/audit/verify"}
#: Pages whose count depends on what the newest page of rows names, not on how many rows
#: there are: the audit log reads the names of each kind of object its 50 rows mention (cases,
#: meetings, decisions, institutions, groups) with one query per kind present, at most five.
#: These must not grow; they may shrink.
BOUNDED_BY_KINDS = {"/audit/"}
WORLD_ROLES = ("admin", "coordinator", "head_of_service", "case_manager", "specialist",
               "auditor")


def _world_pages(app, ids: dict) -> list[str]:
    """Every GET page of the URL map without parameters (the lists and start pages; the API
    answers to tokens, not to a browser session, and is left to tests/api), and the world's
    case page."""
    pages = sorted(r.rule for r in app.url_map.iter_rules()
                   if "GET" in r.methods and not r.arguments and r.endpoint != "static"
                   and not r.rule.startswith("/api/") and r.rule not in NOT_LISTS)
    return [*pages, f"/cases/{ids['case_id']}"]


def _world_counts(app, client, pages) -> dict[str, tuple[int, int]]:
    seen = []
    with app.app_context():
        engine = db.engine

    def count(*_args, **_kwargs):
        seen.append(1)

    result = {}
    for path in pages:
        client.get(path)  # warm-up
        event.listen(engine, "before_cursor_execute", count)
        try:
            status = client.get(path).status_code
        finally:
            event.remove(engine, "before_cursor_execute", count)
        result[path] = (status, len(seen))
        seen.clear()
    return result


@pytest.mark.parametrize("role", WORLD_ROLES)
def test_every_page_of_the_url_map_costs_the_same_queries_at_two_data_sizes(app, client, role):
    from tests.world import PASSWORD, build_world, grow_world

    with app.app_context():
        world = build_world("0990001", "a")
        grow_world(world, 1)
        db.session.remove()
    pages = _world_pages(app, world["ids"])
    client.login(world["logins"][role], PASSWORD)
    small = _world_counts(app, client, pages)
    with app.app_context():
        grow_world(world, 3)
        db.session.remove()
    large = _world_counts(app, client, pages)
    assert sum(status == 200 for status, _n in small.values()) > 5
    grown = {path: (small[path], large[path]) for path in pages if small[path] != large[path]
             and not (path in BOUNDED_BY_KINDS and large[path][1] <= small[path][1])}
    assert grown == {}
