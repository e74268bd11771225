"""Issue 18.4 through the API: the minutes endpoint takes the minutes of each agenda item, refuses
items of another meeting and bad types, and the meeting gives each item's minutes back."""

from __future__ import annotations

from sqlalchemy import select

from casework.extensions import db
from casework.groups.models import AgendaItem
from tests.api.conftest import bearer


def _meeting(client, home, token):
    url = f"/api/v1/meetings/{home['ids']['meeting_id']}"
    return url, client.get(url, headers=token).get_json()


def test_the_minutes_endpoint_saves_each_items_minutes_and_the_meeting_returns_them(
        client, api_world):
    home = api_world["home"]
    token = bearer(home["tokens"]["coordinator"])
    url, meeting = _meeting(client, home, token)
    item_id = home["ids"]["item_id"]
    assert [i["minutes"] for i in meeting["agenda"]] == [None]
    response = client.put(url + "/minutes", json={
        "minutes": "Vispārīgi.", "version": meeting["version"],
        "items": [{"agenda_item_id": item_id, "minutes": "Par mērķi vienojāmies."}]},
        headers=token)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["minutes"] == "Vispārīgi."
    assert body["agenda"] == [{"id": item_id, "kind": "goal", "text": "Mērķis", "case_id": None,
                               "minutes": "Par mērķi vienojāmies."}]
    assert body["version"] == meeting["version"] + 1
    # The version protects the items' minutes too.
    stale = client.put(url + "/minutes", json={
        "minutes": "Vispārīgi.", "version": meeting["version"],
        "items": [{"agenda_item_id": item_id, "minutes": "Vecs"}]}, headers=token)
    assert stale.status_code == 409
    assert client.get(url, headers=token).get_json()["agenda"][0]["minutes"] == \
        "Par mērķi vienojāmies."


def test_an_item_of_another_meeting_is_refused(client, api_world, app):
    home = api_world["home"]
    token = bearer(home["tokens"]["coordinator"])
    url, meeting = _meeting(client, home, token)
    with app.app_context():
        foreign = db.session.scalar(select(AgendaItem.id).where(
            AgendaItem.meeting_id == home["ids"]["past_meeting_id"]))
    response = client.put(url + "/minutes", json={
        "minutes": None, "version": meeting["version"],
        "items": [{"agenda_item_id": foreign, "minutes": "Svešs"}]}, headers=token)
    assert response.status_code == 422 and response.is_json
    with app.app_context():
        assert db.session.get(AgendaItem, foreign).minutes is None


def test_bad_items_are_a_400_naming_the_field(client, api_world):
    home = api_world["home"]
    token = bearer(home["tokens"]["coordinator"])
    url, meeting = _meeting(client, home, token)
    item_id = home["ids"]["item_id"]
    for items in ("nav saraksts", [{"agenda_item_id": "1", "minutes": "x"}],
                  [{"minutes": "x"}], [{"agenda_item_id": item_id, "minutes": 5}],
                  [{"agenda_item_id": item_id, "minutes": "x" * 50001}],
                  [{"agenda_item_id": item_id, "minutes": "a"},
                   {"agenda_item_id": item_id, "minutes": "b"}]):
        response = client.put(url + "/minutes", json={"version": meeting["version"],
                                                      "items": items}, headers=token)
        assert response.status_code == 400, (items, response.get_data(as_text=True))
        assert "items" in response.get_json()["error"]["fields"]


def test_approved_minutes_refuse_item_minutes(client, api_world, app):
    home = api_world["home"]
    token = bearer(home["tokens"]["coordinator"])
    url = f"/api/v1/meetings/{home['ids']['past_meeting_id']}"
    meeting = client.get(url, headers=token).get_json()
    response = client.put(url + "/minutes", json={
        "minutes": "Protokols.", "version": meeting["version"],
        "items": [{"agenda_item_id": meeting["agenda"][0]["id"], "minutes": "Vēlāk"}]},
        headers=token)
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(AgendaItem, meeting["agenda"][0]["id"]).minutes is None
