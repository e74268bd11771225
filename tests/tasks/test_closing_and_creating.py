"""Completing and cancelling tasks (who may, with what), and giving a task from a case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.auth.operations import OperationRefused
from casework.cases.operations import AccessRefused, add_group_member
from casework.extensions import db
from casework.notifications.models import Notification
from casework.tasks import operations as ops
from casework.tasks.models import Task
from tests.conftest import audit_actions
from tests.decisions.conftest import today


@pytest.fixture
def people(make_user, make_institution, case_manager):
    school = make_institution("school", name="Skola")
    teacher = make_user("specialist", institution=school, full_name="Skolotāja")
    colleague = make_user("specialist", institution=school, full_name="Kolēģe")
    return {"school": school, "teacher": teacher, "colleague": colleague,
            "manager": case_manager}


def _fresh(task):
    db.session.expire_all()
    return db.session.get(Task, task.id)


# -- complete / cancel ------------------------------------------------------------------------
def test_assignee_completes_with_a_note(people, make_task):
    task = make_task(people["teacher"])
    ops.complete_task(people["teacher"], task, "  Pārskats iesniegts ")
    db.session.commit()
    task = _fresh(task)
    assert (task.status, task.completion_note) == ("done", "Pārskats iesniegts")
    assert task.closed_by_id == people["teacher"].id and task.closed_at is not None
    assert "task_complete" in audit_actions()


def test_completing_without_a_note_is_refused(people, make_task):
    task = make_task(people["teacher"])
    with pytest.raises(OperationRefused):
        ops.complete_task(people["teacher"], task, "  ")


def test_cancel_with_a_reason(people, make_task):
    task = make_task(people["teacher"], created_by=people["manager"])
    ops.cancel_task(people["manager"], task, "Vairs nav vajadzīgs")
    db.session.commit()
    task = _fresh(task)
    assert (task.status, task.cancel_reason) == ("cancelled", "Vairs nav vajadzīgs")
    assert task.closed_by_id == people["manager"].id
    assert "task_cancel" in audit_actions()


def test_cancelling_without_a_reason_is_refused(people, make_task):
    task = make_task(people["teacher"])
    with pytest.raises(OperationRefused):
        ops.cancel_task(people["teacher"], task, "")


def test_a_closed_task_cannot_be_closed_again(people, make_task):
    task = make_task(people["teacher"])
    ops.complete_task(people["teacher"], task, "Izdarīts")
    with pytest.raises(OperationRefused):
        ops.cancel_task(people["teacher"], task, "Pārdomāju")


def test_who_may_close_a_task(people, make_task, make_case, make_user, social_service,
                              coordinator, make_group, make_decision):
    case = make_case()
    task = make_task(people["teacher"], case=case, created_by=people["colleague"])
    head = make_user("head_of_service", institution=social_service)
    other_manager = make_user("case_manager", institution=social_service)
    assert ops.may_close_task(people["teacher"], task)      # assignee
    assert ops.may_close_task(people["colleague"], task)    # who issued it
    assert ops.may_close_task(people["manager"], task)      # the case manager
    assert ops.may_close_task(head, task)                   # the head of the owning service
    assert not ops.may_close_task(other_manager, task)
    assert not ops.may_close_task(coordinator, task)
    group = make_group()
    decision_task = make_task(people["teacher"], decision=make_decision(group))
    assert ops.may_close_task(coordinator, decision_task)   # manages the group's meetings
    assert not ops.may_close_task(people["colleague"], decision_task)
    with pytest.raises(AccessRefused):
        ops.complete_task(other_manager, task, "Nav mans")


def test_complete_and_cancel_through_the_page(client, people, make_task):
    first = make_task(people["teacher"], title="Pirmais")
    second = make_task(people["teacher"], title="Otrais")
    client.login(people["teacher"].email)
    page = f"/tasks/{first.id}"
    assert "Atzīmēt kā izpildītu" in client.get(page).get_data(as_text=True)
    response = client.post_form(f"{page}/complete", {"note": "Gatavs",
                                                      "version": first.version}, token_from=page)
    assert response.status_code == 302
    page = f"/tasks/{second.id}"
    response = client.post_form(f"{page}/cancel", {"reason": "Dublikāts",
                                                    "version": second.version}, token_from=page)
    assert response.status_code == 302
    assert (_fresh(first).status, _fresh(second).status) == ("done", "cancelled")
    html = client.get(page).get_data(as_text=True)
    assert "Dublikāts" in html and "/cancel" not in html


@pytest.mark.parametrize("action, field", [("complete", "note"), ("cancel", "reason")])
def test_closing_without_text_through_the_page_is_400(client, people, make_task, action,
                                                      field):
    task = make_task(people["teacher"])
    client.login(people["teacher"].email)
    page = f"/tasks/{task.id}"
    response = client.post_form(f"{page}/{action}", {field: " ", "version": task.version},
                                token_from=page)
    assert response.status_code == 400
    assert _fresh(task).status == "open"


def test_colleague_who_may_not_close_gets_403(client, people, make_task):
    task = make_task(people["teacher"])
    client.login(people["colleague"].email)
    page = f"/tasks/{task.id}"
    html = client.get(page).get_data(as_text=True)
    assert task.title in html and "/complete" not in html
    response = client.post_form(f"{page}/complete", {"note": "Es", "version": task.version},
                                token_from=page)
    assert response.status_code == 403
    assert _fresh(task).status == "open"


def test_stale_task_form_is_409_with_input_kept(client, people, make_task):
    task = make_task(people["teacher"], created_by=people["colleague"])
    old = task.version
    task.description = "Precizēts apraksts"
    db.session.commit()
    assert task.version != old
    client.login(people["teacher"].email)
    page = f"/tasks/{task.id}"
    response = client.post_form(f"{page}/complete", {"note": "Mana piezīme par izpildi",
                                                      "version": old}, token_from=page)
    assert response.status_code == 409
    assert "Mana piezīme par izpildi" in response.get_data(as_text=True)
    assert _fresh(task).status == "open"


# -- creating ---------------------------------------------------------------------------------
@pytest.fixture
def case_with_teacher(make_case, people):
    case = make_case()
    add_group_member(people["manager"], case, people["teacher"])
    db.session.commit()
    return case


def _create(people, case, **overrides):
    kwargs = {"title": "Apmeklēt ģimeni", "description": None, "assignee": people["teacher"],
              "due_date": today() + timedelta(days=5), "case": case}
    kwargs.update(overrides)
    return ops.create_task(people["manager"], **kwargs)


def test_create_task_sets_institution_issue_time_audit_and_notifies(people, case_with_teacher):
    task = _create(people, case_with_teacher)
    db.session.commit()
    assert task.assignee_institution_id == people["school"].id
    assert task.issued_at is not None and task.created_by_id == people["manager"].id
    assert task.municipality_id == people["manager"].municipality_id
    assert "task_created" in audit_actions()
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == people["teacher"].id))
    assert note is not None and "Apmeklēt" not in note.text and note.link == f"/tasks/{task.id}"


def test_create_draft_task_is_not_issued(people, case_with_teacher):
    task = _create(people, case_with_teacher, issue=False)
    assert task.issued_at is None


@pytest.mark.parametrize("overrides", [
    {"assignee": None},
    {"due_date": None},
    {"due_date": "yesterday"},
    {"title": "  "},
    {"title": "x" * 301},
])
def test_create_task_bad_input_is_refused(people, case_with_teacher, overrides):
    if overrides.get("due_date") == "yesterday":
        overrides["due_date"] = today() - timedelta(days=1)
    with pytest.raises(OperationRefused):
        _create(people, case_with_teacher, **overrides)


def test_create_task_for_an_assignee_of_another_municipality_is_refused(
        people, case_with_teacher, make_user, make_institution, make_municipality):
    far = make_user("specialist", institution=make_institution(
        "school", municipality=make_municipality()))
    with pytest.raises(OperationRefused):
        _create(people, case_with_teacher, assignee=far)


def test_create_task_for_someone_who_cannot_see_the_case_is_refused(people, make_case):
    with pytest.raises(OperationRefused):
        _create(people, make_case(), assignee=people["colleague"])


def test_create_task_for_an_inactive_user_is_refused(people, case_with_teacher):
    people["teacher"].active = False
    with pytest.raises(OperationRefused):
        _create(people, case_with_teacher)


def test_a_closed_case_gets_no_new_tasks(people, make_case):
    with pytest.raises(OperationRefused):
        _create(people, make_case(status="closed"), assignee=people["manager"])


def test_only_the_case_manager_gives_tasks_on_a_case(people, case_with_teacher):
    with pytest.raises(AccessRefused):
        ops.create_task(people["teacher"], title="Es pats", description=None,
                        assignee=people["teacher"], due_date=today(), case=case_with_teacher)


def test_new_task_page_creates_the_task(client, people, case_with_teacher):
    client.login(people["manager"].email)
    page = f"/cases/{case_with_teacher.id}/tasks/new"
    html = client.get(page).get_data(as_text=True)
    assert "Skolotāja" in html and "Kolēģe" not in html
    response = client.post_form(page, {
        "title": "Sarunāties ar klases audzinātāju", "description": "",
        "assignee_id": people["teacher"].id, "due_date": today().isoformat()}, token_from=page)
    assert response.status_code == 302
    task = db.session.scalar(select(Task).where(Task.title.startswith("Sarunāties")))
    assert response.headers["Location"].endswith(f"/tasks/{task.id}")
    case_page = client.get(f"/cases/{case_with_teacher.id}").get_data(as_text=True)
    assert f'href="/tasks/{task.id}"' in case_page and page in case_page


@pytest.mark.parametrize("data, message", [
    ({"assignee_id": "0"}, "Šis lauks ir obligāts"),
    ({"due_date": ""}, None),
    ({"due_date": "2001-01-01"}, None),
    ({"title": ""}, None),
    ({"assignee_id": "abc"}, None),
])
def test_new_task_page_bad_input_is_400_with_input_kept(client, people, case_with_teacher,
                                                        data, message):
    client.login(people["manager"].email)
    page = f"/cases/{case_with_teacher.id}/tasks/new"
    form = {"title": "Mans virsraksts", "description": "Mans apraksts",
            "assignee_id": people["teacher"].id,
            "due_date": (today() + timedelta(days=3)).isoformat(), **data}
    response = client.post_form(page, form, token_from=page)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Mans apraksts" in html
    if data.get("title") != "":
        assert "Mans virsraksts" in html
    if message:
        assert message in html
    assert db.session.scalar(select(Task).where(Task.title == "Mans virsraksts")) is None


def test_new_task_page_is_403_for_a_member_and_404_for_a_stranger(client, people,
                                                                    case_with_teacher):
    client.login(people["teacher"].email)
    assert client.get(f"/cases/{case_with_teacher.id}/tasks/new").status_code == 403
    client.get("/")
    client.post_form("/logout", {}, token_from="/")
    client.login(people["colleague"].email)
    assert client.get(f"/cases/{case_with_teacher.id}/tasks/new").status_code == 404
