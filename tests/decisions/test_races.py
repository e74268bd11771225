"""Two people recording the execution of the same decision at once: one change, the other a
409 page with the typed text and the current version, never a 500."""

from datetime import timedelta

import pytest

from casework.decisions import operations as ops
from casework.extensions import db
from casework.groups.models import Decision
from tests.races import (
    changed_meanwhile,
    kept_panel,
    meet_inside,
    needs_postgresql,
    once_inside,
    together,
    versions,
)

NOTE = "Policija apsekoja dzīvesvietu"


@pytest.fixture
def world(make_user, make_institution, make_group, make_decision, coordinator):
    police = make_institution("municipal_police", name="Pašvaldības policija")
    officer = make_user("specialist", institution=police)
    group = make_group(members=[officer])
    decision = make_decision(group, institution=police, due=ops.today() + timedelta(days=30))
    return {"coordinator": coordinator, "officer": officer, "decision": decision}


def _decision(decision_id: int) -> Decision:
    db.session.expire_all()
    return db.session.get(Decision, decision_id)


def _login(app, user):
    client = app.test_client()
    assert client.login(user.email).status_code == 302
    return client


def test_a_change_committed_meanwhile_is_a_409_even_when_autoflush_finds_it(
        client, world, monkeypatch):
    decision = world["decision"]
    version = decision.version
    client.login(world["coordinator"].email)
    page = f"/decisions/{decision.id}"
    token = client.csrf_token(page)
    once_inside(monkeypatch, ops, "check_version",
                lambda: changed_meanwhile("decision", decision.id, status="in_progress"))
    response = client.post(f"{page}/advance", data={
        "csrf_token": token, "trigger": "start_execution", "note": NOTE,
        "version": str(version), "on": ops.today().isoformat()})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert NOTE in kept_panel(html)
    assert versions(html) == {str(version + 1)}
    assert _decision(decision.id).progress == []


@pytest.mark.parametrize("version", ["", None])
@pytest.mark.parametrize("url,data", [
    ("advance", {"trigger": "start_execution", "note": NOTE}),
    ("progress", {"text": NOTE}),
])
def test_an_empty_version_is_refused_like_a_stale_one(client, world, url, data, version):
    decision = world["decision"]
    client.login(world["coordinator"].email)
    page = f"/decisions/{decision.id}"
    data = {**data, "on": ops.today().isoformat()}
    if version is not None:
        data["version"] = version
    response = client.post_form(f"{page}/{url}", data, token_from=page)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert NOTE in kept_panel(html) and versions(html) == {str(decision.version)}
    assert _decision(decision.id).progress == []


def test_two_steps_at_once_give_one_change_and_one_409_with_the_note(app, world, monkeypatch):
    needs_postgresql()
    decision = world["decision"]
    version = decision.version
    page = f"/decisions/{decision.id}"
    clients = [_login(app, world["coordinator"]), _login(app, world["officer"])]
    tokens = [c.csrf_token(page) for c in clients]
    meet_inside(monkeypatch, ops, "check_version")
    notes = [f"{NOTE} ({i})" for i in range(2)]
    responses = together(*[
        lambda i=i: clients[i].post(f"{page}/advance", data={
            "csrf_token": tokens[i], "trigger": "start_execution", "note": notes[i],
            "version": str(version), "on": ops.today().isoformat()}) for i in range(2)])
    assert sorted(r.status_code for r in responses) == [302, 409]
    loser = next(i for i, r in enumerate(responses) if r.status_code == 409)
    html = responses[loser].get_data(as_text=True)
    assert notes[loser] in kept_panel(html)
    assert versions(html) == {str(_decision(decision.id).version)} != {str(version)}
    assert len(_decision(decision.id).progress) == 1
