"""The app as the benchmark serves it with gunicorn: ``bench.wsgi:app``.

The production app (``casework.wsgi:app``), plus two measurements on every response
(``X-Bench-Queries``: SQL statements run by the request; ``X-Bench-Ms``: server time from the
first to the last byte the view produced) and one bare endpoint, ``/_bench/bare``, that runs
one indexed SELECT of a page of cases and returns it as text: the floor a page cannot go under
on this machine, measured in the same run so that figures from a busy machine can be compared
by their ratio to it.
"""

from __future__ import annotations

import time

from flask import g, request
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from casework.extensions import db
from casework.wsgi import app


@event.listens_for(Engine, "before_cursor_execute")
def _count(*_args, **_kwargs):
    try:
        g.bench_queries = g.get("bench_queries", 0) + 1
    except RuntimeError:  # outside a request (start-up)
        pass


def _start():
    g.bench_started = time.perf_counter()
    g.bench_queries = 0


# First of all hooks: another one that answers early (a login redirect) is measured too.
app.before_request_funcs.setdefault(None, []).insert(0, _start)


@app.after_request
def _measure(response):
    if not response.is_streamed:
        response.get_data()  # render lazily produced bodies inside the measurement
    response.headers["X-Bench-Queries"] = str(g.get("bench_queries", 0))
    took = time.perf_counter() - g.get("bench_started", time.perf_counter())
    response.headers["X-Bench-Ms"] = f"{took * 1000:.2f}"
    return response


@app.route("/_bench/bare")
def bare():
    page = request.args.get("after", 0, type=int)
    rows = db.session.execute(text(
        'SELECT id, number, risk FROM "case" WHERE id > :after ORDER BY id LIMIT 50'),
        {"after": page}).all()
    return "\n".join(f"{i} {n} {r}" for i, n, r in rows), 200, {"Content-Type": "text/plain"}
