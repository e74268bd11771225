"""Bad input gets a 400/404 with a message, never a 500 or a half-written record (issue 10.5,
issue 17.6 and 17.11): ids and numbers beyond the database's integer, NUL bytes, overlong
texts and bodies, dates outside the allowed years, repeated or negative ids in choices, links
that are not http(s). Each test fails on the code before ``casework.inputs``."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from casework.extensions import db
from casework.groups.models import Attendance, GroupMember, Meeting

HUGE = ("2147483648", "99999999999999999999")


def _count(model, *where) -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _lv_and_en(client, url, method="get", **kwargs):
    """The response in Latvian, then in English."""
    answers = []
    for lang in ("lv", "en"):
        client.post_form("/language", {"lang": lang}, token_from="/notifications/settings")
        send = client.post_form if method == "post" else client.get
        answers.append(send(url, **kwargs))
    return answers


# -- integers ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value", HUGE)
def test_a_path_id_beyond_the_database_integer_is_not_found(client, login_as, value):
    login_as("case_manager")
    for url in (f"/cases/{value}", f"/meetings/{value}", f"/tasks/{value}",
                f"/groups/{value}", f"/decisions/{value}", f"/meetings/{value}.ics"):
        assert client.get(url).status_code == 404, url
    token = client.csrf_token("/notifications/settings")
    response = client.post(f"/cases/{value}/notes", data={"csrf_token": token, "text": "x"})
    assert response.status_code == 404


def test_a_path_id_at_the_top_of_the_database_integer_is_still_looked_up(client, login_as):
    login_as("case_manager")
    assert client.get("/cases/2147483647").status_code == 404


@pytest.mark.parametrize("value", HUGE)
def test_a_page_number_beyond_the_database_integer_shows_the_first_page(
        client, login_as, make_case, case_manager, value):
    case = make_case()
    client.login(case_manager.email)
    response = client.get(f"/cases?page={value}")
    assert response.status_code == 200
    assert case.number in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ("99999999999999", *HUGE))
def test_a_filter_id_beyond_the_database_integer_is_ignored_like_any_non_number(
        client, login_as, make_group, coordinator, value):
    group = make_group()
    client.login(coordinator.email)
    assert client.get(f"/cases?case_manager_id={value}").status_code in (200, 403)
    assert client.get(f"/cases/overview?page={value}").status_code == 200
    assert client.get(f"/groups/{group.id}/decisions?institution_id={value}&year={value}"
                      ).status_code == 200
    assert client.get(f"/reports/municipalities?year={value}").status_code in (200, 403)


@pytest.mark.parametrize("value", HUGE)
def test_a_chosen_id_beyond_the_database_integer_is_a_form_error(
        client, make_case, case_manager, make_user, value):
    head = make_user("head_of_service", institution=case_manager.institution)
    case = make_case()
    client.login(case_manager.email)
    response = client.post_form(f"/cases/{case.id}/members", {"user_id": value},
                                token_from="/notifications/settings")
    assert response.status_code == 400
    client = client.application.test_client()
    client.login(head.email)
    response = client.post_form(f"/cases/{case.id}/reassign",
                                {"case_manager_id": value, "version": case.version},
                                token_from="/notifications/settings")
    assert response.status_code == 400


# -- NUL bytes --------------------------------------------------------------------------------
def test_a_nul_byte_in_a_query_parameter_is_refused_with_400_and_a_message(client, login_as):
    login_as("case_manager")
    for url in ("/cases?q=a%00b", "/tasks?status=%00", "/calendar?month=2026-01%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "NUL" in response.get_data(as_text=True)


def test_a_nul_byte_in_a_form_field_is_refused_with_400_and_nothing_is_saved(
        client, make_case, case_manager):
    from casework.cases.models import Note

    case = make_case()
    client.login(case_manager.email)
    lv, en = _lv_and_en(client, f"/cases/{case.id}/notes", method="post",
                        data={"text": "Teksts\x00ar NUL", "level": "group"},
                        token_from="/notifications/settings")
    assert lv.status_code == en.status_code == 400
    assert "NUL rakstzīme" in lv.get_data(as_text=True)
    assert "NUL character" in en.get_data(as_text=True)
    assert _count(Note) == 0


# -- lengths ----------------------------------------------------------------------------------
def test_a_length_message_of_wtforms_names_the_limit_in_both_languages(app):
    from werkzeug.datastructures import MultiDict

    from casework.auth.forms import PasswordChangeForm

    for lang, expected in (("lv", "Laukā var būt ne vairāk kā 128 rakstzīmes."),
                           ("en", "Field cannot be longer than 128 characters.")):
        with app.test_request_context("/"):
            from flask import session

            session["locale"] = lang
            form = PasswordChangeForm(MultiDict({"current": "x" * 129, "new": "a",
                                                 "confirm": "a"}), meta={"csrf": False})
            assert not form.validate()
            assert form.current.errors == [expected]


def test_a_narrative_longer_than_its_limit_is_a_form_error_in_both_languages(
        client, make_user, app_ctx):
    from casework.reports import operations as report_ops

    coordinator = make_user("coordinator")
    year = date.today().year - 1
    report = report_ops.start_report(coordinator, year)
    db.session.commit()
    client.login(coordinator.email)
    lv, en = _lv_and_en(client, f"/reports/annual/{year}/narrative", method="post",
                        data={"challenges": "x" * 20001, "version": report.version},
                        token_from="/notifications/settings")
    assert lv.status_code == en.status_code == 400
    assert "ne vairāk kā 20000 rakstzīmes" in lv.get_data(as_text=True)
    assert "longer than 20000 characters" in en.get_data(as_text=True)


def test_a_one_megabyte_text_is_a_form_error_and_nothing_is_saved(
        client, make_case, case_manager):
    from casework.cases.models import Note

    case = make_case()
    client.login(case_manager.email)
    response = client.post_form(f"/cases/{case.id}/notes",
                                {"text": "x" * 1_000_000, "level": "group"},
                                token_from="/notifications/settings")
    assert response.status_code == 400
    assert "Ne vairāk kā 10000 rakstzīmes." in response.get_data(as_text=True)
    assert _count(Note) == 0


def test_a_body_larger_than_the_limit_gets_413_with_the_error_page(
        client, make_case, case_manager):
    # The limit the app runs with: the upload limit plus the form around it.
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    case = make_case()
    client.login(case_manager.email)
    response = client.post_form(f"/cases/{case.id}/notes",
                                {"text": "x" * (limit + 1), "level": "group"},
                                token_from="/notifications/settings")
    assert response.status_code == 413
    assert "Nosūtītais ir pārāk liels" in response.get_data(as_text=True)


def test_every_text_field_of_every_form_has_a_maximum_length(app):
    from wtforms import StringField
    from wtforms.validators import Length

    from casework.admin.forms import policy_form
    from casework.forms import BaseForm, input_checks
    from casework.policies.operations import POLICY_LABELS

    for module in ("admin", "auth", "calendars", "cases", "decisions", "groups",
                   "notifications", "reports", "tasks"):
        __import__(f"casework.{module}.forms")
    classes, todo = [policy_form(POLICY_LABELS)], [BaseForm]
    while todo:
        cls = todo.pop()
        classes.append(cls)
        todo.extend(cls.__subclasses__())
    checked = 0
    with app.test_request_context("/"):
        for cls in classes:
            form = cls(meta={"csrf": False}, formdata=None)
            for field in form:
                if isinstance(field, StringField):
                    limits = [v for v in [*field.validators, *input_checks(field)]
                              if isinstance(v, Length)]
                    assert limits and limits[0].max > 0, f"{cls.__name__}.{field.name}"
                    checked += 1
    assert checked > 40


# -- dates ------------------------------------------------------------------------------------
@pytest.mark.parametrize("starts", ("0001-01-01T00:00", "9999-12-31T22:00", "1899-12-31T10:00"))
def test_a_meeting_outside_the_allowed_years_is_a_form_error_and_not_planned(
        client, make_group, coordinator, starts):
    group = make_group()
    client.login(coordinator.email)
    ends = starts[:11] + "23:59"
    response = client.post_form(f"/groups/{group.id}/meetings/new",
                                {"kind": "regular", "starts_at": starts, "ends_at": ends},
                                token_from=f"/groups/{group.id}/meetings/new")
    assert response.status_code == 400
    assert "Ievadiet datumu no 1900-01-01 līdz 2100-12-31." in response.get_data(as_text=True)
    assert _count(Meeting) == 0


@pytest.mark.parametrize("day", ("0001-01-01", "9999-12-31"))
def test_a_membership_date_outside_the_allowed_years_is_a_form_error(
        client, make_group, coordinator, make_user, day):
    group = make_group()
    member = make_user("specialist")
    client.login(coordinator.email)
    response = client.post_form(f"/groups/{group.id}/members",
                                {"user_id": member.id, "member_from": day},
                                token_from=f"/groups/{group.id}")
    assert response.status_code == 400
    assert _count(GroupMember, GroupMember.user_id == member.id) == 0
    row = GroupMember(group_id=group.id, user_id=member.id,
                      institution_id=member.institution_id,
                      member_from=db.func.current_timestamp())
    db.session.add(row)
    db.session.commit()
    response = client.post_form(f"/groups/{group.id}/members/{row.id}/end",
                                {"member_to": day}, token_from=f"/groups/{group.id}")
    assert response.status_code == 400
    assert _count(GroupMember, GroupMember.member_to.is_not(None)) == 0


@pytest.mark.parametrize("day", ("0001-01-01", "9999-12-31"))
def test_a_task_deadline_outside_the_allowed_years_is_a_form_error(
        client, make_case, case_manager, day):
    from casework.tasks.models import Task

    case_id, manager_id = make_case(risk="green").id, case_manager.id
    client.login(case_manager.email)
    before = _count(Task)
    response = client.post_form(f"/cases/{case_id}/tasks/new",
                                {"title": "Darīt", "assignee_id": manager_id,
                                 "due_date": day}, token_from=f"/cases/{case_id}/tasks/new")
    assert response.status_code == 400
    assert "2100-12-31" in response.get_data(as_text=True)
    assert _count(Task) == before


@pytest.mark.parametrize("query", ("month=9999-12", "month=0001-01", "month=1899-12",
                                   "week=9999-W52", "week=0001-W01", "day=0001-01-01",
                                   "day=9999-12-31"))
def test_a_calendar_month_or_week_outside_the_allowed_years_is_400_with_a_message(
        client, login_as, query):
    login_as("coordinator")
    path = "/calendar" if query.startswith("month") else "/calendar/week"
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert "no 1900. līdz 2100. gadam" in response.get_data(as_text=True)


def test_the_calendar_at_the_edges_of_the_allowed_years_still_works(client, login_as):
    login_as("coordinator")
    assert client.get("/calendar?month=1900-01").status_code == 200
    assert client.get("/calendar?month=2100-12").status_code == 200
    assert client.get("/calendar/week?day=2100-12-31").status_code == 400  # ends in 2101
    assert client.get("/calendar/week?day=2100-12-20").status_code == 200


@pytest.mark.parametrize("year", ("0", "1", "9999", "2147483647"))
def test_a_report_year_outside_the_allowed_years_is_400_with_a_message(
        client, make_user, year):
    coordinator = make_user("coordinator")
    client.login(coordinator.email)
    for url in (f"/reports/annual/{year}", f"/reports/annual/{year}/export.json"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "Gadam jābūt no 1900 līdz 2100." in response.get_data(as_text=True)
    response = client.post_form(f"/reports/annual/{year}/start",
                                token_from="/notifications/settings")
    assert response.status_code == 400
    inspector = make_user("inspector")
    client = client.application.test_client()
    client.login(inspector.email)
    assert client.get(f"/reports/municipalities/0999001/{year}").status_code == 400


# -- choices ----------------------------------------------------------------------------------
def _planned(make_group, make_meeting, coordinator, make_user):
    members = [make_user("specialist"), make_user("specialist")]
    group = make_group(members=members)
    return make_meeting(group, invite=[]), members


@pytest.mark.parametrize("kind", ("repeated", "zero", "negative"))
def test_repeated_zero_and_negative_ids_in_an_invitation_are_a_form_error(
        client, make_group, make_meeting, coordinator, make_user, kind):
    meeting, (first, second) = _planned(make_group, make_meeting, coordinator, make_user)
    ids = {"repeated": [first.id, first.id], "zero": [0, first.id],
           "negative": [-1, second.id]}[kind]
    client.login(coordinator.email)
    response = client.post_form(f"/meetings/{meeting.id}/invite", {"invite_ids": ids},
                                token_from=f"/meetings/{meeting.id}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert ("Katru vienumu var izvēlēties tikai vienu reizi." if kind == "repeated"
            else "Nederīga izvēle") in text
    assert _count(Attendance) == 0


def test_repeated_invitations_when_planning_are_a_form_error_and_nothing_is_planned(
        client, make_group, coordinator, make_user):
    member = make_user("specialist")
    group = make_group(members=[member])
    client.login(coordinator.email)
    day = date.today() + timedelta(days=3)
    response = client.post_form(f"/groups/{group.id}/meetings/new", {
        "kind": "regular", "starts_at": f"{day}T10:00", "ends_at": f"{day}T12:00",
        "invite_ids": [member.id, member.id]}, token_from=f"/groups/{group.id}/meetings/new")
    assert response.status_code == 400
    assert _count(Meeting) == 0


def test_a_role_chosen_twice_is_a_form_error_and_the_user_is_not_created(client, login_as):
    from casework.auth.models import User

    admin = login_as("admin")
    response = client.post_form("/admin/users/new", {
        "full_name": "Jauns Lietotājs", "email": "jauns@example.lv",
        "institution_id": admin.institution_id, "roles": ["specialist", "specialist"]},
        token_from="/admin/users/new")
    assert response.status_code == 400
    assert "Katru vienumu var izvēlēties tikai vienu reizi." in response.get_data(as_text=True)
    assert _count(User, User.email == "jauns@example.lv") == 0


# -- links ------------------------------------------------------------------------------------
@pytest.mark.parametrize("link", ("javascript:alert(1)", "JavaScript:alert(1)", "/relative",
                                  "meet.example.lv/x", "data:text/html,x", "https://",
                                  "ftp://example.lv/x"))
def test_an_online_link_that_is_not_https_or_http_is_refused_with_a_message(
        client, make_group, coordinator, link):
    group = make_group()
    client.login(coordinator.email)
    day = date.today() + timedelta(days=3)
    response = client.post_form(f"/groups/{group.id}/meetings/new", {
        "kind": "regular", "starts_at": f"{day}T10:00", "ends_at": f"{day}T12:00",
        "online_link": link}, token_from=f"/groups/{group.id}/meetings/new")
    assert response.status_code == 400
    assert "Ievadiet pilnu adresi, kas sākas ar https://" in response.get_data(as_text=True)
    assert _count(Meeting) == 0


def test_an_https_online_link_is_saved_and_shown_as_a_link(
        client, make_group, coordinator):
    group = make_group()
    client.login(coordinator.email)
    day = date.today() + timedelta(days=3)
    response = client.post_form(f"/groups/{group.id}/meetings/new", {
        "kind": "regular", "starts_at": f"{day}T10:00", "ends_at": f"{day}T12:00",
        "online_link": "https://meet.example.lv/abc?x=1"},
        token_from=f"/groups/{group.id}/meetings/new")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert 'href="https://meet.example.lv/abc?x=1"' in page


def test_a_stored_link_that_is_not_https_or_http_is_shown_as_text(
        client, make_group, make_meeting, coordinator):
    meeting = make_meeting(make_group())
    meeting.online_link = "javascript:alert(1)"
    db.session.commit()
    client.login(coordinator.email)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "javascript:alert(1)" in page
    assert 'href="javascript' not in page


def test_the_safe_url_test_accepts_only_absolute_http_links():
    from casework.inputs import is_safe_url

    assert is_safe_url("https://meet.example.lv/a")
    assert is_safe_url("http://example.lv")
    for bad in ("javascript:alert(1)", " https://x.lv", "https://", "//x.lv", "/x", None, "",
                "https://x.lv/\x00", "vbscript:x", "https:x.lv"):
        assert not is_safe_url(bad), bad


# -- the error handler ------------------------------------------------------------------------
def test_the_error_handler_rolls_back_and_answers_even_if_the_error_page_fails(
        app, client, login_as, monkeypatch):
    import casework.errors as errors

    login_as("case_manager")

    def broken(*args, **kwargs):
        raise RuntimeError("the error page fails")

    monkeypatch.setattr(errors, "render_template", broken)
    monkeypatch.setattr(errors, "jsonify", broken)
    # A request that fails in the view: the generic handler must still answer.
    from casework.cases import views

    monkeypatch.setattr(views.queries, "filtered_cases",
                        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    response = client.get("/cases")
    assert response.status_code == 500
    assert response.mimetype == "text/plain"


def test_a_failed_request_leaves_nothing_half_written(client, make_case, case_manager,
                                                       monkeypatch):
    from casework.cases import operations as ops
    from casework.cases.models import CasePerson, Note

    case_id = make_case().id
    client.login(case_manager.email)
    before = _count(CasePerson)
    original = ops.add_note

    def half_written(actor, found, **kwargs):
        ops.add_person(actor, found, role="other", given_name="Puse", family_name="Ieraksta",
                       personal_code=None, birth_date=None)
        original(actor, found, **kwargs)
        raise RuntimeError("fails after writing")

    monkeypatch.setattr(ops, "add_note", half_written)
    response = client.post_form(f"/cases/{case_id}/notes", {"text": "Teksts", "level": "group"},
                                token_from="/notifications/settings")
    assert response.status_code == 500
    assert _count(CasePerson) == before
    assert _count(Note) == 0
