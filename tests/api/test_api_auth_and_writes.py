"""Read-only tokens and the rate limit, JSON errors, cursor pages, the version check (409),
idempotent creations and the write endpoints through the same operations as the pages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from casework.cases.models import Case, Note
from casework.db_types import utcnow
from casework.extensions import db
from casework.tasks.models import Task
from tests.api.conftest import bearer
from tests.conftest import audit_actions


# -- scopes and limits ----------------------------------------------------------------------------
def test_read_token_cannot_change_anything(client, api_world):
    home = api_world["home"]
    response = client.post(f"/api/v1/cases/{home['ids']['case_id']}/notes",
                           json={"level": "group", "text": "x"},
                           headers=bearer(home["read_tokens"]["case_manager"]))
    assert response.status_code == 403 and response.get_json()["error"]["status"] == 403


def test_api_is_rate_limited_per_token(app, client, api_world, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    home = api_world["home"]
    codes = [client.get("/api/v1/tasks", headers=bearer(home["tokens"]["specialist"]))
             .status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = client.get("/api/v1/tasks", headers=bearer(home["tokens"]["case_manager"]))
    assert other.status_code == 200
    limited = client.get("/api/v1/tasks", headers=bearer(home["tokens"]["specialist"]))
    assert limited.is_json and limited.get_json()["error"]["status"] == 429


# -- errors are JSON --------------------------------------------------------------------------
def test_errors_are_json_bodies_never_html(client, api_world):
    token = bearer(api_world["home"]["tokens"]["case_manager"])
    case_id = api_world["home"]["ids"]["case_id"]
    answers = [
        client.get("/api/v1/no-such-thing", headers=token),  # 404
        client.delete("/api/v1/cases", headers=token),  # 405
        client.post(f"/api/v1/cases/{case_id}/notes", data="not json", headers=token),  # 400
        client.post(f"/api/v1/cases/{case_id}/notes", json={"level": "x", "text": "\x00"},
                    headers=token),  # 400 with fields
        client.get("/api/v1/cases?cursor=@@@", headers=token),  # 400
        client.get("/api/v1/cases/99999999999", headers=token),  # 404 (beyond int range)
    ]
    assert [a.status_code for a in answers] == [404, 405, 400, 400, 400, 404]
    for answer in answers:
        assert answer.is_json and "html" not in answer.content_type
        assert set(answer.get_json()["error"]) >= {"status", "title", "message"}
    assert set(answers[3].get_json()["error"]["fields"]) == {"level", "text"}


# -- pagination -------------------------------------------------------------------------------
def test_cursor_walks_every_item_once(client, api_world):
    token = bearer(api_world["home"]["tokens"]["specialist"])
    seen, cursor = [], None
    for _ in range(20):
        url = "/api/v1/notifications?limit=1" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=token).get_json()
        seen.extend(item["id"] for item in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    everything = client.get("/api/v1/notifications?limit=100", headers=token).get_json()
    assert seen == [item["id"] for item in everything["items"]] and len(seen) > 1


# -- optimistic locking -----------------------------------------------------------------------
def test_change_from_an_old_version_is_409_and_changes_nothing(client, api_world, app_ctx):
    home = api_world["home"]
    token = bearer(home["tokens"]["case_manager"])
    url = f"/api/v1/cases/{home['ids']['case_id']}"
    current = client.get(url, headers=token)
    version = current.headers["ETag"].strip('"')
    stale = client.post(url + "/transition", json={"trigger": "start_assessment"},
                        headers={**token, "If-Match": f'"{int(version) + 5}"'})
    assert stale.status_code == 409 and stale.get_json()["error"]["version"] == int(version)
    missing = client.post(url + "/transition", json={"trigger": "start_assessment"},
                          headers=token)
    assert missing.status_code == 409
    assert db.session.get(Case, home["ids"]["case_id"]).status == "registered"
    done = client.post(url + "/transition", json={"trigger": "start_assessment",
                                                  "version": int(version)}, headers=token)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["status"] == "assessment"
    assert done.headers["ETag"] == f'"{int(version) + 1}"'
    assert "case_transition" in audit_actions(user_id=home["user_ids"]["case_manager"])


def test_refused_transition_is_422_with_the_reason(client, api_world):
    home = api_world["home"]
    token = bearer(home["tokens"]["case_manager"])
    url = f"/api/v1/cases/{home['ids']['case_id']}"
    version = client.get(url, headers=token).headers["ETag"]
    response = client.post(url + "/transition", json={"trigger": "close",
                                                      "closure_reason": "goals_achieved"},
                           headers={**token, "If-Match": version})
    assert response.status_code == 422 and response.get_json()["error"]["message"]


def test_specialist_may_not_change_the_case(client, api_world):
    home = api_world["home"]
    url = f"/api/v1/cases/{home['ids']['case_id']}"
    token = bearer(home["tokens"]["specialist"])
    version = client.get(url, headers=token).headers["ETag"]
    response = client.post(url + "/transition", json={"trigger": "reopen"},
                           headers={**token, "If-Match": version})
    assert response.status_code == 403


# -- writes through the same operations -------------------------------------------------------
def test_note_written_through_the_api_is_audited_and_keeps_its_level(client, api_world, app_ctx):
    home = api_world["home"]
    token = bearer(home["tokens"]["specialist"])
    response = client.post(f"/api/v1/cases/{home['ids']['case_id']}/notes",
                           json={"level": "restricted", "text": "Tikai vadītājam."},
                           headers=token)
    assert response.status_code == 201
    note = db.session.get(Note, response.get_json()["id"])
    assert note.level == "restricted" and note.author_id == home["user_ids"]["specialist"]
    assert "case_note_added" in audit_actions(user_id=home["user_ids"]["specialist"])
    head = client.get(f"/api/v1/cases/{home['ids']['case_id']}/notes?limit=100",
                      headers=bearer(home["tokens"]["head_of_service"])).get_json()
    assert note.id not in {n["id"] for n in head["items"]}


def test_referral_filed_through_the_api_waits_for_triage(client, api_world):
    home = api_world["home"]
    body = {"child_given_name": "Pēteris", "child_family_name": "Ozols",
            "categories": ["school_absence"], "description": "Kavē.", "proposed_urgency": "red"}
    response = client.post("/api/v1/referrals", json=body,
                           headers=bearer(home["tokens"]["specialist"]))
    assert response.status_code == 201 and response.get_json()["outcome"] == "waiting"
    assert "child_given_name" not in response.get_json()
    queue = client.get("/api/v1/referrals/triage",
                       headers=bearer(home["tokens"]["case_manager"])).get_json()
    assert response.get_json()["id"] in {r["id"] for r in queue["items"]}
    refused = client.post("/api/v1/referrals", json=body,
                          headers=bearer(home["tokens"]["inspector"]))
    assert refused.status_code == 403


def test_task_completed_through_the_api(client, api_world, app_ctx):
    home = api_world["home"]
    token = bearer(home["tokens"]["specialist"])
    url = f"/api/v1/tasks/{home['ids']['task_id']}"
    version = client.get(url, headers=token).headers["ETag"]
    response = client.post(url + "/complete", json={"note": "Izdarīts."},
                           headers={**token, "If-Match": version})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert db.session.get(Task, home["ids"]["task_id"]).status == "done"


def test_meeting_planned_attendance_and_minutes_through_the_api(client, api_world):
    home = api_world["home"]
    token = bearer(home["tokens"]["coordinator"])
    start = (utcnow() + timedelta(days=9)).replace(microsecond=0)
    planned = client.post(f"/api/v1/groups/{home['ids']['group_id']}/meetings", json={
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
        "invite_ids": [home["user_ids"]["specialist"]]}, headers=token)
    assert planned.status_code == 201, planned.get_data(as_text=True)
    meeting = planned.get_json()
    url = f"/api/v1/meetings/{meeting['id']}"
    attendance = client.put(url + "/attendance", json={
        "statuses": {str(home["user_ids"]["specialist"]): "excused"},
        "version": meeting["version"]}, headers=token)
    assert attendance.status_code == 200, attendance.get_data(as_text=True)
    minutes = client.put(url + "/minutes", json={"minutes": "Protokols.",
                                                 "version": attendance.get_json()["version"]},
                         headers=token)
    assert minutes.status_code == 200 and minutes.get_json()["minutes"] == "Protokols."
    specialist = client.put(url + "/minutes", json={"minutes": "x", "version": 1},
                            headers=bearer(home["tokens"]["specialist"]))
    assert specialist.status_code == 403


def test_decision_progress_through_the_api(client, api_world):
    home = api_world["home"]
    token = bearer(home["tokens"]["coordinator"])
    url = f"/api/v1/decisions/{home['ids']['decision_id']}"
    version = client.get(url, headers=token).get_json()["version"]
    response = client.post(url + "/progress", json={"on": utcnow().date().isoformat(),
                                                    "text": "Notiek.", "version": version},
                           headers=token)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["progress"][-1]["text"] == "Notiek."




def test_creation_sent_again_with_its_idempotency_key_stores_nothing_twice(client, api_world,
                                                                         app_ctx):
    home = api_world["home"]
    headers = {**bearer(home["tokens"]["case_manager"]), "Idempotency-Key": "dvs-4711"}
    url = f"/api/v1/cases/{home['ids']['case_id']}/notes"
    before = db.session.scalar(select(db.func.count()).select_from(Note))
    first = client.post(url, json={"level": "group", "text": "Vienreiz."}, headers=headers)
    again = client.post(url, json={"level": "group", "text": "Vienreiz."}, headers=headers)
    assert first.status_code == 201 and again.status_code == 409
    assert again.get_json()["error"]["created"].endswith(f"#{first.get_json()['id']}")
    assert db.session.scalar(select(db.func.count()).select_from(Note)) == before + 1
    bad = client.post(url, json={"level": "group", "text": "x"},
                      headers={**headers, "Idempotency-Key": "ar atstarpēm"})
    assert bad.status_code == 400
