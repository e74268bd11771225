"""Guessing passwords (issue 17.3): the password change counts like a failed login, and the
answer does not tell a locked account from an unknown address."""

import re

import pytest
from sqlalchemy import select

from casework.auth.models import User, UserSession
from casework.extensions import db
from tests.conftest import TEST_PASSWORD, audit_actions

WRONG = {"current": "nepareiza-parole-9", "new": "jauna-parole-2026",
         "confirm": "jauna-parole-2026"}
ERROR_RE = re.compile(r'<p class="flash flash-error" role="alert">([^<]*)</p>')


def _guess(client):
    return client.post_form("/password", WRONG, token_from="/password")


def test_wrong_current_passwords_lock_the_account_and_end_its_sessions(app, client,
                                                                       make_user):
    user = make_user("case_manager")
    other = app.test_client()
    other.login(user.email)
    client.login(user.email)
    for _ in range(4):
        response = _guess(client)
        assert response.status_code == 400
        assert "Pašreizējā parole nav pareiza" in response.get_data(as_text=True)
    response = _guess(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "konts tiek bloķēts uz 15 minūtēm" in client.get("/login").get_data(as_text=True)
    # Every session of the account has ended, and the right password does not open it now.
    assert other.get("/").status_code == 302
    assert set(db.session.scalars(select(UserSession.ended_reason))) == {"locked"}
    assert client.login(user.email).status_code == 401
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is not None
    assert audit_actions().count("login_failed") >= 5
    assert "account_locked" in audit_actions()


def test_wrong_current_passwords_and_failed_logins_share_one_count(client, make_user):
    user = make_user("case_manager")
    for _ in range(2):
        client.login(user.email, "nepareiza-parole")
    client2 = client.application.test_client()
    client2.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    client2.login(user.email)
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_login_count == 0  # a login resets it
    for _ in range(2):
        client.login(user.email, "nepareiza-parole")
    for _ in range(3):
        _guess(client2)
    # 2 wrong logins + 3 wrong current passwords = 5: locked.
    assert client2.get("/").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is not None


def test_wrong_current_passwords_count_towards_the_login_rate_limit(app, client, make_user):
    user = make_user("case_manager")
    app.config["LOGIN_RATE_LIMIT"] = "3 per 15 minutes"
    try:
        client.login(user.email)  # a successful login does not count
        assert _guess(client).status_code == 400
        assert _guess(client).status_code == 400
        # A failed login from another browser at the same address uses up the same limit.
        assert app.test_client().login("nav@example.lv", "x").status_code == 401
        response = _guess(client)
        assert response.status_code == 429
        assert "Pārāk daudz mēģinājumu" in response.get_data(as_text=True)
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "20 per 15 minutes"


def test_a_refused_new_password_does_not_count_as_a_guess(client, make_user):
    user = make_user("case_manager")
    client.login(user.email)
    for _ in range(6):
        response = client.post_form("/password", {"current": TEST_PASSWORD, "new": "īsa-1",
                                                  "confirm": "īsa-1"}, token_from="/password")
        assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_login_count == 0


def _count_hash_checks(monkeypatch):
    import werkzeug.security

    from casework.auth import models, operations

    calls = []
    real = werkzeug.security.check_password_hash

    def counting(pwhash, password):
        calls.append(1)
        return real(pwhash, password)

    monkeypatch.setattr(models, "check_password_hash", counting)
    monkeypatch.setattr(operations, "check_password_hash", counting)
    return calls


def _attempt(client, email, password, calls):
    del calls[:]
    response = client.login(email, password)
    match = ERROR_RE.search(response.get_data(as_text=True))
    return response.status_code, match.group(1) if match else None, len(calls)


@pytest.mark.parametrize("password", [TEST_PASSWORD, "nepareiza-parole"])
def test_lockout_message_and_timing_match_an_unknown_address(client, make_user, monkeypatch,
                                                             password):
    user = make_user("case_manager")
    for _ in range(5):
        client.login(user.email, "nepareiza-parole")
    calls = _count_hash_checks(monkeypatch)
    locked = _attempt(client, user.email, password, calls)
    unknown = _attempt(client, "neviens@example.lv", password, calls)
    wrong = _attempt(client, make_user("case_manager").email, "nepareiza-parole", calls)
    # Same status, same message, and one password hash check each (so the same time).
    assert locked == unknown == wrong
    assert locked[0] == 401 and locked[2] == 1
    assert "Nepareizs e-pasts vai parole." in locked[1]


def test_the_fifth_wrong_password_answers_like_any_other(client, make_user):
    user = make_user("case_manager")
    answers = set()
    for n in range(6):
        response = client.login(user.email, "nepareiza-parole")
        answers.add((response.status_code, ERROR_RE.search(
            response.get_data(as_text=True)).group(1)))
        unknown = client.login(f"nav{n}@example.lv", "nepareiza-parole")
        answers.add((unknown.status_code, ERROR_RE.search(
            unknown.get_data(as_text=True)).group(1)))
    assert len(answers) == 1
