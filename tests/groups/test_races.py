"""Two people changing the same meeting at once, and a meeting or task draft form sent twice:
one change, the other a 409 page with the typed text and the current version, never a 500."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from casework.extensions import db
from casework.groups import operations as ops
from casework.groups.models import Meeting
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

REASON = "Koordinatore saslima, sanāksme jāpārceļ"


@pytest.fixture
def member(make_user, make_institution):
    return make_user("specialist", institution=make_institution("state_police"))


@pytest.fixture
def group(make_group, member):
    return make_group(members=[member])


def _meeting(meeting_id: int) -> Meeting:
    db.session.expire_all()
    return db.session.get(Meeting, meeting_id)


def _login(app, user):
    client = app.test_client()
    assert client.login(user.email).status_code == 302
    return client


def test_a_change_committed_meanwhile_is_a_409_with_the_reason_and_the_current_version(
        client, coordinator, group, member, make_meeting, monkeypatch):
    meeting = make_meeting(group, invite=[member])
    version = meeting.version
    client.login(coordinator.email)
    page = f"/meetings/{meeting.id}"
    token = client.csrf_token(page)
    once_inside(monkeypatch, ops, "check_version",
                lambda: changed_meanwhile("meeting", meeting.id, place="Cita telpa"))
    response = client.post(f"{page}/transition", data={
        "csrf_token": token, "trigger": "cancel", "reason": REASON, "version": str(version)})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert REASON in kept_panel(html)
    assert versions(html) == {str(version + 1)}
    assert _meeting(meeting.id).status == "planned"


@pytest.mark.parametrize("version", ["", None])
def test_an_empty_version_is_refused_like_a_stale_one(client, coordinator, group, member,
                                                      make_meeting, version):
    meeting = make_meeting(group, invite=[member])
    client.login(coordinator.email)
    page = f"/meetings/{meeting.id}"
    data = {"minutes": "Mans protokols"}
    if version is not None:
        data["version"] = version
    response = client.post_form(f"{page}/minutes", data, token_from=page)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Mans protokols" in kept_panel(html)
    assert versions(html) == {str(meeting.version)}
    assert _meeting(meeting.id).minutes is None


def test_two_cancellations_at_once_give_one_change_and_one_409_with_the_reason(
        app, coordinator, group, member, make_meeting, monkeypatch):
    needs_postgresql()
    meeting = make_meeting(group, invite=[member])
    version = meeting.version
    page = f"/meetings/{meeting.id}"
    clients = [_login(app, coordinator), _login(app, coordinator)]
    tokens = [c.csrf_token(page) for c in clients]
    meet_inside(monkeypatch, ops, "check_version")
    reasons = [f"{REASON} ({i})" for i in range(2)]
    responses = together(*[
        lambda i=i: clients[i].post(f"{page}/transition", data={
            "csrf_token": tokens[i], "trigger": "cancel", "reason": reasons[i],
            "version": str(version)}) for i in range(2)])
    assert sorted(r.status_code for r in responses) == [302, 409]
    loser = next(i for i, r in enumerate(responses) if r.status_code == 409)
    html = responses[loser].get_data(as_text=True)
    assert reasons[loser] in kept_panel(html)
    assert versions(html) == {str(_meeting(meeting.id).version)} != {str(version)}
    assert _meeting(meeting.id).status == "cancelled"


# -- create forms sent twice ------------------------------------------------------------------
def _meeting_data(member, token):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    fmt = "%Y-%m-%dT%H:%M"
    return {"kind": "regular", "starts_at": starts.strftime(fmt),
            "ends_at": (starts + timedelta(hours=1)).strftime(fmt), "title": "Vienreiz",
            "invite_ids": [member.id], "form_token": token}


def test_a_meeting_planned_twice_with_the_same_token_is_stored_once(client, coordinator,
                                                                    group, member):
    client.login(coordinator.email)
    page = f"/groups/{group.id}/meetings/new"
    data = _meeting_data(member, form_token(client.get(page).get_data(as_text=True)))
    first = client.post_form(page, data, token_from=page)
    second = client.post_form(page, data, token_from=page)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1


def test_a_task_draft_sent_twice_with_the_same_token_is_stored_once(
        client, coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member])
    client.login(coordinator.email)
    page = f"/meetings/{meeting.id}"
    token = form_token(client.get(page).get_data(as_text=True), f"{page}/tasks")
    data = {"title": "Apzināt ģimeni", "assignee_id": member.id,
            "due_date": (datetime.now(UTC) + timedelta(days=9)).date().isoformat(),
            "form_token": token}
    for _ in range(2):
        assert client.post_form(f"{page}/tasks", data, token_from=page).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Task)) == 1


def test_two_identical_meeting_plans_at_the_same_moment_store_one_meeting(
        app, coordinator, group, member, monkeypatch):
    needs_postgresql()
    import casework.web as web

    page = f"/groups/{group.id}/meetings/new"
    clients = [_login(app, coordinator), _login(app, coordinator)]
    data = _meeting_data(member, form_token(clients[0].get(page).get_data(as_text=True)))
    csrf = [c.csrf_token(page) for c in clients]
    meet_inside(monkeypatch, web, "check_token")
    responses = together(*[lambda i=i: clients[i].post(page, data={**data, "csrf_token":
                                                                   csrf[i]})
                           for i in range(2)])
    assert [r.status_code for r in responses] == [302, 302]
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1
