"""Helpers for the tests of two people doing the same thing at once (``casework.concurrency``).

* ``changed_meanwhile(...)`` commits a change on another connection, as a colleague's request
  would, at the moment the test chooses (typically from inside the operation under test).
* ``together(...)`` runs requests in threads that meet at a barrier inside the operation, so
  that both have loaded the object before either writes: the real race, on PostgreSQL.
"""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import text

from casework.extensions import db

KEPT_RE = re.compile(r'<section class="kept-input".*?</section>', re.S)
VERSION_RE = re.compile(r'name="version"[^>]*value="(\d*)"')


def needs_postgresql() -> None:
    """Real concurrent commits need PostgreSQL (SQLite serialises writers)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")


def changed_meanwhile(table: str, row_id: int, **values) -> None:
    """Someone else's committed change: the row's version goes up by one."""
    sets = ", ".join([f"{name} = :{name}" for name in values] + ["version = version + 1"])
    with db.engine.begin() as conn:
        conn.execute(text(f'UPDATE "{table}" SET {sets} WHERE id = :row_id'),  # noqa: S608
                     {**values, "row_id": row_id})


def once_inside(monkeypatch, module, name: str, before) -> None:
    """Call ``before()`` the first time ``module.name`` is called (then the original)."""
    original = getattr(module, name)
    done = []

    def wrapper(*args, **kwargs):
        if not done:
            done.append(True)
            before()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)


def meet_inside(monkeypatch, module, name: str, parties: int = 2) -> threading.Barrier:
    """Every call of ``module.name`` waits until ``parties`` calls have arrived."""
    original = getattr(module, name)
    barrier = threading.Barrier(parties, timeout=20)

    def wrapper(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return barrier


def together(*calls) -> list:
    """Run the calls in threads at once; their results (an exception is re-raised)."""
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            results[i] = call()
        except BaseException as error:  # reported below
            results[i] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a request is stuck"
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def kept_panel(html: str) -> str:
    """The "your input (not saved)" panel of a 409 page ('' if none)."""
    match = KEPT_RE.search(html)
    return match.group(0) if match else ""


def versions(html: str) -> set[str]:
    """Every version value carried by the page's forms."""
    return set(VERSION_RE.findall(html))


def form_token(html: str, action: str | None = None) -> str:
    """The one-time token of the form posting to ``action`` (the first form if None)."""
    start = html.index(f'action="{action}"') if action else 0
    return re.search(r'name="form_token"[^>]*value="([^"]+)"', html[start:]).group(1)
