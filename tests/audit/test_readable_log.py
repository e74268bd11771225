"""The data protection officer's audit log in words, its filters, keyset paging and CSV, and
"who has seen this case" (issue 14, parts 1 and 2; issue 18.3 for the list)."""

from __future__ import annotations

import ast
import csv
import io
import pathlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select, update

from casework.audit import labels
from casework.audit.models import AuditEvent
from casework.audit.operations import record, verify_chain
from casework.cases import operations as case_ops
from casework.extensions import db
from casework.groups import operations as group_ops
from casework.groups.models import CooperationGroup
from tests.conftest import audit_actions

ROOT = pathlib.Path(__file__).resolve().parents[2]


# -- every action code has words ------------------------------------------------------------
def _workflow_triggers(module_name: str) -> list[str]:
    import importlib

    module = importlib.import_module(f"workflows.{module_name}")
    return [t["trigger"] for t in module.TRANSITIONS]


#: f-string prefixes of ``record(f"<prefix>{trigger}")`` and the workflow whose triggers fill
#: them in.
_PREFIX_WORKFLOWS = {"decision_": "decision", "annual_report_": "annual_report"}


def _codes_in(expr, assigned: dict[str, set[str]]) -> set[str]:
    """The action codes an expression passed to ``record`` can take."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        return _codes_in(expr.body, assigned) | _codes_in(expr.orelse, assigned)
    if isinstance(expr, ast.JoinedStr):
        prefix = "".join(v.value for v in expr.values[:1] if isinstance(v, ast.Constant))
        workflow = _PREFIX_WORKFLOWS.get(prefix)
        assert workflow, f"record(f'{prefix}...') needs its workflow in _PREFIX_WORKFLOWS"
        return {prefix + t for t in _workflow_triggers(workflow)}
    if isinstance(expr, ast.Name):
        codes = assigned.get(expr.id, set())
        assert codes, f"record({expr.id}, ...): no string assigned to {expr.id}"
        return codes
    raise AssertionError(f"record() called with an action the test cannot read: {ast.dump(expr)}")


def recorded_action_codes() -> set[str]:
    """Every action code that ``record()`` or ``record_read()`` is called with in the code."""
    codes: set[str] = set()
    for path in (ROOT / "casework").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            assigned: dict[str, set[str]] = {}
            for node in ast.walk(func):
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                        and isinstance(node.value.value, str):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            assigned.setdefault(target.id, set()).add(node.value.value)
            for node in ast.walk(func):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                        and node.func.id in ("record", "record_read") and node.args \
                        and func.name not in ("record", "record_read"):
                    codes |= _codes_in(node.args[0], assigned)
    return codes


def test_every_action_code_recorded_anywhere_has_a_label():
    codes = recorded_action_codes()
    assert {"case_viewed", "meeting_viewed", "decision_mark_executed",
            "annual_report_submit", "calendar_feed_rotated", "user_deactivated"} <= codes
    assert sorted(codes - set(labels.ACTION_LABELS)) == []


def test_every_action_label_has_a_latvian_translation(app_ctx):
    from flask_babel import force_locale

    with force_locale("lv"):
        untranslated = [code for code, text in labels.ACTION_LABELS.items()
                        if str(text) == text._args[0]]
    assert untranslated == []


# -- a world: a case with its group, a meeting, a specialist ---------------------------------
@pytest.fixture
def auditor(make_user, social_service):
    return make_user("auditor", institution=social_service, full_name="Dace Datu")


@pytest.fixture
def case_world(make_case, case_manager, make_user, social_service, make_institution):
    case = make_case()
    school = make_institution("school", name="Skola")
    specialist = make_user("specialist", institution=school, full_name="Inga Skolotāja")
    case_ops.add_group_member(case_manager, case, specialist)
    group = db.session.scalar(select(CooperationGroup).where(CooperationGroup.case_id == case.id))
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    meeting = group_ops.plan_meeting(case_manager, group, starts_at=starts,
                                     ends_at=starts + timedelta(hours=1), title="Pirmā tikšanās")
    db.session.commit()
    return {"case": case, "specialist": specialist, "group": group, "meeting": meeting}


def _html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    return response.get_data(as_text=True)


# -- the readable log ---------------------------------------------------------------------------
def test_audit_log_shows_actions_in_words_and_objects_by_case_number_and_name(
        client, auditor, case_world, case_manager):
    client.login(auditor.email)
    html = _html(client, "/audit/")
    case = case_world["case"]
    assert "lieta atvērta" in html  # case_opened, in Latvian
    assert case.number in html
    assert "Gunta Vadītāja" in html  # who, by name
    assert "Inga Skolotāja" in html  # the added member, named in the details
    assert "Pirmā tikšanās" in html  # the meeting, by its title
    table = html.split("<tbody>")[1]
    assert "case_opened" not in table  # no raw codes
    assert "{&#34;" not in table and '{"' not in table  # no raw JSON


def test_audit_log_never_names_the_persons_of_a_case(client, auditor, case_world):
    client.login(auditor.email)
    html = _html(client, "/audit/")
    assert "Bērziņa" not in html


def test_audit_log_does_not_name_objects_of_another_municipality(
        client, auditor, make_municipality, make_institution, make_user):
    other = make_municipality()
    stranger = make_user("case_manager", full_name="Svešā Persona",
                         institution=make_institution("social_service", municipality=other))
    # An event of this municipality that names a user of another one by id.
    record("group_member_removed", None, user=auditor, details={"member": stranger.id})
    db.session.commit()
    client.login(auditor.email)
    html = _html(client, "/audit/")
    assert "Svešā Persona" not in html


def test_audit_log_filters_by_user_case_number_action_dates_and_flagged(
        client, auditor, case_world, case_manager, make_case):
    other_case = make_case()
    case = case_world["case"]
    record("case_break_glass", other_case, user=case_manager, flagged=True,
           details={"access_id": 1, "hours": 4})
    db.session.commit()
    client.login(auditor.email)
    by_case = _html(client, f"/audit/?case={case.number}")
    assert "Pirmā tikšanās" in by_case and other_case.number not in by_case
    flagged = _html(client, "/audit/?flagged=1")
    assert other_case.number in flagged and "Pirmā tikšanās" not in flagged
    by_action = _html(client, "/audit/?action=meeting_planned")
    assert "Pirmā tikšanās" in by_action and "lieta atvērta" not in by_action.split("<tbody>")[1]
    # The specialist did nothing herself (she was added by the case manager).
    assert "Neviens notikums neatbilst filtriem" in _html(client, "/audit/?user=inga")
    by_user = _html(client, "/audit/?user=gunta")
    assert "lieta atvērta" in by_user
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date()
    future = _html(client, f"/audit/?from={tomorrow.isoformat()}")
    assert "Neviens notikums neatbilst filtriem" in future
    today = datetime.now(UTC).date()
    span = _html(client, f"/audit/?from={today - timedelta(days=1)}&to={today + timedelta(days=1)}")
    assert "lieta atvērta" in span


def test_audit_log_says_whether_it_is_empty_or_filtered(client, login_as):
    login_as("auditor")
    # The login itself is an event, so the unfiltered log is not empty; a filter that
    # matches nothing says so.
    assert "Neviens notikums neatbilst filtriem" in _html(client, "/audit/?action=case_opened")
    assert "Pašvaldībā nav lietas ar šādu numuru" in _html(client, "/audit/?case=1999/9999")


def test_audit_log_refuses_a_bad_date_with_a_message_not_an_error(client, login_as):
    login_as("auditor")
    html = _html(client, "/audit/?from=31.02.2026&to=9999-01-01")
    assert "nav derīgs" in html


def test_audit_log_pages_by_keyset_and_every_page_follows_the_last(client, auditor, app):
    for _n in range(120):
        record("login", auditor, user=auditor)
    db.session.commit()
    client.login(auditor.email)
    seen, url = [], "/audit/"
    for _page in range(5):
        html = _html(client, url)
        assert "page=" not in html and "OFFSET" not in html
        ids = db.session.scalars(select(AuditEvent.id).where(
            AuditEvent.municipality_id == auditor.municipality_id)
            .order_by(AuditEvent.id.desc())).all()
        marker = "after="
        if marker not in html:
            break
        # The last link with a cursor is "Next" (others, such as the language switch, may
        # carry the current one).
        after = int(html.rsplit(marker, 1)[1].split('"')[0].split("&")[0])
        seen.append(after)
        url = f"/audit/?after={after}"
    assert len(seen) >= 2
    assert seen == sorted(seen, reverse=True)
    assert seen[0] == ids[49] and seen[1] == ids[99]


def test_audit_log_sorts_by_action_and_pages_within_that_order(app_ctx, auditor):
    from casework.audit import queries

    for action in ("logout", "login", "meeting_viewed", "case_viewed", "login"):
        record(action, auditor, user=auditor)
    db.session.commit()
    stmt = queries.audit_events_of(auditor, queries.AuditFilters())
    first = queries.keyset_page(stmt, sort="action", per_page=2)
    second = queries.keyset_page(stmt, sort="action", after=first.older, per_page=2)
    third = queries.keyset_page(stmt, sort="action", after=second.older, per_page=2)
    order = [e.action for e in first.items + second.items + third.items]
    assert order == sorted(order)
    back = queries.keyset_page(stmt, sort="action", before=second.items[0].id, per_page=2)
    assert [e.id for e in back.items] == [e.id for e in first.items]


def test_audit_log_page_query_count_does_not_grow_with_rows(app, client, auditor, case_world,
                                                           case_manager, make_case):
    client.login(auditor.email)

    def statements() -> int:
        seen = []

        def count(*_args, **_kwargs):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/audit/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    few = statements()
    for _n in range(6):
        make_case()
    group = case_world["group"]
    for n in range(10):
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5 + n)
        group_ops.plan_meeting(case_manager, group, starts_at=starts,
                               ends_at=starts + timedelta(hours=1), title=f"Tikšanās {n}")
    db.session.commit()
    assert statements() <= few


def test_audit_csv_export_is_readable_formula_safe_and_itself_audited(client, auditor,
                                                                     case_world, case_manager):
    case = case_world["case"]
    group_ops.plan_meeting(case_manager, case_world["group"],
                           starts_at=datetime.now(UTC) + timedelta(days=9),
                           ends_at=datetime.now(UTC) + timedelta(days=9, hours=1),
                           title='=HYPERLINK("http://x")')
    db.session.commit()
    client.login(auditor.email)
    response = client.get(f"/audit/events.csv?case={case.number}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Laiks"
    cells = [c for row in rows for c in row]
    assert not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)
    assert any("HYPERLINK" in c for c in cells)
    assert any(c == case.number for c in cells)
    assert audit_actions(action="audit_log_exported") == ["audit_log_exported"]
    assert verify_chain() is None


def test_audit_csv_is_for_the_data_protection_officer_only(client, login_as):
    login_as("head_of_service")
    assert client.get("/audit/events.csv").status_code == 403


# -- who has seen this case -----------------------------------------------------------------
def test_case_manager_sees_who_has_seen_their_case(app, client, case_world, case_manager):
    case, specialist = case_world["case"], case_world["specialist"]
    other = app.test_client()
    other.login(specialist.email)
    assert other.get(f"/cases/{case.id}").status_code == 200
    client.login(case_manager.email)
    case_page = _html(client, f"/cases/{case.id}")
    assert f"/audit/cases/{case.id}" in case_page
    html = _html(client, f"/audit/cases/{case.id}")
    assert "Inga Skolotāja" in html
    assert "lietas lapa atvērta" in html  # case_viewed
    assert "Pirmā tikšanās" in html  # the meeting of the case's group counts too


def test_head_of_service_sees_who_has_seen_a_case_of_their_service(client, case_world,
                                                                  make_user, social_service):
    head = make_user("head_of_service", institution=social_service)
    client.login(head.email)
    assert client.get(f"/audit/cases/{case_world['case'].id}").status_code == 200


def test_specialist_in_the_case_cannot_see_who_has_seen_it(client, case_world):
    case, specialist = case_world["case"], case_world["specialist"]
    client.login(specialist.email)
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert f"/audit/cases/{case.id}" not in _html(client, f"/cases/{case.id}")
    assert client.get(f"/audit/cases/{case.id}").status_code == 404


def test_head_of_another_service_gets_404_for_who_has_seen(client, case_world, make_user,
                                                          make_institution):
    head = make_user("head_of_service", institution=make_institution("social_service"))
    client.login(head.email)
    assert client.get(f"/audit/cases/{case_world['case'].id}").status_code == 404


def test_data_protection_officer_sees_who_has_seen_any_case_of_the_municipality(
        client, auditor, case_world):
    case = case_world["case"]
    client.login(auditor.email)
    assert client.get(f"/cases/{case.id}").status_code == 404  # not the case's content
    html = _html(client, f"/audit/cases/{case.id}")
    assert case.number in html and "Gunta Vadītāja" in html
    found = client.get(f"/audit/cases?number={case.number}")
    assert found.status_code == 302
    assert found.headers["Location"].endswith(f"/audit/cases/{case.id}")


def test_data_protection_officer_of_another_municipality_gets_404(
        client, case_world, make_municipality, make_institution, make_user):
    other = make_municipality()
    dpo = make_user("auditor", institution=make_institution("other", municipality=other))
    client.login(dpo.email)
    case = case_world["case"]
    assert client.get(f"/audit/cases/{case.id}").status_code == 404
    lookup = client.get(f"/audit/cases?number={case.number}")
    assert f"/audit/cases/{case.id}" not in lookup.headers.get("Location", "")
    assert case.number not in _html(client, f"/audit/?case={case.number}").split("<tbody>")[1]


def test_who_has_seen_reads_the_sealed_columns_only(client, auditor, case_world):
    # Opening the page is itself recorded, and the chain stays intact.
    client.login(auditor.email)
    _html(client, f"/audit/cases/{case_world['case'].id}")
    assert "case_access_log_viewed" in audit_actions()
    assert verify_chain() is None


# -- reads of meetings, decisions and exports are audited ------------------------------------
def test_opening_a_meeting_page_is_audited_once_per_short_window(client, case_world,
                                                                case_manager, app):
    meeting = case_world["meeting"]
    client.login(case_manager.email)
    _html(client, f"/meetings/{meeting.id}")
    _html(client, f"/meetings/{meeting.id}")
    assert audit_actions(action="meeting_viewed") == ["meeting_viewed"]
    # Once the window has passed, the next read is a new event.
    db.session.execute(update(AuditEvent).where(AuditEvent.action == "meeting_viewed")
                       .values(at=datetime.now(UTC) - timedelta(hours=1)))
    db.session.commit()
    _html(client, f"/meetings/{meeting.id}")
    assert audit_actions(action="meeting_viewed") == ["meeting_viewed"] * 2


def test_downloading_a_meeting_as_a_calendar_file_is_audited(client, case_world, case_manager):
    client.login(case_manager.email)
    assert client.get(f"/meetings/{case_world['meeting'].id}.ics").status_code == 200
    assert audit_actions(action="meeting_calendar_exported") == ["meeting_calendar_exported"]


def test_opening_the_groups_decisions_is_audited(client, case_world, case_manager):
    client.login(case_manager.email)
    _html(client, f"/groups/{case_world['group'].id}/decisions")
    assert audit_actions(action="decisions_viewed") == ["decisions_viewed"]
