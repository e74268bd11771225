"""Login, lockout, rate limit, sessions and passwords (issue: secure login)."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from casework.auth.models import User
from casework.db_types import utcnow
from casework.extensions import db
from tests.conftest import TEST_PASSWORD, audit_actions


def test_login_with_correct_password_opens_the_latvian_start_page(client, make_user):
    user = make_user("case_manager")
    response = client.login(user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="lv">' in page
    assert "<h1>Sākums</h1>" in page
    assert audit_actions() == ["login"]


def test_login_email_is_case_insensitive(client, make_user):
    user = make_user("case_manager", email="gunta@example.lv")
    assert client.login("  Gunta@Example.LV ").status_code == 302
    assert client.get("/").status_code == 200
    assert user.email == "gunta@example.lv"


def test_wrong_password_is_refused_with_401_latvian_message_and_audit_event(client, make_user):
    user = make_user("case_manager")
    response = client.login(user.email, "nepareiza-parole-1")
    assert response.status_code == 401
    assert "Nepareizs e-pasts vai parole." in response.get_data(as_text=True)
    assert audit_actions() == ["login_failed"]
    assert client.get("/").status_code == 302  # still not logged in


def test_unknown_user_gets_the_same_message_as_a_wrong_password(client, municipality):
    response = client.login("neviens@example.lv", "kaut-kas-123")
    assert response.status_code == 401
    assert "Nepareizs e-pasts vai parole." in response.get_data(as_text=True)
    assert audit_actions() == ["login_failed"]


@pytest.mark.parametrize("email,password", [("", "x"), ("a@b.lv", ""), ("", "")])
def test_empty_login_fields_are_refused_with_field_messages(client, email, password):
    response = client.login(email, password)
    assert response.status_code == 400
    assert "Šis lauks ir obligāts." in response.get_data(as_text=True)


def test_overlong_login_fields_are_refused_without_500(client):
    response = client.login("a" * 300 + "@example.lv", "p" * 500)
    assert response.status_code == 400
    assert "Ne vairāk kā" in response.get_data(as_text=True)


def test_lockout_after_5_failed_attempts_for_15_minutes(client, make_user):
    user = make_user("case_manager")
    for _ in range(4):
        assert client.login(user.email, "nepareiza-parole").status_code == 401
    response = client.login(user.email, "nepareiza-parole")
    assert response.status_code == 401
    # The same message as for any wrong password (see test_lockout_message_...).
    assert "konts tiek bloķēts uz 15 minūtēm" in response.get_data(as_text=True)
    # Even the right password is refused while locked.
    assert client.login(user.email).status_code == 401
    assert "account_locked" in audit_actions()
    db.session.expire_all()
    locked_until = db.session.get(User, user.id).locked_until
    assert timedelta(minutes=14) < locked_until - utcnow() <= timedelta(minutes=15)
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        assert client.login(user.email).status_code == 302


def test_successful_login_resets_the_failed_attempt_count(client, make_user):
    user = make_user("case_manager")
    for _ in range(4):
        client.login(user.email, "nepareiza-parole")
    assert client.login(user.email).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_login_count == 0


def test_failed_logins_are_rate_limited_per_address(app, client, make_user):
    user = make_user("case_manager")
    app.config["LOGIN_RATE_LIMIT"] = "3 per 15 minutes"
    try:
        for n in range(3):
            # Different (unknown) accounts: the account lockout does not apply, the limit does.
            assert client.login(f"nav{n}@example.lv", "nepareiza").status_code == 401
        response = client.login(user.email)
        assert response.status_code == 429
        assert "Pārāk daudz mēģinājumu" in response.get_data(as_text=True)
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "10.1.2.3"
        assert other.login(user.email).status_code == 302
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "20 per 15 minutes"


def test_successful_logins_do_not_count_against_the_rate_limit(app, client, make_user):
    user = make_user("case_manager")
    app.config["LOGIN_RATE_LIMIT"] = "2 per 15 minutes"
    try:
        for _ in range(4):
            assert client.login(user.email).status_code == 302
            client.post_form("/logout", token_from="/")
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "20 per 15 minutes"


def test_session_is_renewed_at_login(app, client, make_user):
    user = make_user("case_manager")
    with client.session_transaction() as sess:
        sess["planted"] = "by-an-attacker"
    client.login(user.email)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.permanent


def test_session_cookie_is_secure_httponly_and_samesite_lax(client, make_user):
    user = make_user("case_manager")
    response = client.login(user.email)
    cookie = response.headers["Set-Cookie"]
    assert "casework_session=" in cookie
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_ends_after_30_minutes_idle(client, make_user):
    user = make_user("case_manager")
    client.login(user.email)
    with time_machine.travel(utcnow() + timedelta(minutes=29)):
        assert client.get("/").status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=29 + 31)):
        response = client.get("/")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
        page = client.get("/login").get_data(as_text=True)
        assert "Sesija beidzās pēc 30 minūšu bezdarbības" in page
    assert "session_expired" in audit_actions()


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user("case_manager", active=False)
    response = client.login(user.email)
    assert response.status_code == 401
    assert "konts ir deaktivizēts" in response.get_data(as_text=True)


def test_logout_needs_post_with_csrf_and_is_audited(client, make_user):
    user = make_user("case_manager")
    client.login(user.email)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    response = client.post_form("/logout", token_from="/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert audit_actions()[-1] == "logout"


@pytest.mark.parametrize("target", ["/admin/users", "/audit/?page=2"])
def test_next_url_accepted_when_local(client, make_user, target):
    user = make_user("admin", "auditor")
    response = client.post_form("/login", {"email": user.email, "password": TEST_PASSWORD,
                                           "next": target})
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
    "http:/evil.example", " //evil.example",
])
def test_next_url_refused_when_off_site(client, make_user, target):
    user = make_user("case_manager")
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    assert "netika izmantota" in page.get_data(as_text=True)
    response = client.post_form("/login", {"email": user.email, "password": TEST_PASSWORD,
                                           "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_forced_password_change_at_first_login(client, make_user):
    user = make_user("case_manager", temporary=True)
    response = client.login(user.email)
    assert response.headers["Location"] == "/password"
    # Every other page sends the user back to the password change.
    assert client.get("/").headers["Location"] == "/password"
    response = client.post_form("/password", {"current": TEST_PASSWORD,
                                              "new": "jauna-parole-2026", "confirm":
                                              "jauna-parole-2026"}, token_from="/password")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    db.session.expire_all()
    assert not db.session.get(User, user.id).must_change_password
    assert "password_changed" in audit_actions()


@pytest.mark.parametrize("current,new,confirm,message", [
    ("nepareiza-123", "jauna-parole-2026", "jauna-parole-2026", "Pašreizējā parole nav pareiza"),
    (TEST_PASSWORD, "īsa-1", "īsa-1", "vismaz 10 rakstzīmes"),
    (TEST_PASSWORD, "jauna-parole-2026", "cita-parole-2026", "Paroles nesakrīt"),
    (TEST_PASSWORD, TEST_PASSWORD, TEST_PASSWORD, "jāatšķiras"),
    (TEST_PASSWORD, "tikaiburtiunvel", "tikaiburtiunvel", "burtiem un cipariem"),
])
def test_password_change_refuses_bad_input_with_a_message(client, login_as, current, new,
                                                          confirm, message):
    login_as("case_manager")
    response = client.post_form("/password", {"current": current, "new": new,
                                              "confirm": confirm}, token_from="/password")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_password_change_ends_the_users_other_sessions(app, client, make_user):
    user = make_user("case_manager")
    other = app.test_client()
    other.login(user.email)
    client.login(user.email)
    client.post_form("/password", {"current": TEST_PASSWORD, "new": "jauna-parole-2026",
                                   "confirm": "jauna-parole-2026"}, token_from="/password")
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_passwords_are_stored_hashed(make_user):
    user = make_user("case_manager")
    stored = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert TEST_PASSWORD not in stored
    assert stored.startswith("pbkdf2:sha256")
