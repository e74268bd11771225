"""``python -m bench --cases N``: national-scale figures of casework, measured end to end.

1. (Re)creates the PostgreSQL database ``--url`` (default ``cw_bench``), migrates it with
   ``flask db upgrade`` and fills it with ``bench.generate`` (with ``--reuse``: keeps it and
   runs ``VACUUM ANALYZE``, as autovacuum would have done in service).
2. Serves ``bench.wsgi:app`` with gunicorn, logs in as each role through the real login form
   and requests every measured page ``--runs`` times: p50/p95 of the server time and the SQL
   statement count of each, next to the bare endpoint (one indexed SELECT of a page of cases)
   measured in the same run.
3. Runs ``flask run-due-jobs`` (every sweep) twice: the first run after a long downtime (every
   deadline of the data is new to it) and a second, steady one; wall time and peak RSS.
4. Writes ``bench/results/last.md`` and ``last.json``.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench.generate import BENCH_PASSWORD, generate

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SECRET = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105


def _env(url: str) -> dict:
    env = dict(os.environ, CASEWORK_DATABASE_URL=url, CASEWORK_SECRET_KEY=SECRET,
               CASEWORK_COOKIE_SECURE="0", FLASK_APP="casework", PYTHONPATH=str(ROOT),
               # The pages are measured, not the login: the generated users log in with their
               # password alone (a second factor would only add one request per role).
               CASEWORK_TWO_FACTOR_ROLES="none")
    env.pop("CASEWORK_MAIL_SERVER", None)
    return env


def _admin_url(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def prepare(url: str, cases: int) -> dict:
    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], env=_env(url), check=True,
                   cwd=ROOT, capture_output=True)
    started = time.perf_counter()
    counts, logins = generate(url, cases)
    took = time.perf_counter() - started
    (RESULTS / "logins.json").write_text(json.dumps(logins, indent=1))
    return {"rows": counts, "seconds": round(took, 1)}


def vacuum(url: str) -> None:
    """``VACUUM ANALYZE`` a reused database before measuring: a database in service has
    autovacuum, which this machine's server may have off, and the rows that earlier runs and
    migrations changed would otherwise be read from the heap by index-only scans."""
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"vacuumed in {time.perf_counter() - started:.1f} s", flush=True)


class Client:
    """A browser session: cookies, CSRF token from the login form, timing headers."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, float, int, bytes]:
        try:
            resp = self.opener.open(self.base + path, timeout=600)  # noqa: S310 - local
        except urllib.error.HTTPError as err:
            resp = err
        body = resp.read()
        return (resp.status, float(resp.headers.get("X-Bench-Ms", "nan")),
                int(resp.headers.get("X-Bench-Queries", "-1")), body)

    def login(self, email: str) -> None:
        _s, _ms, _q, body = self.get("/login")
        token = CSRF_RE.search(body.decode()).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, "email": email,
                                       "password": BENCH_PASSWORD}).encode()
        self.opener.open(self.base + "/login", data=data, timeout=60)  # noqa: S310


def _serve(url: str, port: int, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--timeout", "600", "bench.wsgi:app"], env=_env(url), cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_bench/bare", timeout=2)  # noqa: S310
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def _sample_ids(url: str) -> dict:
    with psycopg.connect(url) as conn:
        def one(sql):
            return conn.execute(sql).fetchone()[0]
        manager = one("SELECT u.id FROM \"user\" u JOIN user_role r ON r.user_id = u.id "
                      "WHERE r.role = 'case_manager' ORDER BY u.id LIMIT 1")
        # The manager's case with the longest history (the heaviest case page).
        heaviest = ("SELECT e.case_id FROM case_event e JOIN \"case\" c ON c.id = e.case_id "
                    "WHERE c.case_manager_id = %s "
                    "GROUP BY e.case_id ORDER BY count(*) DESC, e.case_id LIMIT 1")
        case_id = conn.execute(heaviest, (manager,)).fetchone()[0]
        year = one("SELECT max(extract(year FROM opened_at))::int - 1 FROM \"case\"")
    return {"case_id": case_id, "year": year}


def _pages(ids: dict, month: str) -> list[tuple[str, str, str, int]]:
    """(label, role, path, target ms) of every measured page."""
    y, c = ids["year"], ids["case_id"]
    return [
        ("start page (head of service)", "head_of_service", "/", 60),
        ("start page (case manager)", "case_manager", "/", 60),
        ("start page (coordinator)", "coordinator", "/", 60),
        ("start page (specialist)", "specialist", "/", 60),
        ("institution tasks (head of service)", "head_of_service", "/tasks/institution", 60),
        ("my tasks (case manager)", "case_manager", "/tasks", 60),
        ("calendar month (head of service)", "head_of_service", f"/calendar?month={month}", 60),
        ("calendar month (case manager)", "case_manager", f"/calendar?month={month}", 60),
        ("caseload (head of service)", "head_of_service", "/cases/caseload", 50),
        ("case list (head of service)", "head_of_service", "/cases", 50),
        ("case list (case manager)", "case_manager", "/cases", 50),
        ("case page (case manager)", "case_manager", f"/cases/{c}", 60),
        ("case page (head of service)", "head_of_service", f"/cases/{c}", 60),
        ("annual report draft", "coordinator", f"/reports/annual/{y}", 500),
        ("report export JSON", "coordinator", f"/reports/annual/{y}/export.json", 1000),
        ("report export XLSX", "coordinator", f"/reports/annual/{y}/export.xlsx", 1000),
        ("report export PDF", "coordinator", f"/reports/annual/{y}/export.pdf", 2000),
    ]


def _pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


#: Clients requesting at once in the throughput comparison, and for how long each side runs.
THROUGHPUT_CLIENTS = 8
THROUGHPUT_SECONDS = 10.0
THROUGHPUT_TARGET = 0.40


def _throughput(clients: list[Client], path: str, seconds: float) -> float:
    """Requests per second that ``clients`` complete together on ``path``, each client in a
    thread of its own sending its next request as soon as the last one is answered."""
    import threading

    done = [0] * len(clients)
    stop = time.perf_counter() + seconds

    def run(i: int) -> None:
        while time.perf_counter() < stop:
            status, _ms, _q, _body = clients[i].get(path)
            if status == 200:
                done[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started)


def measure_throughput(base: str, email: str, seconds: float = THROUGHPUT_SECONDS) -> dict:
    """The case list's throughput with ``THROUGHPUT_CLIENTS`` concurrent logged-in clients,
    compared with the bare endpoint's under the same load, measured one after the other."""
    clients = [Client(base) for _ in range(THROUGHPUT_CLIENTS)]
    for c in clients:
        c.login(email)
    bare = _throughput(clients, "/_bench/bare?after=100", seconds)
    cases = _throughput(clients, "/cases", seconds)
    ratio = cases / bare if bare else 0.0
    row = {"page": f"case list (case manager), {THROUGHPUT_CLIENTS} clients",
           "requests_per_s": round(cases, 1), "bare_requests_per_s": round(bare, 1),
           "ratio": round(ratio, 3), "target_ratio": THROUGHPUT_TARGET,
           "within_target": ratio >= THROUGHPUT_TARGET}
    print(f"throughput: case list {cases:.1f}/s, bare {bare:.1f}/s, {ratio:.0%}", flush=True)
    return row


def measure_pages(url: str, port: int, runs: int, workers: int,
                  only: str | None = None) -> tuple[list[dict], dict | None]:
    logins = json.loads((RESULTS / "logins.json").read_text())
    ids = _sample_ids(url)
    month = datetime.now(UTC).strftime("%Y-%m")
    proc = _serve(url, port, workers)
    pages = [p for p in _pages(ids, month) if not only or re.search(only, p[0])]
    try:
        base = f"http://127.0.0.1:{port}"
        clients = {}
        for role in {p[1] for p in pages}:
            clients[role] = Client(base)
            clients[role].login(logins[role])
        bare = Client(base)
        rows = []
        for label, role, path, target in pages:
            n = max(3, runs // 4) if "export" in label or "annual" in label else runs
            times, queries, bare_times, status = [], set(), [], None
            clients[role].get(path)  # warm-up (caches, first compile)
            for _ in range(n):
                status, ms, q, _body = clients[role].get(path)
                times.append(ms)
                queries.add(q)
                bare_times.append(bare.get("/_bench/bare?after=100")[1])
            p95 = _pct(times, 95)
            rows.append({"page": label, "path": path, "status": status, "runs": n,
                         "p50_ms": round(_pct(times, 50), 1), "p95_ms": round(p95, 1),
                         "queries": max(queries), "target_ms": target,
                         "bare_p50_ms": round(_pct(bare_times, 50), 2),
                         "ratio_to_bare": round(p95 / max(_pct(bare_times, 50), 0.01), 1),
                         "within_target": status == 200 and p95 <= target})
            print(f"{label:40} p50 {rows[-1]['p50_ms']:8.1f} p95 {p95:8.1f} ms "
                  f"{max(queries):4} q  ({status})", flush=True)
        throughput = (measure_throughput(base, logins["case_manager"])
                      if not only or re.search(only, "throughput") else None)
        return rows, throughput
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def measure_sweeps(url: str, timeout: float) -> list[dict]:
    rows = []
    for label in ("first run after a long downtime", "steady run"):
        started = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-m", "bench.sweep"], env=_env(url),
                                  cwd=ROOT, capture_output=True, text=True, check=False,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            print(f"run-due-jobs {label}: over {timeout} s, stopped", flush=True)
            rows.append({"sweep": f"run-due-jobs, {label}", "seconds": f"> {timeout}",
                         "max_rss_mb": None, "jobs": {}, "exit": "timeout"})
            break
        took = time.perf_counter() - started
        if done.returncode:
            print(done.stderr[-3000:])
            rows.append({"sweep": f"run-due-jobs, {label}", "seconds": round(took, 2),
                         "max_rss_mb": None, "jobs": {}, "exit": done.returncode})
            continue
        out = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append({"sweep": f"run-due-jobs, {label}", "seconds": round(took, 2),
                     "max_rss_mb": out["max_rss_mb"], "jobs": out["jobs"], "exit": 0})
        print(f"run-due-jobs {label}: {took:.2f} s, {out['max_rss_mb']} MB; "
              + ", ".join(f"{k} {v['count']}/{v['seconds']}s" for k, v in out["jobs"].items()),
              flush=True)
    return rows


def write(result: dict) -> None:
    lines = [f"# casework benchmark: {result['cases']} cases, {result['at']}", "",
             f"Data: {json.dumps(result.get('data', {}).get('rows', {}))}", "",
             "| page | p50 ms | p95 ms | queries | target ms | p95 / bare | ok |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in result["pages"]:
        lines.append(f"| {r['page']} | {r['p50_ms']} | {r['p95_ms']} | {r['queries']} | "
                     f"{r['target_ms']} | {r['ratio_to_bare']} | "
                     f"{'yes' if r['within_target'] else 'NO'} |")
    bare = statistics.median(r["bare_p50_ms"] for r in result["pages"]) if result["pages"] else 0
    lines += ["", f"Bare endpoint (one indexed SELECT of 50 cases): p50 {bare} ms"]
    if result.get("throughput"):
        t = result["throughput"]
        lines += ["", "| throughput | requests/s | bare requests/s | ratio | target | ok |",
                  "| --- | ---: | ---: | ---: | ---: | --- |",
                  f"| {t['page']} | {t['requests_per_s']} | {t['bare_requests_per_s']} | "
                  f"{t['ratio']:.0%} | {t['target_ratio']:.0%} | "
                  f"{'yes' if t['within_target'] else 'NO'} |"]
    lines += ["",
              "| sweep | seconds | peak RSS MB |", "| --- | ---: | ---: |"]
    for s in result["sweeps"]:
        lines.append(f"| {s['sweep']} | {s['seconds']} | {s['max_rss_mb']} |")
    (RESULTS / "last.md").write_text("\n".join(lines) + "\n")
    (RESULTS / "last.json").write_text(json.dumps(result, indent=1, default=str))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/cw_bench")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--port", type=int, default=8716)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="keep the generated database")
    parser.add_argument("--no-sweeps", action="store_true")
    parser.add_argument("--only", help="measure only the pages whose label matches this "
                        "regular expression ('throughput' for the concurrent run)")
    parser.add_argument("--sweep-timeout", type=float, default=600,
                        help="stop a run-due-jobs run after this many seconds")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {"cases": args.cases, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    if not args.reuse:
        result["data"] = prepare(args.url, args.cases)
        print(f"generated {args.cases} cases in {result['data']['seconds']} s", flush=True)
    else:
        vacuum(args.url)
    result["pages"], result["throughput"] = measure_pages(args.url, args.port, args.runs,
                                                          args.workers, args.only)
    result["sweeps"] = [] if args.no_sweeps else measure_sweeps(args.url, args.sweep_timeout)
    write(result)
    print((RESULTS / "last.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
