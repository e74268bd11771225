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
