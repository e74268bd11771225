"""Server-side sessions (issue 17.2): the cookie names a session row, and ending the row ends
every copy of the cookie; the idle timeout and the absolute lifetime are checked on the row."""

from datetime import timedelta

import time_machine
from sqlalchemy import select

from casework.auth import operations
from casework.auth.models import User, UserSession
from casework.db_types import utcnow
from casework.extensions import db
from tests.conftest import TEST_PASSWORD, audit_actions

COOKIE = "casework_session"


def _copy_of(app, client):
    """A second browser holding a copy of ``client``'s session cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return other


def _logged_in(response) -> bool:
    return response.status_code == 200


def test_copied_cookie_stops_working_after_logout(app, client, make_user):
    user = make_user("case_manager")
    client.login(user.email)
    copy = _copy_of(app, client)
    assert _logged_in(copy.get("/"))  # the copy works while the session lasts
    client.post_form("/logout", token_from="/")
    assert copy.get("/").headers["Location"].startswith("/login")
    assert db.session.scalar(select(UserSession.ended_reason)) == "logout"


def test_copied_cookie_stops_working_after_password_change(app, client, make_user):
    user = make_user("case_manager")
    client.login(user.email)
    copy = _copy_of(app, client)
    response = client.post_form("/password", {"current": TEST_PASSWORD,
                                              "new": "jauna-parole-2026",
                                              "confirm": "jauna-parole-2026"},
                                token_from="/password")
    assert response.status_code == 302
    assert _logged_in(client.get("/"))  # this browser continues in a new session
    assert copy.get("/").status_code == 302
    page = copy.get("/login").get_data(as_text=True)
    assert "Sesija ir beigusies" in page


def test_copied_cookie_stops_working_after_deactivation(app, client, make_user):
    admin = make_user("admin")
    user = make_user("case_manager", institution=admin.institution)
    client.login(user.email)
    copy = _copy_of(app, client)
    operations.set_user_active(db.session.get(User, admin.id), db.session.get(User, user.id),
                               False)
    db.session.commit()
    assert client.get("/").status_code == 302
    assert copy.get("/").status_code == 302
    assert set(db.session.scalars(select(UserSession.ended_reason))) == {"deactivated"}


def test_copied_cookie_stops_working_after_an_admin_password_reset(app, client, make_user):
    admin = make_user("admin")
    user = make_user("case_manager", institution=admin.institution)
    client.login(user.email)
    operations.reset_password(db.session.get(User, admin.id), db.session.get(User, user.id))
    db.session.commit()
    assert client.get("/").status_code == 302


def test_session_ends_at_the_absolute_lifetime_even_when_active(app, client, make_user):
    user = make_user("case_manager")
    client.login(user.email)
    copy = _copy_of(app, client)
    start = utcnow()
    # Active every 25 minutes: the idle timeout never ends it, the 12-hour lifetime does.
    for step in range(1, 12 * 60 // 25 + 1):
        with time_machine.travel(start + timedelta(minutes=25 * step)):
            assert _logged_in(client.get("/")), step
    with time_machine.travel(start + timedelta(hours=12, minutes=1)):
        response = client.get("/")
        assert response.headers["Location"].startswith("/login")
        page = client.get("/login").get_data(as_text=True)
        assert "garāko atļauto ilgumu — 12 stundas" in page
        assert copy.get("/").status_code == 302
    assert "session_expired" in audit_actions()


def test_absolute_lifetime_is_a_setting(app, client, make_user):
    user = make_user("case_manager")
    app.config["SESSION_LIFETIME_HOURS"] = 1
    try:
        client.login(user.email)
        with time_machine.travel(utcnow() + timedelta(minutes=25)):
            assert _logged_in(client.get("/"))
        with time_machine.travel(utcnow() + timedelta(minutes=50)):
            assert _logged_in(client.get("/"))
        with time_machine.travel(utcnow() + timedelta(minutes=61)):
            assert client.get("/").status_code == 302
    finally:
        app.config["SESSION_LIFETIME_HOURS"] = 12


def test_idle_timeout_is_checked_against_the_server_record(app, client, make_user):
    user = make_user("case_manager")
    client.login(user.email)
    copy = _copy_of(app, client)
    start = utcnow()
    with time_machine.travel(start + timedelta(minutes=20)):
        assert _logged_in(copy.get("/"))
    # Activity in the other browser counts: the session row was seen 20 minutes ago.
    with time_machine.travel(start + timedelta(minutes=45)):
        assert _logged_in(client.get("/"))
    with time_machine.travel(start + timedelta(minutes=45 + 31)):
        assert copy.get("/").status_code == 302
        assert client.get("/").status_code == 302
    assert db.session.scalar(select(UserSession.ended_reason)) == "idle"


def test_keep_alive_extends_the_session_and_the_status_does_not(app, client, make_user):
    user = make_user("case_manager")
    client.login(user.email)
    token = client.csrf_token("/")
    start = utcnow()
    with time_machine.travel(start + timedelta(minutes=20)):
        status = client.get("/session/status", headers={"Accept": "application/json"})
        assert 590 <= status.json["idle_seconds"] <= 600
        assert status.json["lifetime_seconds"] > 11 * 3600
    with time_machine.travel(start + timedelta(minutes=28)):
        alive = client.post("/session/keep-alive", headers={"X-CSRFToken": token,
                                                            "Accept": "application/json"})
        assert alive.status_code == 200
        assert alive.json["idle_seconds"] >= 30 * 60 - 5
    with time_machine.travel(start + timedelta(minutes=55)):
        assert _logged_in(client.get("/"))


def test_session_status_does_not_count_as_activity(app, client, make_user):
    user = make_user("case_manager")
    client.login(user.email)
    start = utcnow()
    with time_machine.travel(start + timedelta(minutes=25)):
        client.get("/session/status", headers={"Accept": "application/json"})
    with time_machine.travel(start + timedelta(minutes=31)):
        response = client.get("/session/status", headers={"Accept": "application/json"})
        assert response.status_code == 401


def test_keep_alive_needs_a_csrf_token_and_a_session(app, client, make_user):
    assert client.post("/session/keep-alive",
                       headers={"Accept": "application/json"}).status_code in (400, 401)
    user = make_user("case_manager")
    client.login(user.email)
    assert client.post("/session/keep-alive",
                       headers={"Accept": "application/json"}).status_code == 400


def test_session_keys_are_stored_only_as_hashes(app, client, make_user):
    from flask.sessions import SecureCookieSessionInterface

    user = make_user("case_manager")
    client.login(user.email)
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    key = serializer.loads(client.get_cookie(COOKIE).value)["_user_id"]
    stored = db.session.scalar(select(UserSession.key_hash))
    assert key and key != stored and len(stored) == 64
    assert str(user.id) != key


def test_pages_of_a_logged_in_user_carry_the_idle_warning(client, login_as):
    login_as("case_manager")
    page = client.get("/").get_data(as_text=True)
    assert 'id="session-warning"' in page
    assert 'src="/static/session.js"' in page
    assert "Palikt pieslēgtam" in page
    assert 'data-warn-seconds="300"' in page
    assert 'id="session-warning"' not in client.get("/login").get_data(as_text=True)
