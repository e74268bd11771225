"""Two people changing the same case at once, and one form sent twice (``casework.web``):
a stale change is a 409 page that keeps the input and carries the current version, never a 500;
a re-sent create form stores nothing twice."""

import pytest
from flask_login import login_user
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from casework.cases import operations as ops
from casework.cases.models import Case, CaseEvent, CasePerson, Note, Referral
from casework.extensions import db
from casework.web import post_change
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

REASON = "Skolotāja ziņo par zilumiem uz rokām"


@pytest.fixture
def head(make_user, social_service):
    return make_user("head_of_service", institution=social_service, full_name="Vadītāja")


def _case(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def _risk_events(case_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.machine == "risk"))


# -- a stale change is a 409, however it shows up ---------------------------------------------
def test_a_change_committed_meanwhile_is_a_409_even_when_autoflush_finds_it(
        client, case_manager, make_case, monkeypatch):
    """The colleague commits after our request loaded the case: the stale UPDATE runs inside a
    later query (``policy_for``) and used to be a 500."""
    case = make_case(risk="green", status="intervention")
    version = case.version
    client.login(case_manager.email)
    once_inside(monkeypatch, ops, "risk_facts",
                lambda: changed_meanwhile("case", case.id, risk="yellow"))
    response = client.post_form(f"/cases/{case.id}/risk", {
        "trigger": "raise_to_yellow", "version": str(version), "reason": REASON},
        token_from="/")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert REASON in kept_panel(html)
    assert versions(html) == {str(version + 1)}
    assert _case(case.id).risk == "yellow" and _risk_events(case.id) == 0


def test_a_lifecycle_change_committed_meanwhile_is_a_409_not_a_500(
        client, case_manager, make_case, monkeypatch):
    case = make_case(risk="green", status="intervention")
    client.login(case_manager.email)
    once_inside(monkeypatch, ops, "case_facts",
                lambda: changed_meanwhile("case", case.id, risk="yellow"))
    response = client.post_form(f"/cases/{case.id}/transition", {
        "trigger": "deactivate", "version": str(case.version), "reason": REASON},
        token_from="/")
    assert response.status_code == 409
    assert REASON in kept_panel(response.get_data(as_text=True))
    assert _case(case.id).status == "intervention"


def test_a_stale_data_error_at_commit_is_a_409_with_the_input_kept(
        app, case_manager, make_case):
    case = make_case(risk="green")
    case_id, version = case.id, case.version

    def action(found, form):
        with db.session.no_autoflush:
            found.next_review_due = None
            changed_meanwhile("case", found.id)  # the UPDATE now runs at commit, and is stale

    with app.test_request_context(f"/cases/{case_id}/review", method="POST",
                                  data={"summary": REASON, "version": str(version)}):
        from casework.auth.sessions import start_session
        from casework.cases.forms import ReviewForm

        user = db.session.get(type(case_manager), case_manager.id)
        start_session(user)
        db.session.commit()  # the session row must not hold SQLite's write lock
        login_user(user)
        form = ReviewForm(meta={"csrf": False})
        seen = []
        response = post_change(lambda: db.session.get(Case, case_id), form, action,
                               lambda found, status, f: (seen.append(found.version) or "page",
                                                         status),
                               success_url=lambda *_: "/")
        from casework.web import kept_input

        assert response[1] == 409
        assert seen == [version + 1]
        kept = kept_input()
        assert kept.version == str(version + 1)
        assert REASON in [value for _name, _label, value, _multiline in kept.texts]


def test_a_stale_data_error_outside_the_shared_handler_is_a_409_page_with_the_input_kept(app):
    with app.test_request_context("/somewhere", method="POST",
                                  data={"reason": REASON, "csrf_token": "x"}):
        response, status = app.handle_user_exception(StaleDataError("stale"))
    assert status == 409
    assert REASON in kept_panel(response)


# -- the loser's page keeps the input and carries the current version -------------------------
def test_the_409_page_keeps_the_typed_reason_when_the_pressed_button_is_gone(
        client, case_manager, make_case):
    case = make_case(risk="green", status="intervention")
    old = case.version
    client.login(case_manager.email)
    ops.change_risk(case_manager, case, "raise_to_yellow", reason="Kolēģis paspēja pirmais")
    db.session.commit()
    response = client.post_form(f"/cases/{case.id}/risk", {
        "trigger": "raise_to_yellow", "version": str(old), "reason": REASON}, token_from="/")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'name="trigger" value="raise_to_yellow"' in kept_panel(html)
    assert REASON in kept_panel(html)
    assert versions(html) == {str(_case(case.id).version)} != {str(old)}


def test_sending_the_kept_input_again_after_a_409_works(client, case_manager, make_case):
    case = make_case(risk="green", status="intervention")
    old = case.version
    client.login(case_manager.email)
    ops.change_risk(case_manager, case, "raise_to_yellow", reason="Kolēģis mainīja")
    db.session.commit()
    first = client.post_form(f"/cases/{case.id}/transition", {
        "trigger": "deactivate", "version": str(old), "reason": REASON}, token_from="/")
    assert first.status_code == 409
    (version,) = versions(kept_panel(first.get_data(as_text=True)))
    again = client.post_form(f"/cases/{case.id}/transition", {
        "trigger": "deactivate", "version": version, "reason": REASON}, token_from="/")
    assert again.status_code == 302
    assert _case(case.id).status == "inactive"


@pytest.mark.parametrize("version", ["", None])
@pytest.mark.parametrize("url,data", [
    ("risk", {"trigger": "raise_to_yellow", "reason": REASON}),
    ("transition", {"trigger": "deactivate", "reason": REASON}),
    ("review", {"summary": REASON}),
])
def test_an_empty_version_is_refused_like_a_stale_one(client, case_manager, make_case, url,
                                                      data, version):
    case = make_case(risk="green", status="intervention")
    client.login(case_manager.email)
    if version is not None:
        data = {**data, "version": version}
    response = client.post_form(f"/cases/{case.id}/{url}", data, token_from="/")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert REASON in kept_panel(html) and versions(html) == {str(case.version)}
    after = _case(case.id)
    assert (after.risk, after.status, after.version) == ("green", "intervention", case.version)


# -- real races (PostgreSQL) ------------------------------------------------------------------
def _login(app, user):
    client = app.test_client()
    assert client.login(user.email).status_code == 302
    return client


def test_two_risk_raises_at_once_give_one_change_and_one_409_with_the_reason(
        app, case_manager, head, make_case, monkeypatch):
    needs_postgresql()
    case = make_case(risk="green", status="intervention")
    version = case.version
    clients = [_login(app, case_manager), _login(app, head)]
    tokens = [c.csrf_token(f"/cases/{case.id}") for c in clients]
    meet_inside(monkeypatch, ops, "check_version")
    reasons = [f"{REASON} ({i})" for i in range(2)]
    responses = together(*[
        lambda i=i: clients[i].post(f"/cases/{case.id}/risk", data={
            "csrf_token": tokens[i], "trigger": "raise_to_red", "version": str(version),
            "reason": reasons[i]}) for i in range(2)])
    assert sorted(r.status_code for r in responses) == [302, 409]
    loser = next(i for i, r in enumerate(responses) if r.status_code == 409)
    html = responses[loser].get_data(as_text=True)
    assert reasons[loser] in kept_panel(html)
    assert versions(html) == {str(_case(case.id).version)} != {str(version)}
    assert _case(case.id).risk == "red" and _risk_events(case.id) == 1


@pytest.mark.parametrize("url,data,expected", [
    ("transition", {"trigger": "escalate_crisis", "reason": REASON}, "crisis"),
    ("review", {"summary": REASON}, None),
])
def test_two_case_changes_at_once_give_one_change_and_one_409(
        app, case_manager, head, make_case, monkeypatch, url, data, expected):
    needs_postgresql()
    case = make_case(risk="red", status="intervention")
    version = case.version
    clients = [_login(app, case_manager), _login(app, head)]
    tokens = [c.csrf_token(f"/cases/{case.id}") for c in clients]
    meet_inside(monkeypatch, ops, "check_version")
    responses = together(*[
        lambda i=i: clients[i].post(f"/cases/{case.id}/{url}", data={
            "csrf_token": tokens[i], "version": str(version), **data}) for i in range(2)])
    assert sorted(r.status_code for r in responses) == [302, 409]
    html = next(r for r in responses if r.status_code == 409).get_data(as_text=True)
    assert REASON in kept_panel(html)
    assert versions(html) == {str(_case(case.id).version)}
    if expected:
        assert _case(case.id).status == expected


# -- a create form sent twice stores one record -----------------------------------------------
def _note_count(case_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Note)
                             .where(Note.case_id == case_id))


def test_a_note_sent_twice_with_the_same_token_is_stored_once(client, case_manager, make_case):
    case = make_case()
    client.login(case_manager.email)
    page = f"/cases/{case.id}"
    token = form_token(client.get(page).get_data(as_text=True), f"{page}/notes")
    data = {"level": "group", "text": "Māte ieradās uz tikšanos", "form_token": token}
    first = client.post_form(f"{page}/notes", data, token_from=page)
    second = client.post_form(f"{page}/notes", data, token_from=page)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert _note_count(case.id) == 1


def test_a_person_sent_twice_with_the_same_token_is_stored_once(client, case_manager,
                                                                make_case):
    case = make_case()
    client.login(case_manager.email)
    page = f"/cases/{case.id}"
    token = form_token(client.get(page).get_data(as_text=True), f"{page}/persons")
    data = {"role": "parent", "given_name": "Inga", "family_name": "Bērziņa",
            "form_token": token}
    for _ in range(2):
        assert client.post_form(f"{page}/persons", data, token_from=page).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CasePerson).where(
        CasePerson.case_id == case.id, CasePerson.given_name == "Inga")) == 1


def test_a_new_form_gets_a_new_token_so_a_second_note_is_stored(client, case_manager,
                                                                make_case):
    case = make_case()
    client.login(case_manager.email)
    page = f"/cases/{case.id}"
    for text in ("Pirmā", "Otrā"):
        token = form_token(client.get(page).get_data(as_text=True), f"{page}/notes")
        client.post_form(f"{page}/notes", {"level": "group", "text": text,
                                           "form_token": token}, token_from=page)
    assert _note_count(case.id) == 2


def test_a_referral_sent_twice_with_the_same_token_is_stored_once(client, make_user,
                                                                  make_institution):
    teacher = make_user("specialist", institution=make_institution("school"))
    client.login(teacher.email)
    token = form_token(client.get("/referrals/new").get_data(as_text=True))
    data = {"child_given_name": "Jānis", "child_family_name": "Kalns",
            "categories": "neglect", "description": "Bērns bieži izsalcis",
            "proposed_urgency": "yellow", "form_token": token}
    responses = [client.post_form("/referrals/new", data, token_from="/referrals/new")
                 for _ in range(2)]
    assert [r.status_code for r in responses] == [302, 302]
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 1


def test_someone_elses_used_token_creates_nothing_and_is_not_a_500(
        app, client, case_manager, head, make_case):
    case = make_case()
    page = f"/cases/{case.id}"
    client.login(case_manager.email)
    token = form_token(client.get(page).get_data(as_text=True), f"{page}/notes")
    data = {"level": "group", "text": "Piezīme", "form_token": token}
    assert client.post_form(f"{page}/notes", data, token_from=page).status_code == 302
    other = _login(app, head)
    assert other.post_form(f"{page}/notes", data, token_from=page).status_code == 400
    assert _note_count(case.id) == 1


def test_two_identical_note_posts_at_the_same_moment_store_one_note(
        app, case_manager, make_case, monkeypatch):
    needs_postgresql()
    import casework.web as web

    case = make_case()
    page = f"/cases/{case.id}"
    clients = [_login(app, case_manager), _login(app, case_manager)]
    html = clients[0].get(page).get_data(as_text=True)
    token = form_token(html, f"{page}/notes")
    csrf = [c.csrf_token(page) for c in clients]
    meet_inside(monkeypatch, web, "check_token")
    responses = together(*[
        lambda i=i: clients[i].post(f"{page}/notes", data={
            "csrf_token": csrf[i], "level": "group", "text": "Vienreiz",
            "form_token": token}) for i in range(2)])
    assert [r.status_code for r in responses] == [302, 302]
    assert _note_count(case.id) == 1
