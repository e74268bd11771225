"""Two people closing the same task at once, and a new-task form sent twice: one change (one
task), the other a 409 page with the typed note and the current version, never a 500."""

import pytest
from sqlalchemy import func, select

from casework.cases.operations import add_group_member
from casework.extensions import db
from casework.tasks import operations as ops
from casework.tasks.models import Task
from tests.races import (
    changed_meanwhile,
    form_token,
    kept_panel,
    meet_inside,
    needs_postgresql,
    once_inside,
    together,
    versions,
)

NOTE = "Sarunājām ar ģimeni, atbalsts sniegts"


@pytest.fixture
def people(make_user, make_institution, case_manager):
    school = make_institution("school", name="Skola")
    return {"teacher": make_user("specialist", institution=school),
            "colleague": make_user("specialist", institution=school), "manager": case_manager}


def _fresh(task_id: int) -> Task:
    db.session.expire_all()
    return db.session.get(Task, task_id)


def _login(app, user):
    client = app.test_client()
    assert client.login(user.email).status_code == 302
    return client


def test_a_completion_committed_meanwhile_is_a_409_with_the_note_kept(
        client, people, make_task, monkeypatch):
    """The colleague's change lands after our request loaded the task: the stale UPDATE runs
    in the audit log's query (autoflush) and used to be a 500."""
    task = make_task(people["teacher"], created_by=people["colleague"])
    client.login(people["teacher"].email)
    page = f"/tasks/{task.id}"
    token = client.csrf_token(page)
    once_inside(monkeypatch, ops, "check_version",
                lambda: changed_meanwhile("task", task.id, status="cancelled",
                                          cancel_reason="Nav vajadzīgs"))
    response = client.post(f"{page}/complete", data={"csrf_token": token, "note": NOTE,
                                                     "version": str(task.version)})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert NOTE in kept_panel(html)
    assert versions(html) == {str(task.version + 1)}
    assert _fresh(task.id).status == "cancelled"


def test_the_409_page_keeps_the_note_when_the_task_is_closed_meanwhile(
        client, people, make_task):
    task = make_task(people["teacher"], created_by=people["colleague"])
    old = task.version
    ops.cancel_task(people["colleague"], task, "Vairs nav aktuāls")
    db.session.commit()
    client.login(people["teacher"].email)
    page = f"/tasks/{task.id}"
    response = client.post_form(f"{page}/complete", {"note": NOTE, "version": old},
                                token_from=page)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert NOTE in kept_panel(html)
    assert versions(html) == {str(_fresh(task.id).version)}


@pytest.mark.parametrize("version", ["", None])
@pytest.mark.parametrize("action,field", [("complete", "note"), ("cancel", "reason")])
def test_an_empty_version_is_refused_like_a_stale_one(client, people, make_task, action,
                                                      field, version):
    task = make_task(people["teacher"])
    client.login(people["teacher"].email)
    page = f"/tasks/{task.id}"
    data = {field: NOTE} if version is None else {field: NOTE, "version": version}
    response = client.post_form(f"{page}/{action}", data, token_from=page)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert NOTE in kept_panel(html) and versions(html) == {str(task.version)}
    assert _fresh(task.id).status == "open"


@pytest.mark.parametrize("second", ["complete", "cancel"])
def test_two_closings_of_one_task_at_once_give_one_change_and_one_409_with_the_text(
        app, people, make_task, monkeypatch, second):
    needs_postgresql()
    task = make_task(people["teacher"], created_by=people["colleague"])
    version = task.version
    page = f"/tasks/{task.id}"
    clients = [_login(app, people["teacher"]), _login(app, people["colleague"])]
    tokens = [c.csrf_token(page) for c in clients]
    meet_inside(monkeypatch, ops, "check_version")
    posts = [("complete", "note", f"{NOTE} (0)"), (second, "note" if second == "complete"
                                                   else "reason", f"{NOTE} (1)")]
    responses = together(*[
        lambda i=i: clients[i].post(f"{page}/{posts[i][0]}", data={
            "csrf_token": tokens[i], "version": str(version), posts[i][1]: posts[i][2]})
        for i in range(2)])
    assert sorted(r.status_code for r in responses) == [302, 409]
    loser = next(i for i, r in enumerate(responses) if r.status_code == 409)
    html = responses[loser].get_data(as_text=True)
    assert posts[loser][2] in kept_panel(html)
    assert versions(html) == {str(_fresh(task.id).version)} != {str(version)}
    assert _fresh(task.id).status in ("done", "cancelled")


# -- a new task sent twice --------------------------------------------------------------------
@pytest.fixture
def case_with_teacher(make_case, people):
    case = make_case()
    add_group_member(people["manager"], case, people["teacher"])
    db.session.commit()
    return case


def _task_data(people, token):
    from casework.tasks.operations import utcnow
    from workflows.policy import local_date

    return {"title": "Apmeklēt ģimeni", "assignee_id": people["teacher"].id,
            "due_date": local_date(utcnow()).isoformat(), "form_token": token}


def _task_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Task)
                             .where(Task.title == "Apmeklēt ģimeni"))


def test_a_new_task_sent_twice_with_the_same_token_is_stored_once(client, people,
                                                                  case_with_teacher):
    client.login(people["manager"].email)
    page = f"/cases/{case_with_teacher.id}/tasks/new"
    data = _task_data(people, form_token(client.get(page).get_data(as_text=True)))
    first = client.post_form(page, data, token_from=page)
    second = client.post_form(page, data, token_from=page)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _task_count() == 1


def test_two_identical_new_task_posts_at_the_same_moment_store_one_task(
        app, people, case_with_teacher, monkeypatch):
    needs_postgresql()
    import casework.web as web

    page = f"/cases/{case_with_teacher.id}/tasks/new"
    clients = [_login(app, people["manager"]), _login(app, people["manager"])]
    data = _task_data(people, form_token(clients[0].get(page).get_data(as_text=True)))
    csrf = [c.csrf_token(page) for c in clients]
    meet_inside(monkeypatch, web, "check_token")
    responses = together(*[lambda i=i: clients[i].post(page, data={**data, "csrf_token":
                                                                   csrf[i]})
                           for i in range(2)])
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0].headers["Location"] == responses[1].headers["Location"]
    assert _task_count() == 1
