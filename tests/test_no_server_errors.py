"""No input gives a server error: every route of the URL map, as every role, with bad input.

The walker takes every rule of ``app.url_map`` and sends, as each role (and anonymously):
valid ids of the user's own municipality and of another one, ids beyond PostgreSQL's integer
range, zero and negative ids, NUL bytes, overlong values, dates in the year 1 and 9999, a
``javascript:`` link, duplicate and foreign ids in multi-selects, in the path, the query string
and the form (with a valid CSRF token), and every workflow trigger to the transition forms.
Any 5xx answer is a failure. The data set (two municipalities) is built once for the module.

To stay fast: bad path values (which no rule matches, so no view runs) take turns between the
roles, each role sending one to every rule; and once a role is refused a page before any input
is read (401/403/404, or the redirect to the login page), no more payloads go to that page.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from werkzeug.routing.converters import NumberConverter
from wtforms.fields import (
    BooleanField,
    DateField,
    DateTimeField,
    DateTimeLocalField,
    IntegerField,
    MonthField,
    SelectField,
    SelectMultipleField,
)
from wtforms.fields.core import UnboundField

from casework.extensions import db, limiter
from tests.conftest import clean_database
from tests.world import PASSWORD, build_world, inspector

ROLES = ("anonymous", "admin", "coordinator", "head_of_service", "case_manager", "specialist",
         "inspector", "auditor")

HUGE = ("2147483648", "99999999999999999999")
NUL = "a\x00b"
LONG = "x" * 20001
QUERY_INTS = ("page", "per_page", "year", "case_manager_id", "institution_id", "user_id",
              "after", "before")
QUERY_TEXTS = ("status", "risk", "category", "q", "action", "next", "cancelled",
               "review_overdue", "user", "case", "number", "from", "to", "flagged", "sort")
REFUSED = {401, 403, 404}
PARAM = re.compile(r"<(?:[^<>]*:)?(\w+)>")


@pytest.fixture(autouse=True)
def _clean_database(app):
    """Overrides the per-test cleanup: the data set lives for the whole module; rate limits
    (the anonymous walk fails many logins) are reset after each test."""
    yield
    limiter.reset()


@pytest.fixture(scope="module")
def worlds(app):
    clean_database(app)
    with app.app_context():
        home = build_world("0990001", "a")
        other = build_world("0990002", "b")
        inspector()
        db.session.remove()
    yield {"home": home, "other": other}
    clean_database(app)


# -- what to send ------------------------------------------------------------------------------
def _form_fields() -> dict[str, str]:
    """Every field name of every form, with the kind of value it takes."""
    import casework.admin.forms as admin_forms
    from casework import forms as base
    from casework.policies.operations import POLICY_LABELS

    for module in ("admin", "auth", "calendars", "cases", "decisions", "groups",
                   "notifications", "reports", "tasks"):
        __import__(f"casework.{module}.forms")
    classes, todo = [], [base.BaseForm]
    while todo:
        cls = todo.pop()
        classes.append(cls)
        todo.extend(cls.__subclasses__())
    classes.append(admin_forms.policy_form(POLICY_LABELS))
    kinds: dict[str, str] = {}
    for cls in classes:
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            if not isinstance(unbound, UnboundField):
                continue
            field_class = unbound.field_class
            if issubclass(field_class, SelectMultipleField):
                kind = "ids" if unbound.kwargs.get("coerce") is int else "choices"
            elif issubclass(field_class, SelectField):
                kind = "int" if unbound.kwargs.get("coerce") is int else "choice"
            elif issubclass(field_class, IntegerField):
                kind = "int"
            elif issubclass(field_class, (DateTimeLocalField, DateTimeField)):
                kind = "datetime"
            elif issubclass(field_class, MonthField):
                kind = "month"
            elif issubclass(field_class, DateField):
                kind = "date"
            elif issubclass(field_class, BooleanField):
                kind = "bool"
            else:
                kind = "text"
            kinds.setdefault(name, kind)
    return kinds


def _form_payloads(world: dict, other: dict) -> list[dict]:
    """The bodies sent to every POST route (a CSRF token is added)."""
    fields = _form_fields()
    uid = str(world["user_ids"]["specialist"])
    foreign = str(other["user_ids"]["specialist"])
    values = {
        "nul": {"int": "1\x00", "ids": ["1\x00"], "date": "2026-01-01\x00", "month": NUL,
                "datetime": "2026-01-01T10:00\x00", "text": NUL, "bool": NUL, "choice": NUL,
                "choices": [NUL]},
        "huge": {"int": HUGE[0], "ids": [HUGE[0], uid], "date": "0001-01-01",
                 "month": "0001-01", "datetime": "0001-01-01T00:00", "text": LONG,
                 "bool": "y", "choice": LONG, "choices": [LONG]},
        "huger": {"int": HUGE[1], "ids": [HUGE[1]], "date": "9999-12-31", "month": "9999-12",
                  "datetime": "9999-12-31T23:59", "text": "javascript:alert(1)", "bool": "y",
                  "choice": "x", "choices": ["x"]},
        "odd": {"int": foreign, "ids": [foreign, "0", "-1", uid, uid], "date": "1-1-1",
                "month": "2026-13", "datetime": "2026-03-29T03:30", "text": "/relative",
                "bool": "", "choice": "group", "choices": ["neglect", "neglect"]},
        "plausible": {"int": uid, "ids": [uid], "date": date.today().isoformat(),
                      "month": date.today().strftime("%Y-%m"),
                      "datetime": f"{date.today() + timedelta(days=1)}T10:00",
                      "text": "Iemesls ir pietiekami garš.", "bool": "y", "choice": "",
                      "choices": []},
    }
    payloads = []
    for kind, by_type in values.items():
        body = {name: by_type[field_kind] for name, field_kind in fields.items()}
        extra = by_type["text"] if kind not in ("huge", "plausible") else by_type["int"]
        body.update({"action": extra, "active": extra, "lang": extra, "back": extra,
                     f"status-{uid}": extra, "version": by_type["int"],
                     "trigger": extra})
        payloads.append(body)
    return payloads


def _query_payloads() -> list[dict]:
    """The query strings sent to every GET route."""
    return [
        {**dict.fromkeys(QUERY_INTS + QUERY_TEXTS, NUL), "month": NUL, "week": NUL,
         "day": NUL},
        {**dict.fromkeys(QUERY_INTS, HUGE[0]), **dict.fromkeys(QUERY_TEXTS, LONG),
         "month": "0001-01", "day": "0001-01-01"},
        {**dict.fromkeys(QUERY_INTS, HUGE[1]), **dict.fromkeys(QUERY_TEXTS, "0"),
         "month": "9999-12", "week": "9999-W52", "year": "9999", "per_page": "-1"},
    ]


def _triggers() -> dict[str, list[str]]:
    """The workflow triggers each transition form takes."""
    from workflows import annual_report, case_lifecycle, decision, meeting, risk_profile

    return {"cases.case_transition": list(case_lifecycle.TRIGGER_LABELS),
            "cases.case_risk": list(risk_profile.TRIGGER_LABELS),
            "groups.transition": list(meeting.TRIGGER_LABELS),
            "decisions.decision_advance": list(decision.TRIGGER_LABELS),
            "reports.annual_transition": list(annual_report.TRIGGER_LABELS),
            "reports.review": list(annual_report.TRIGGER_LABELS)}


# -- which URLs ---------------------------------------------------------------------------------
def _valid(rule, name: str, ids: dict) -> list[str]:
    """Valid values of the path parameter ``name`` of ``rule`` in one municipality."""
    args = rule.arguments
    if name == "decision_id":
        return [ids["draft_decision_id"] if "meeting_id" in args else ids["decision_id"]]
    if name == "task_id":
        return [ids["draft_task_id"] if "meeting_id" in args else ids["task_id"]]
    if name == "member_id":
        return [ids["case_member_id"] if "case_id" in args else ids["member_id"]]
    if name == "meeting_id":
        return [ids["meeting_id"], ids["past_meeting_id"], ids["case_meeting_id"]]
    if name == "group_id":
        return [ids["group_id"], ids["case_group_id"]]
    if name == "year":
        return [ids["year"], ids["draft_year"]]
    if name == "fmt":
        return ["json"]
    if name == "action":
        return list(rule._converters[name].items) if hasattr(
            rule._converters[name], "items") else ["unlock"]
    return [ids[name]]


def _path(rule, values: dict) -> str:
    return PARAM.sub(lambda m: quote(str(values[m.group(1)]), safe=""), rule.rule)


def _paths(rule, home: dict, other: dict, turn: int) -> tuple[list[str], list[str], list[str]]:
    """(valid paths of the home municipality: every payload goes to the first; the other
    municipality's path; bad paths). Bad path values take turns between the roles, so that
    every role sends one to every rule and every value reaches every rule."""
    names = PARAM.findall(rule.rule)
    if not names:
        return [rule.rule], [], []
    base = {n: _valid(rule, n, home["ids"])[0] for n in names}
    variants = [_path(rule, base)]
    for n in names:
        variants.extend(_path(rule, {**base, n: value})
                        for value in _valid(rule, n, home["ids"])[1:])
    foreign = [_path(rule, {n: _valid(rule, n, other["ids"])[0] for n in names})]
    numeric = [n for n in names if isinstance(rule._converters[n], NumberConverter)]
    bad = []
    if numeric:
        value = (*HUGE, "0")[turn % 3]
        bad.append(_path(rule, {**base, **dict.fromkeys(numeric, value)}))
        if len(numeric) > 1:  # the last id alone bad, the others valid
            bad.append(_path(rule, {**base, numeric[-1]: HUGE[turn % 2]}))
    for n in set(names) - set(numeric):
        # Non-digits never match an int converter; a string parameter gets those instead.
        bad.append(_path(rule, {**base, n: (NUL, LONG[:3000], HUGE[1])[turn % 3]}))
    return variants, foreign, bad


def _rules(app):
    # Routes of only other methods (the API's PUT) are walked by tests/api/test_schemathesis.py.
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"
             and r.methods & {"GET", "POST"}]
    # Logging out (and the password form) last: they end or change the session.
    last = {"auth.change_password": 1, "auth.logout": 2}
    return sorted(rules, key=lambda r: (last.get(r.endpoint, 0), r.rule))


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_a_server_error_to_bad_input(app, worlds, role):
    home, other = worlds["home"], worlds["other"]
    client = app.test_client()
    if role != "anonymous":
        email = "inspector.world@example.lv" if role == "inspector" else home["logins"][role]
        assert client.login(email, PASSWORD).status_code == 302
    token = client.csrf_token("/login" if role == "anonymous" else "/notifications/settings")
    forms = _form_payloads(home, other)
    queries = _query_payloads()
    triggers = _triggers()
    failures, sent = [], 0

    def send(method, path, payload=None):
        nonlocal sent
        sent += 1
        try:
            if method == "GET":
                response = client.get(path, query_string=payload)
            else:
                response = client.post(path, data=dict(payload or {}, csrf_token=token))
        except Exception as error:  # noqa: BLE001 - an error in an error handler is a 500 too
            failures.append((method, path, repr(error)[:200], sorted((payload or {}).items())[:3]))
            return 500
        if response.status_code >= 500:
            failures.append((method, path, response.status_code,
                             sorted((payload or {}).items())[:3]))
        if response.status_code == 302 and "/login" in response.location:
            return 401
        return response.status_code

    for rule in _rules(app):
        variants, foreign, bad = _paths(rule, home, other, ROLES.index(role))
        methods = sorted(rule.methods & {"GET", "POST"})
        # A bad path value does not reach a view (the rule does not match): one method will do.
        for path in bad:
            send(methods[0], path)
        for method in methods:
            if send(method, variants[0]) in REFUSED:
                # Refused before any input is read (login, role, scope): nothing more to try.
                continue
            for path in variants[1:] + foreign:
                send(method, path)
            for payload in queries if method == "GET" else forms:
                send(method, variants[0], payload)
            for trigger in triggers.get(rule.endpoint, ()) if method == "POST" else ():
                send(method, variants[0], {**forms[-1], "trigger": trigger, "version": ""})
    print(f"{role}: {sent} requests")
    assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(
        repr(f)[:300] for f in failures)
