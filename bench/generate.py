"""A fast, parametric generator of valid national-scale data, loaded with PostgreSQL COPY.

``generate(url, cases=N)`` fills an empty, migrated database with N cases spread over
municipalities (the first one holds a fifth of them, as the largest municipality would), each
with its referral, persons, interprofessional group (the case manager and two specialists),
a history that is consistent with the case's present status and colour (every transition from
``registered`` to where it stands, every risk change to its present colour), meetings of every
status with attendance, decisions with client participation, tasks of every status with
deadlines around today (so that some are overdue and some due tomorrow), and audit events that
form a valid hash chain. Per case, on average: 10 events, 3 meetings, 5 tasks, 30 audit rows
(the proportions of the national measurement: 100 000 cases, 1 M events, 300 000 meetings,
500 000 tasks, 3 M audit rows).

Every row is computed in Python from a seeded random generator and streamed with
``COPY ... FROM STDIN`` (no ORM, no per-row INSERT); sequences are moved past the ids used.
Every user's password is ``BENCH_PASSWORD``; the users to log in as are returned by ``logins``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import psycopg
from werkzeug.security import generate_password_hash

from casework.cases.search import person_search_name

BENCH_PASSWORD = "bench-parole-2026"  # noqa: S105 - a benchmark's own test users
GENESIS = "0" * 64
CATEGORIES = ("violence", "neglect", "school_absence", "addiction", "behaviour", "other")
OTHER_KINDS = ("orphans_court", "municipal_police", "state_police", "education_board", "school",
               "school", "preschool", "health_care", "probation", "ngo")
#: Lifecycle paths from registration to each present status: (trigger, destination) pairs.
PATHS = {
    "registered": [],
    "assessment": [("start_assessment", "assessment")],
    "intervention": [("start_assessment", "assessment"), ("start_intervention", "intervention")],
    "crisis": [("start_assessment", "assessment"), ("start_intervention", "intervention"),
               ("escalate_crisis", "crisis")],
    "monitoring": [("start_assessment", "assessment"), ("start_intervention", "intervention"),
                   ("start_monitoring", "monitoring")],
    "inactive": [("start_assessment", "assessment"), ("start_intervention", "intervention"),
                 ("deactivate", "inactive")],
    "closed": [("start_assessment", "assessment"), ("start_intervention", "intervention"),
               ("start_monitoring", "monitoring"), ("close", "closed")],
}
STATUS_WEIGHTS = {"registered": 3, "assessment": 10, "intervention": 35, "crisis": 2,
                  "monitoring": 15, "inactive": 5, "closed": 30}
REVIEW_DAYS = {"red": 14, "yellow": 42, "green": 91}
CLOSURE_REASONS = ("goals_achieved", "moved", "came_of_age", "passed_on", "refused", "other")
RISK_TRIGGER = {("green", "yellow"): "raise_to_yellow", ("yellow", "red"): "raise_to_red",
                ("green", "red"): "raise_to_red", ("red", "yellow"): "lower_to_yellow",
                ("yellow", "green"): "lower_to_green"}


@dataclass
class Sink:
    """Rows per table, in column order, and the next id per table."""

    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rows: dict[str, list[tuple]] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def table(self, name: str, *columns: str) -> None:
        self.columns[name] = columns
        self.rows[name] = []
        self.ids[name] = 0

    def add(self, name: str, *values) -> int:
        """Append a row whose first column is ``id`` (given here); returns the id."""
        self.ids[name] += 1
        self.rows[name].append((self.ids[name], *values))
        return self.ids[name]

    def add_plain(self, name: str, *values) -> None:
        self.rows[name].append(values)


def _audit_key() -> bytes:
    """The audit key the app will verify the chain with (``CASEWORK_AUDIT_KEY`` or the one
    generated into the instance folder), as ``casework.audit.operations.compute_hash``."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config["AUDIT_KEY"].encode("utf-8")
    from casework import create_app

    return create_app().config["AUDIT_KEY"].encode("utf-8")


def _tables(sink: Sink) -> None:
    t = sink.table
    t("municipality", "id", "name", "atvk_code", "created_at")
    t("institution", "id", "municipality_id", "kind", "name", "active", "created_at")
    t("user", "id", "institution_id", "email", "full_name", "password_hash",
      "must_change_password", "active", "failed_login_count", "notify_by", "created_at")
    t("user_role", "user_id", "role")
    t("case", "id", "municipality_id", "year", "seq", "number", "status", "risk",
      "case_manager_id", "owner_institution_id", "opened_at", "closed_at", "closure_reason",
      "next_review_due", "crisis_started_at", "risk_changed_at", "version")
    t("case_number_counter", "municipality_id", "year", "last")
    t("case_category", "case_id", "category")
    t("case_person", "id", "case_id", "role", "given_name", "family_name", "personal_code",
      "birth_date", "created_at", "search_name")
    t("referral", "id", "municipality_id", "reporting_institution_id", "reported_by_id",
      "received_at", "child_given_name", "child_family_name", "child_personal_code",
      "child_birth_date", "description", "proposed_urgency", "triage_due_at", "triaged_at",
      "triaged_by_id", "outcome", "assigned_risk", "case_id")
    t("referral_category", "referral_id", "category")
    t("case_event", "id", "case_id", "municipality_id", "at", "actor_id", "machine", "trigger",
      "from_state", "to_state", "reason", "decision_id", "details")
    t("cooperation_group", "id", "municipality_id", "kind", "name", "case_id", "lead_id",
      "active", "created_at")
    t("group_member", "id", "group_id", "user_id", "institution_id", "role_in_group",
      "member_from", "member_to")
    t("meeting", "id", "group_id", "municipality_id", "kind", "title", "starts_at", "ends_at",
      "place", "chair_id", "minute_taker_id", "status", "held_at", "minutes", "minutes_approved_at",
      "minutes_approved_by_id", "created_by_id", "created_at", "version")
    t("attendance", "id", "meeting_id", "user_id", "institution_id", "status", "invited_at")
    t("decision", "id", "group_id", "municipality_id", "meeting_id", "kind", "number", "seq",
      "year", "text", "responsible_institution_id", "due_date", "status", "published_at",
      "created_at", "version")
    t("client_participation", "id", "case_id", "person_id", "decision_id", "subject",
      "informed", "informed_on", "informed_by_id", "method", "opinion", "attended",
      "created_at")
    t("task", "id", "municipality_id", "title", "assignee_id", "assignee_institution_id",
      "due_date", "status", "completion_note", "case_id", "meeting_id", "decision_id",
      "created_by_id", "created_at", "issued_at", "closed_at", "closed_by_id", "version")
    t("audit_event", "id", "at", "user_id", "municipality_id", "ip", "action", "object_type",
      "object_id", "details", "flagged", "prev_hash", "hash")


@dataclass
class Muni:
    id: int
    cases: int
    social: list[int] = field(default_factory=list)
    others: list[tuple[int, str]] = field(default_factory=list)
    managers: list[tuple[int, int]] = field(default_factory=list)  # (user, institution)
    specialists: list[tuple[int, int]] = field(default_factory=list)
    heads: list[tuple[int, int]] = field(default_factory=list)
    coordinator: int = 0


def _split(cases: int) -> list[int]:
    """Cases per municipality: a fifth in the first, the rest in municipalities of ~2 000."""
    big = max(1, cases // 5)
    rest = cases - big
    n = max(1, round(rest / 2000)) if rest else 0
    return [big] + [rest // n + (1 if i < rest % n else 0) for i in range(n)] if n else [big]


class Generator:
    """Builds every row in memory, table by table (a few hundred bytes per case)."""

    def __init__(self, cases: int, *, seed: int = 16, today: date | None = None,
                 audit_per_case: int = 30) -> None:
        self.rng = random.Random(seed)
        self.cases = cases
        self.today = today or datetime.now(UTC).date()
        self.now = datetime.combine(self.today, datetime.min.time(), tzinfo=UTC) + \
            timedelta(hours=9)
        self.audit_per_case = audit_per_case
        self.sink = Sink()
        _tables(self.sink)
        self.munis: list[Muni] = []
        self.logins: dict[str, str] = {}
        self.password_hash = generate_password_hash(BENCH_PASSWORD, method="pbkdf2:sha256:1000")
        self.code_seq = 0

    # -- organisations and users -----------------------------------------------------------
    def _user(self, muni: Muni, institution_id: int, role: str, *more_roles: str) -> int:
        s = self.sink
        n = s.ids["user"] + 1
        email = f"{role}.{n}@m{muni.id}.bench.lv"
        uid = s.add("user", institution_id, email, f"{role.title()} {n}", self.password_hash,
                    False, True, 0, "immediate", self.now)
        for r in (role, *more_roles):
            s.add_plain("user_role", uid, r)
        if muni.id == 1 and role not in self.logins:
            self.logins[role] = email
        return uid

    def organisations(self) -> None:
        s = self.sink
        for i, n_cases in enumerate(_split(self.cases), start=1):
            s.add("municipality", f"Bench novads {i}", f"{900000 + i:07d}", self.now)
            muni = Muni(i, n_cases)
            for k in range(max(1, n_cases // 2500)):
                muni.social.append(s.add("institution", i, "social_service",
                                         f"Sociālais dienests {i}.{k}", True, self.now))
            for kind in OTHER_KINDS:
                name = f"{kind} {i}.{len(muni.others)}"
                muni.others.append((s.add("institution", i, kind, name, True, self.now),
                                    kind))
            for inst in muni.social:
                muni.heads.append((self._user(muni, inst, "head_of_service"), inst))
            for k in range(max(2, n_cases // 25)):
                inst = muni.social[k % len(muni.social)]
                muni.managers.append((self._user(muni, inst, "case_manager"), inst))
            for k in range(max(len(OTHER_KINDS), n_cases // 40)):
                inst = muni.others[k % len(muni.others)][0]
                muni.specialists.append((self._user(muni, inst, "specialist"), inst))
            muni.coordinator = self._user(muni, muni.others[3][0], "coordinator")
            self._user(muni, muni.social[0], "admin")
            self._user(muni, muni.social[0], "auditor")
            self.munis.append(muni)
        inspector = s.add("user", None, "inspector@bac.bench.lv", "Inspektors",
                          self.password_hash, False, True, 0, "immediate", self.now)
        s.add_plain("user_role", inspector, "inspector")
        self.logins["inspector"] = "inspector@bac.bench.lv"

    # -- cases -----------------------------------------------------------------------------
    def _code(self, birth: date) -> str:
        self.code_seq += 1
        return f"{birth:%d%m%y}-{self.code_seq % 100000:05d}"

    def _strategic(self, muni: Muni) -> None:
        s, r = self.sink, self.rng
        start = self.now - timedelta(days=900)
        gid = s.add("cooperation_group", muni.id, "strategic", f"Stratēģiskā grupa {muni.id}",
                    None, muni.coordinator, True, start)
        members = [muni.heads[0]] + [muni.specialists[k] for k in range(len(OTHER_KINDS))]
        for uid, inst in members:
            s.add("group_member", gid, uid, inst, None, start, None)
        for k in range(12):
            at = self.now - timedelta(days=60 * k - 20)
            status = "planned" if at > self.now else "minutes_approved"
            mid = s.add("meeting", gid, muni.id, "supervision" if k % 6 == 5 else "regular",
                        None, at,
                        at + timedelta(hours=2), "Dome", muni.coordinator, muni.coordinator,
                        status, at if status != "planned" else None, None,
                        at + timedelta(days=1) if status != "planned" else None,
                        muni.coordinator if status != "planned" else None, muni.coordinator,
                        at - timedelta(days=14), 1)
            for uid, inst in members:
                s.add("attendance", mid, uid, inst,
                      "invited" if status == "planned" else r.choice(("attended", "excused")),
                      at - timedelta(days=14))
            if status == "minutes_approved":
                year = at.year
                seq = k + 1
                s.add("decision", gid, muni.id, mid,
                      r.choice(("decision", "decision", "proposal_state")),
                      f"SG-{year}/{seq:02d}-{mid}", None, year, "Lēmums", members[1][1],
                      (at + timedelta(days=30)).date(),
                      r.choice(("pending", "in_progress", "executed", "not_executed")),
                      at + timedelta(days=1), at, 1)

    def cases_and_history(self) -> None:
        for muni in self.munis:
            self._strategic(muni)
            counters: dict[int, int] = {}
            for _ in range(muni.cases):
                self._case(muni, counters)
            for year, last in counters.items():
                self.sink.add_plain("case_number_counter", muni.id, year, last)
            for _ in range(max(3, muni.cases // 200)):  # referrals waiting for triage
                self._referral(muni, None, self.now - timedelta(hours=self.rng.randint(1, 96)),
                               None, "yellow")

    def _referral(self, muni: Muni, case_id, received, triager, risk) -> int:
        s, r = self.sink, self.rng
        birth = self.today - timedelta(days=r.randint(200, 17 * 365))
        inst, _kind = r.choice(muni.others)
        reporter = r.choice(muni.specialists)[0]
        due = received + timedelta(days=1)
        rid = s.add("referral", muni.id, inst, reporter, received, "Bērns", "Ziņojuma",
                    None, birth, "Ziņojums", risk, due,
                    received + timedelta(hours=r.randint(1, 40)) if case_id else None,
                    triager, "new_case" if case_id else None, risk if case_id else None,
                    case_id)
        s.add_plain("referral_category", rid, r.choice(CATEGORIES))
        return rid

    def _case(self, muni: Muni, counters: dict[int, int]) -> None:
        s, r = self.sink, self.rng
        status = r.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        age_days = r.randint(5, 365 * 3 if status != "closed" else 365 * 6)
        opened = self.now - timedelta(days=age_days, minutes=r.randint(0, 600))
        risks = ["green", "yellow", "red"]
        risk = "red" if status == "crisis" else r.choices(risks, weights=(50, 35, 15))[0]
        if status in ("closed", "inactive", "monitoring") and risk == "red":
            risk = "yellow"
        manager, inst = r.choice(muni.managers)
        if status == "registered" and r.random() < 0.5:
            manager = None
        year = opened.year
        counters[year] = seq = counters.get(year, 0) + 1
        number = f"{year}/{seq:04d}"
        case_id = s.ids["case"] + 1
        # History: opened, then the lifecycle path and risk changes spread over the case's age.
        start_risk = risk if r.random() < 0.6 else r.choice(risks)
        risk_path = [start_risk]
        if start_risk != risk:
            if {start_risk, risk} == {"green", "red"} and start_risk == "red":
                risk_path.append("yellow")
            risk_path.append(risk)
        path = PATHS[status]
        steps = len(path) + len(risk_path) - 1
        moments = sorted(opened + timedelta(seconds=r.randint(60, max(120, age_days * 86000)))
                         for _ in range(steps + 6))
        events: list[tuple] = [(opened, "lifecycle", "opened", None, "registered",
                                {"risk": start_risk})]
        lifecycle_moments = moments[:steps]
        r.shuffle(lifecycle_moments)
        lm = sorted(lifecycle_moments[:len(path)])
        rm = sorted(lifecycle_moments[len(path):])
        prev = "registered"
        closure = r.choice(CLOSURE_REASONS) if status == "closed" else None
        for (trigger, dest), at in zip(path, lm, strict=True):
            details = {"closure_reason": closure} if trigger == "close" else {}
            events.append((at, "lifecycle", trigger, prev, dest, details))
            prev = dest
        for (a, b), at in zip(zip(risk_path, risk_path[1:], strict=False), rm, strict=True):
            events.append((at, "risk", RISK_TRIGGER[(a, b)], a, b, {}))
        for at in moments[steps:]:
            events.append((at, "case", "reviewed", None, None, {}))
        events.sort(key=lambda e: e[0])
        last_event = events[-1][0]
        closed_at = lm[-1] if status == "closed" else None
        crisis_at = lm[-1] if status == "crisis" else None
        risk_changed = rm[-1] if rm else opened
        review = None if status == "closed" else \
            (self.today + timedelta(days=r.randint(-20, REVIEW_DAYS[risk])))
        s.add("case", muni.id, year, seq, number, status, risk, manager, inst, opened, closed_at,
              closure, review,
              crisis_at, risk_changed if risk == "red" else (rm[-1] if rm else None), 1)
        for c in r.sample(CATEGORIES, r.choice((1, 1, 2))):
            s.add_plain("case_category", case_id, c)
        actor = manager or muni.heads[0][0]
        for at, machine, trigger, frm, to, details in events:
            s.add("case_event", case_id, muni.id, at, actor, machine, trigger, frm, to,
                  "Iemesls" if machine != "case" else None, None, json.dumps(details))
        birth = self.today - timedelta(days=r.randint(100, 17 * 365 + 300))
        child = s.add("case_person", case_id, "child", "Bērns", f"Lieta{case_id}",
                      self._code(birth), birth, opened,
                      person_search_name("Bērns", f"Lieta{case_id}"))
        s.add("case_person", case_id, "parent", "Vecāks", f"Lieta{case_id}", None,
              birth - timedelta(days=365 * 28), opened,
              person_search_name("Vecāks", f"Lieta{case_id}"))
        self._referral(muni, case_id, opened - timedelta(hours=r.randint(2, 30)),
                       manager or muni.managers[0][0], start_risk)
        # The interprofessional group: the case manager and two specialists.
        gid = s.add("cooperation_group", muni.id, "interprofessional", f"Lieta {number}",
                    case_id, manager, True, opened)
        members = ([(manager, inst)] if manager else []) + r.sample(muni.specialists, 2)
        for uid, m_inst in members:
            s.add("group_member", gid, uid, m_inst, None, opened, None)
        chair = manager or members[0][0]
        self._meetings(muni, case_id, gid, child, chair, members, opened, status, last_event)
        self._tasks(muni, case_id, members, opened, status, closed_at)
        self._audit(muni, case_id, members, opened)

    def _meetings(self, muni, case_id, gid, child, chair, members, opened, status, last) -> None:
        s, r = self.sink, self.rng
        n = 0 if status == "registered" else r.choice((1, 2, 3, 3, 4, 5))
        seqs: dict[int, int] = {}
        for k in range(n):
            future = status not in ("closed",) and k == n - 1 and r.random() < 0.35
            if future:
                at = self.now + timedelta(days=r.randint(0, 45), hours=r.randint(0, 8))
                mstatus = "planned"
            else:
                span = max(1, int((min(last, self.now) - opened).total_seconds()))
                at = opened + timedelta(seconds=r.randint(0, span))
                mstatus = r.choices(("minutes_approved", "held", "cancelled"),
                                    weights=(85, 5, 10))[0]
            held = at if mstatus in ("held", "minutes_approved") else None
            approved = at + timedelta(days=2) if mstatus == "minutes_approved" else None
            mid = s.add("meeting", gid, muni.id, "regular", None, at, at + timedelta(hours=1),
                        "Sociālais dienests", chair, chair, mstatus, held,
                        "Protokols" if held else None, approved, chair if approved else None,
                        chair, at - timedelta(days=5), 1)
            for uid, inst in members:
                s.add("attendance", mid, uid, inst, "attended" if held else "invited",
                      at - timedelta(days=5))
            if approved:
                seqs[approved.year] = seq = seqs.get(approved.year, 0) + 1
                did = s.add("decision", gid, muni.id, mid, "decision",
                            f"SPG-{approved.year}/{seq:02d}",
                            seq, approved.year, "Lēmums", members[-1][1],
                            (approved + timedelta(days=30)).date(),
                            r.choice(("pending", "in_progress", "executed", "executed")),
                            approved, at, 1)
                if r.random() < 0.7:
                    informed = r.random() < 0.85
                    s.add("client_participation", case_id, child, did, "Lēmums", informed,
                          approved.date() if informed else None, chair, "meeting",
                          "Viedoklis" if r.random() < 0.6 else None, True, approved)

    def _tasks(self, muni, case_id, members, opened, status, closed_at) -> None:
        s, r = self.sink, self.rng
        meeting_ids = [m for m in range(s.ids["meeting"], 0, -1)][:1]
        for _ in range(r.choice((3, 4, 5, 6, 7))):
            uid, inst = r.choice(members)
            created = opened + timedelta(days=r.randint(0, 30))
            if status == "closed" or r.random() < 0.55:
                tstatus = "done" if r.random() < 0.9 else "cancelled"
                due = (created + timedelta(days=r.randint(3, 30))).date()
                closed = min(created + timedelta(days=r.randint(1, 35)),
                             closed_at or self.now)
                closed = max(closed, created)
            else:
                tstatus, closed = "open", None
                due = self.today + timedelta(days=r.randint(-40, 30))
            s.add("task", muni.id, "Uzdevums", uid, inst, due, tstatus,
                  "Izpildīts" if tstatus == "done" else None, case_id,
                  meeting_ids[0] if meeting_ids and r.random() < 0.2 else None, None,
                  members[0][0], created, created, closed, uid if closed else None, 1)

    def _audit(self, muni, case_id, members, opened) -> None:
        s = self.sink
        n = self.audit_per_case
        uid = members[0][0]
        for k in range(n):
            at = opened + timedelta(hours=k)
            s.add("audit_event", at, uid, muni.id, "127.0.0.1", "case_viewed", "case",
                  str(case_id), "{}", False, None, None)

    def chain_audit(self) -> None:
        """Order the audit rows by time and give them a valid hash chain (as ``record``)."""
        rows = sorted(self.sink.rows["audit_event"], key=lambda row: row[1])
        key = _audit_key()
        prev = GENESIS
        out = []
        for i, row in enumerate(rows, start=1):
            _, at, uid, mid, ip, action, otype, oid, details, flagged, _p, _h = row
            payload = json.dumps({"prev": prev, "at": at.isoformat(), "user": uid,
                                  "municipality": mid, "ip": ip, "action": action,
                                  "object_type": otype, "object_id": oid, "details": {},
                                  "flagged": flagged}, sort_keys=True, ensure_ascii=False,
                                 separators=(",", ":"))
            digest = hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()
            out.append((i, at, uid, mid, ip, action, otype, oid, details, flagged, prev, digest))
            prev = digest
        self.sink.rows["audit_event"] = out

    def build(self) -> Sink:
        self.organisations()
        self.cases_and_history()
        self.chain_audit()
        return self.sink


def load(url: str, sink: Sink) -> dict[str, int]:
    """COPY every table into the (empty, migrated) database at ``url``; rows per table."""
    counts = {}
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # FKs checked by construction
        for table, columns in sink.columns.items():
            cols = ", ".join(f'"{c}"' for c in columns)
            with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for row in sink.rows[table]:
                    copy.write_row(row)
            counts[table] = len(sink.rows[table])
            if "id" in columns and sink.rows[table]:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                            f"{max(r[0] for r in sink.rows[table])})")
        cur.execute("SET session_replication_role = origin")
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")
    return counts


def generate(url: str, cases: int, *, seed: int = 16, today: date | None = None,
             audit_per_case: int = 30) -> tuple[dict[str, int], dict[str, str]]:
    """Generate and load ``cases`` cases; returns (rows per table, {role: e-mail to log in})."""
    gen = Generator(cases, seed=seed, today=today, audit_per_case=audit_per_case)
    sink = gen.build()
    return load(url, sink), gen.logins
