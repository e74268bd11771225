"""The API mirrors the confidentiality matrix of the pages: every role × endpoint gets the
status the table says, and the same status as the page that shows the same thing (404 where the
page gives 404, 403 where it gives 403). Ids of the other municipality are 404 for everyone."""

from __future__ import annotations

import pytest

from tests.api.conftest import ROLES, bearer
from tests.world import PASSWORD

CASE_CONTENT = {"head_of_service": 200, "case_manager": 200, "specialist": 200}
STRATEGIC = {"coordinator": 200, "head_of_service": 200, "case_manager": 200, "specialist": 200}
STRATEGIC_LIST = {**STRATEGIC, "admin": 200}
MUNICIPAL_REPORT = {"coordinator": 200, "head_of_service": 200}
EVERYONE = dict.fromkeys(ROLES, 200)
#: Who files referrals, is given tasks and sees meetings: not the data protection officer nor
#: the inspector (issue 14.7).
WORKING = {role: 200 for role in ROLES if role not in ("auditor", "inspector")}


def _only(allowed: dict, refused: int) -> dict:
    return {role: allowed.get(role, refused) for role in ROLES}


#: (API path, page path or None, {role: status}); ``{name}`` is one of the world's ids.
MATRIX = [
    ("/cases", "/cases", _only(CASE_CONTENT, 403)),
    ("/cases/{case_id}", "/cases/{case_id}", _only(CASE_CONTENT, 404)),
    ("/cases/{case_id}/persons", "/cases/{case_id}", _only(CASE_CONTENT, 404)),
    ("/cases/{case_id}/notes", "/cases/{case_id}", _only(CASE_CONTENT, 404)),
    ("/cases/statistics", "/cases/overview", _only({"coordinator": 200}, 403)),
    ("/referrals", "/referrals/mine", _only(WORKING, 403)),
    ("/referrals/triage", "/referrals/triage", _only({"case_manager": 200}, 403)),
    ("/groups", "/groups", _only(STRATEGIC_LIST, 403)),
    ("/groups/{group_id}", "/groups/{group_id}", _only(STRATEGIC_LIST, 404)),
    ("/groups/{case_group_id}", "/groups/{case_group_id}", _only(CASE_CONTENT, 404)),
    ("/groups/{group_id}/meetings", "/meetings/{meeting_id}", _only(STRATEGIC, 404)),
    ("/groups/{case_group_id}/meetings", "/meetings/{case_meeting_id}",
     _only(CASE_CONTENT, 404)),
    ("/meetings/{meeting_id}", "/meetings/{meeting_id}", _only(STRATEGIC, 404)),
    ("/meetings/{case_meeting_id}", "/meetings/{case_meeting_id}", _only(CASE_CONTENT, 404)),
    ("/decisions", None, EVERYONE),
    ("/decisions/{decision_id}", "/decisions/{decision_id}", _only(STRATEGIC, 404)),
    ("/decisions/{draft_decision_id}", "/decisions/{draft_decision_id}", _only({}, 404)),
    ("/tasks", "/tasks", _only(WORKING, 403)),
    ("/tasks/{task_id}", "/tasks/{task_id}", _only(STRATEGIC, 404)),
    ("/tasks/{case_task_id}", "/tasks/{case_task_id}", _only(CASE_CONTENT, 404)),
    ("/tasks/{draft_task_id}", "/tasks/{draft_task_id}", _only({}, 404)),
    ("/notifications", "/notifications", EVERYONE),
    ("/reports", "/reports/annual/{year}", _only(MUNICIPAL_REPORT, 403)),
    ("/reports/{year}", "/reports/annual/{year}", _only(MUNICIPAL_REPORT, 403)),
    ("/reports/{year}/export", "/reports/annual/{year}/export.json",
     _only(MUNICIPAL_REPORT, 403)),
    ("/inspector/overview", "/reports/municipalities", _only({"inspector": 200}, 403)),
    ("/inspector/reports/{atvk}/{year}", "/reports/municipalities/{atvk}/{year}",
     _only({"inspector": 200}, 403)),
    ("/inspector/reports/{atvk}/{draft_year}", "/reports/municipalities/{atvk}/{draft_year}",
     _only({"inspector": 404}, 403)),
]

#: The other municipality's objects: nobody of the home municipality sees them.
FOREIGN = ["/cases/{case_id}", "/cases/{case_id}/notes", "/groups/{case_group_id}",
           "/meetings/{meeting_id}", "/decisions/{decision_id}", "/tasks/{task_id}",
           "/groups/{group_id}/meetings"]


@pytest.fixture(scope="module")
def browsers(app, api_world):
    """A logged-in browser per role, to ask the pages the same question."""
    clients = {}
    logins = {**api_world["home"]["logins"], "inspector": "inspector.world@example.lv"}
    for role in ROLES:
        client = app.test_client()
        response = client.login(logins[role], PASSWORD)
        assert response.status_code == 302, role
        clients[role] = client
    return clients


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("api", "page", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_api_answers_each_role_as_the_page_does(client, api_world, browsers, role, api, page,
                                                expected):
    ids = api_world["home"]["ids"]
    response = client.get("/api/v1" + api.format(**ids),
                          headers=bearer(api_world["home"]["tokens"][role]))
    assert response.status_code == expected[role], response.get_data(as_text=True)[:300]
    assert response.is_json
    if page is not None:
        assert browsers[role].get(page.format(**ids)).status_code == expected[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("api", FOREIGN)
def test_another_municipalitys_objects_are_not_found(client, api_world, role, api):
    response = client.get("/api/v1" + api.format(**api_world["other"]["ids"]),
                          headers=bearer(api_world["home"]["tokens"][role]))
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


@pytest.mark.parametrize("role", ROLES)
def test_lists_hold_only_what_the_role_may_see(client, api_world, role):
    """The case list names a person only in the case content roles' answers; the other
    municipality's case is never listed."""
    home, other = api_world["home"], api_world["other"]
    response = client.get("/api/v1/cases", headers=bearer(home["tokens"][role]))
    if role in CASE_CONTENT:
        listed = {item["id"] for item in response.get_json()["items"]}
        assert other["ids"]["case_id"] not in listed
        assert home["ids"]["case_id"] in listed
    else:
        assert response.status_code == 403  # no case list at all (issue 14.7)
    text = client.get("/api/v1/cases/statistics",
                      headers=bearer(home["tokens"][role])).get_data(as_text=True)
    assert "Bērziņa" not in text and "Berzina" not in text


# -- changes ----------------------------------------------------------------------------------
CASE_MANAGERS = {"head_of_service": 409, "case_manager": 409, "specialist": 403}
STRATEGIC_MANAGER = {"coordinator": 409, "head_of_service": 403, "case_manager": 403,
                     "specialist": 403}
#: The decision's responsible institution is the specialist's school: they may track it.
DECISION_TRACKERS = {"coordinator": 409, "head_of_service": 403, "case_manager": 403,
                     "specialist": 409}

#: (method, API path, body, page path or None, {role: status}). Versioned changes are sent
#: from version 0, which no object has: a role allowed to make the change gets 409 and nothing
#: changes, one that sees the object but may not change it 403, anyone else 404.
CHANGES = [
    ("POST", "/cases/{case_id}/transition", {"trigger": "start_assessment", "version": 0},
     "/cases/{case_id}/transition", _only(CASE_MANAGERS, 404)),
    ("POST", "/cases/{case_id}/risk", {"trigger": "raise_to_red", "reason": "x", "version": 0},
     "/cases/{case_id}/risk", _only(CASE_MANAGERS, 404)),
    ("PUT", "/meetings/{meeting_id}/minutes", {"minutes": "x", "version": 0},
     "/meetings/{meeting_id}/minutes", _only(STRATEGIC_MANAGER, 404)),
    ("PUT", "/meetings/{case_meeting_id}/minutes", {"minutes": "x", "version": 0},
     "/meetings/{case_meeting_id}/minutes", _only(CASE_MANAGERS, 404)),
    ("PUT", "/meetings/{meeting_id}/attendance", {"statuses": {}, "version": 0}, None,
     _only(STRATEGIC_MANAGER, 404)),
    ("POST", "/meetings/{meeting_id}/transition", {"trigger": "mark_held", "version": 0},
     "/meetings/{meeting_id}/transition", _only(STRATEGIC_MANAGER, 404)),
    ("POST", "/decisions/{decision_id}/advance", {"trigger": "start_execution", "version": 0},
     "/decisions/{decision_id}/advance", _only(DECISION_TRACKERS, 404)),
    ("POST", "/decisions/{decision_id}/progress", {"on": "2026-01-02", "text": "x",
                                                   "version": 0},
     "/decisions/{decision_id}/progress", _only(DECISION_TRACKERS, 404)),
    ("POST", "/tasks/{task_id}/complete", {"note": "x", "version": 0},
     "/tasks/{task_id}/complete",
     _only({"coordinator": 409, "head_of_service": 403, "case_manager": 403,
            "specialist": 409}, 404)),
    ("POST", "/tasks/{case_task_id}/complete", {"note": "x", "version": 0},
     "/tasks/{case_task_id}/complete", _only({**CASE_MANAGERS, "specialist": 409}, 404)),
    # Creations: 201 for who may, the same refusals as the pages otherwise.
    ("POST", "/cases/{case_id}/notes", {"level": "group", "text": "x"}, None,
     _only(dict.fromkeys(CASE_CONTENT, 201), 404)),
    ("POST", "/cases/{case_id}/persons", {"role": "other", "given_name": "A",
                                          "family_name": "B"}, None,
     _only({"head_of_service": 201, "case_manager": 201, "specialist": 403}, 404)),
    ("PUT", "/cases/{case_id}/persons/{person_id}", {"role": "parent", "given_name": "Inese",
                                                     "family_name": "Bērziņa"}, None,
     _only({"head_of_service": 200, "case_manager": 200, "specialist": 403}, 404)),
    ("POST", "/referrals", {"child_given_name": "A", "child_family_name": "B",
                            "categories": ["other"], "description": "x",
                            "proposed_urgency": "green"}, None,
     {**dict.fromkeys(ROLES, 201), "inspector": 403, "auditor": 403}),
    ("POST", "/groups/{group_id}/meetings", {"starts_at": "2030-01-07T10:00:00+02:00",
                                             "ends_at": "2030-01-07T11:00:00+02:00"}, None,
     _only({"coordinator": 201, "head_of_service": 403, "case_manager": 403,
            "specialist": 403}, 404)),
    ("POST", "/referrals/{referral_id}/triage", {"outcome": "no_action"}, None,
     _only({"case_manager": 422}, 403)),
]


def _form(body: dict) -> dict:
    return {k: str(v) for k, v in body.items() if not isinstance(v, dict)}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "api", "body", "page", "expected"), CHANGES,
                         ids=[f"{c[0]} {c[1]}" for c in CHANGES])
def test_api_changes_are_refused_and_allowed_as_on_the_pages(client, api_world, browsers, role,
                                                             method, api, body, page,
                                                             expected):
    ids = api_world["home"]["ids"]
    response = client.open("/api/v1" + api.format(**ids), method=method, json=body,
                           headers=bearer(api_world["home"]["tokens"][role]))
    assert response.status_code == expected[role], response.get_data(as_text=True)[:300]
    assert response.is_json
    if page is not None:
        browser = browsers[role]
        token = browser.csrf_token("/notifications/settings")
        answer = browser.post(page.format(**ids), data={**_form(body), "csrf_token": token})
        assert answer.status_code == expected[role]
