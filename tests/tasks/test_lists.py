"""My tasks and my institution's tasks: ordering (overdue first) and scoping."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casework.extensions import db
from casework.tasks import queries
from tests.decisions.conftest import today


def _titles(rows):
    return [task.title for task, _overdue in rows]


@pytest.fixture
def school_people(make_user, make_institution):
    school = make_institution("school", name="Skola")
    return school, make_user("specialist", institution=school), \
        make_user("specialist", institution=school)


def test_my_tasks_put_open_first_overdue_on_top_then_recently_closed(school_people,
                                                                      make_task):
    _school, me, _colleague = school_people
    make_task(me, title="Vēlāk", due=today() + timedelta(days=9))
    make_task(me, title="Nokavēts sen", due=today() - timedelta(days=10))
    make_task(me, title="Šodien", due=today())
    make_task(me, title="Nokavēts vakar", due=today() - timedelta(days=1))
    make_task(me, title="Izpildīts vakar", status="done", closed_days_ago=1)
    make_task(me, title="Atcelts priekšvakar", status="cancelled", closed_days_ago=2)
    make_task(me, title="Izpildīts sen", status="done", closed_days_ago=90)
    rows = db.session.execute(queries.my_tasks(me, today=today())).all()
    assert _titles(rows) == ["Nokavēts sen", "Nokavēts vakar", "Šodien", "Vēlāk",
                             "Izpildīts vakar", "Atcelts priekšvakar"]
    assert [overdue for _t, overdue in rows][:4] == [True, True, False, False]


@pytest.mark.parametrize("status, expected", [
    ("open", {"Atvērts"}),
    ("done", {"Izpildīts", "Izpildīts sen"}),
    ("cancelled", {"Atcelts"}),
    ("all", {"Atvērts", "Izpildīts", "Atcelts", "Izpildīts sen"}),
    (None, {"Atvērts", "Izpildīts", "Atcelts"}),
])
def test_my_tasks_filter_by_status(school_people, make_task, status, expected):
    _school, me, _colleague = school_people
    make_task(me, title="Atvērts")
    make_task(me, title="Izpildīts", status="done")
    make_task(me, title="Izpildīts sen", status="done", closed_days_ago=60)
    make_task(me, title="Atcelts", status="cancelled")
    rows = db.session.execute(queries.my_tasks(me, today=today(), status=status)).all()
    assert set(_titles(rows)) == expected


def test_draft_tasks_are_not_listed_anywhere(client, school_people, make_task):
    _school, me, colleague = school_people
    draft = make_task(me, title="Melnraksts", issued=False)
    assert _titles(db.session.execute(queries.my_tasks(me, today=today())).all()) == []
    assert _titles(db.session.execute(queries.institution_tasks(colleague,
                                                                today=today())).all()) == []
    client.login(me.email)
    assert "Melnraksts" not in client.get("/tasks").get_data(as_text=True)
    assert client.get(f"/tasks/{draft.id}").status_code == 404


def test_institution_tasks_are_those_of_my_institution_only(school_people, make_task,
                                                            make_user, make_institution):
    _school, me, colleague = school_people
    police = make_user("specialist", institution=make_institution("municipal_police"))
    make_task(colleague, title="Kolēģa uzdevums", due=today() - timedelta(days=2))
    make_task(me, title="Mans uzdevums")
    make_task(police, title="Policijas uzdevums")
    rows = db.session.execute(queries.institution_tasks(me, today=today())).all()
    assert _titles(rows) == ["Kolēģa uzdevums", "Mans uzdevums"]
    assert rows[0][1] is True


def test_no_task_of_another_municipality_is_listed_or_opened(client, school_people, make_task,
                                                             make_user, make_institution,
                                                             make_municipality):
    _school, me, _colleague = school_people
    other = make_municipality()
    far = make_user("specialist", institution=make_institution("school", municipality=other))
    far_task = make_task(far, title="Tālais uzdevums")
    assert _titles(db.session.execute(queries.institution_tasks(me, today=today())).all()) == []
    client.login(me.email)
    assert client.get(f"/tasks/{far_task.id}").status_code == 404
    assert "Tālais uzdevums" not in client.get("/tasks/institution").get_data(as_text=True)


def test_case_task_of_an_unseen_case_is_not_listed_to_the_institution(
        client, make_case, case_manager, make_user, social_service, make_task):
    case = make_case()
    colleague = make_user("case_manager", institution=social_service)
    task = make_task(case_manager, title="Lietas uzdevums", case=case)
    rows = db.session.execute(queries.institution_tasks(colleague, today=today())).all()
    assert "Lietas uzdevums" not in _titles(rows)
    client.login(colleague.email)
    html = client.get("/tasks/institution").get_data(as_text=True)
    assert "Lietas uzdevums" not in html and case.number not in html
    assert client.get(f"/tasks/{task.id}").status_code == 404


def test_assignee_who_cannot_see_the_case_sees_the_task_but_no_case_link(
        client, make_case, make_user, make_institution, make_task, case_manager):
    case = make_case()
    outsider = make_user("specialist", institution=make_institution("school"))
    task = make_task(outsider, title="Uzdevums bez piekļuves", case=case,
                     created_by=case_manager)
    client.login(outsider.email)
    html = client.get("/tasks").get_data(as_text=True)
    assert "Uzdevums bez piekļuves" in html
    assert f'href="/cases/{case.id}"' not in html
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}"' not in page


def test_case_number_is_a_link_for_who_may_see_the_case(client, make_case, case_manager,
                                                        make_task):
    case = make_case()
    make_task(case_manager, title="Sasaukt grupu", case=case)
    client.login(case_manager.email)
    html = client.get("/tasks").get_data(as_text=True)
    assert f'<a href="/cases/{case.id}">{case.number}</a>' in html


def test_task_of_an_unseen_interprofessional_meeting_is_hidden(make_case, make_user,
                                                               social_service, make_task,
                                                               make_meeting, case_manager):
    from casework.cases.operations import case_group

    case = make_case()
    meeting = make_meeting(case_group(case))
    colleague = make_user("case_manager", institution=social_service)
    make_task(case_manager, title="Sanāksmes uzdevums", meeting=meeting)
    assert _titles(db.session.execute(queries.institution_tasks(colleague,
                                                                today=today())).all()) == []
    assert "Sanāksmes uzdevums" in _titles(db.session.execute(
        queries.institution_tasks(case_manager, today=today())).all())


def test_list_pages_show_overdue_as_text(client, school_people, make_task):
    _school, me, _colleague = school_people
    make_task(me, title="Nokavētais", due=today() - timedelta(days=3))
    client.login(me.email)
    html = client.get("/tasks").get_data(as_text=True)
    row = next(r for r in html.split("<tr") if "Nokavētais" in r)
    assert "nokavēts" in row


@pytest.mark.parametrize("role, allowed", [
    ("specialist", True), ("case_manager", True), ("head_of_service", True),
    ("coordinator", True), ("admin", False), ("auditor", False),
])
def test_institution_tasks_page_and_navigation_by_role(client, login_as, role, allowed):
    login_as(role)
    # The data protection officer is given no tasks (issue 14.7): no "My tasks" either.
    given_tasks = role != "auditor"
    assert client.get("/tasks").status_code == (200 if given_tasks else 403)
    assert client.get("/tasks/institution").status_code == (200 if allowed else 403)
    nav = client.get("/").get_data(as_text=True)
    assert ('href="/tasks"' in nav) == given_tasks
    assert ('href="/tasks/institution"' in nav) == allowed
