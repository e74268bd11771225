"""Session expiry loses nothing (issue 10.9): a note posted after the session ended is kept
through the login for the same user, and for nobody else."""

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from casework.auth.models import KeptForm
from casework.cases.models import Note
from casework.db_types import utcnow
from casework.extensions import db
from tests.conftest import CSRF_RE

MINUTES = ("Sanāksmes protokols.\nPiedalās: sociālais dienests, skola, policija.\n"
           "Nolemts: ģimenes asistents divas reizes nedēļā; " + "ilgs teksts " * 200)


def _kept_count() -> int:
    return db.session.scalar(select(func.count()).select_from(KeptForm))


def _note_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Note))


def _open_case_page(client, case_manager, make_case):
    case = make_case()
    client.login(case_manager.email)
    token = client.csrf_token(f"/cases/{case.id}")
    return case, token


def _post_note(client, case, token):
    return client.post(f"/cases/{case.id}/notes",
                       data={"csrf_token": token, "level": "group", "text": MINUTES},
                       headers={"Referer": f"http://localhost/cases/{case.id}"})


def _save_kept(client, page: str):
    """Press "Save it now" on the kept-form page: post its form as a browser would."""
    import html
    import re

    form = re.search(r'<form id="kept-form" method="post" action="([^"]+)">(.*?)</form>', page,
                     re.S)
    action, body = html.unescape(form.group(1)), form.group(2)
    data = [(html.unescape(n), html.unescape(v)) for n, v in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body)]
    data += [(html.unescape(n), html.unescape(v)) for n, v in
             re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\n(.*?)</textarea>', body, re.S)]
    from werkzeug.datastructures import MultiDict

    return client.post(action, data=MultiDict(data))


def test_note_posted_after_the_idle_timeout_is_kept_through_the_login(client, case_manager,
                                                                      make_case):
    case, token = _open_case_page(client, case_manager, make_case)
    with time_machine.travel(utcnow() + timedelta(minutes=45)):
        response = _post_note(client, case, token)
        assert response.status_code == 302
        assert response.headers["Location"] == "/login"
        login_page = client.get("/login").get_data(as_text=True)
        assert "Sesija beidzās pēc 30 minūšu bezdarbības" in login_page
        assert "Ievadītais ir saglabāts uz laiku" in login_page
        assert _note_count() == 0 and _kept_count() == 1
        response = client.login(case_manager.email)
        assert response.headers["Location"] == "/session/kept"
        page = client.get("/session/kept").get_data(as_text=True)
        assert "Sanāksmes protokols." in page and "ģimenes asistents" in page
        assert f'action="/cases/{case.id}/notes"' in page
        assert f'href="/cases/{case.id}"' in page
        saved = _save_kept(client, page)
        assert saved.status_code == 302
        assert saved.headers["Location"].startswith(f"/cases/{case.id}")
    note = db.session.scalar(select(Note))
    assert note.text.replace("\r\n", "\n").strip() == MINUTES.strip()
    assert _kept_count() == 0


def test_note_posted_after_the_session_ended_in_another_tab_is_kept(client, case_manager,
                                                                    make_case):
    # The other tab noticed the timeout first: this form's CSRF token belongs to the ended
    # session, which would otherwise be a 400 page.
    case, token = _open_case_page(client, case_manager, make_case)
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        assert client.get("/").status_code == 302
        response = _post_note(client, case, token)
        assert response.status_code == 302
        assert response.headers["Location"] == "/login"
        client.login(case_manager.email)
        assert "ģimenes asistents" in client.get("/session/kept").get_data(as_text=True)


def test_note_posted_after_the_absolute_lifetime_is_kept(app, client, case_manager, make_case):
    case, token = _open_case_page(client, case_manager, make_case)
    app.config["SESSION_LIFETIME_HOURS"] = 0.25
    try:
        with time_machine.travel(utcnow() + timedelta(minutes=20)):
            assert _post_note(client, case, token).headers["Location"] == "/login"
            assert client.login(case_manager.email).headers["Location"] == "/session/kept"
    finally:
        app.config["SESSION_LIFETIME_HOURS"] = 12


def test_a_different_user_logging_in_never_sees_the_kept_form(client, case_manager, make_case,
                                                              make_user, social_service):
    case, token = _open_case_page(client, case_manager, make_case)
    colleague = make_user("case_manager", institution=social_service)
    with time_machine.travel(utcnow() + timedelta(minutes=45)):
        _post_note(client, case, token)
        assert _kept_count() == 1
        response = client.login(colleague.email)
        assert response.headers["Location"] == "/"
        assert "ģimenes asistents" not in client.get("/").get_data(as_text=True)
        kept = client.get("/session/kept")
        assert kept.headers["Location"] == "/"
        assert "ģimenes asistents" not in client.get("/").get_data(as_text=True)
    # Deleted, not only hidden: not even the first user gets it back on this browser.
    assert _kept_count() == 0


def test_nothing_is_kept_after_a_logout(client, case_manager, make_case):
    case, token = _open_case_page(client, case_manager, make_case)
    client.post_form("/logout", token_from="/")
    response = _post_note(client, case, token)
    assert response.status_code == 400
    assert _kept_count() == 0 and _note_count() == 0


def test_a_kept_form_expires_after_an_hour(client, case_manager, make_case):
    case, token = _open_case_page(client, case_manager, make_case)
    start = utcnow()
    with time_machine.travel(start + timedelta(minutes=45)):
        _post_note(client, case, token)
    with time_machine.travel(start + timedelta(minutes=45 + 61)):
        assert client.login(case_manager.email).headers["Location"] == "/"
        assert client.get("/session/kept").headers["Location"] == "/"
    assert _kept_count() == 0


def test_a_kept_form_can_be_discarded(client, case_manager, make_case):
    case, token = _open_case_page(client, case_manager, make_case)
    with time_machine.travel(utcnow() + timedelta(minutes=45)):
        _post_note(client, case, token)
        client.login(case_manager.email)
        page = client.get("/session/kept").get_data(as_text=True)
        discard = CSRF_RE.findall(page)[-1]
        response = client.post("/session/kept/discard", data={"csrf_token": discard})
        assert response.headers["Location"] == f"/cases/{case.id}"
    assert _kept_count() == 0 and _note_count() == 0


def test_passwords_and_tokens_are_never_kept(app_ctx, case_manager):
    import json

    from casework.auth import sessions

    key = sessions.keep_form(case_manager.id, action="/x", back=None, pairs=[
        ("csrf_token", "abc"), ("new_password", "slepena-1"), ("text", "Piezīme")])
    row = sessions.kept_form(key, case_manager)
    assert json.loads(row.fields) == [["text", "Piezīme"]]


def test_an_oversized_form_is_not_kept(app, app_ctx, case_manager):
    from casework.auth import sessions

    big = "x" * (app.config["KEPT_FORM_MAX_BYTES"] + 1)
    assert sessions.keep_form(case_manager.id, action="/x", back=None,
                              pairs=[("text", big)]) is None


def test_note_kept_after_the_idle_timeout_survives_the_second_factor(client, case_manager,
                                                                     make_case):
    import pyotp

    from casework.auth import twofactor

    case, token = _open_case_page(client, case_manager, make_case)
    secret = twofactor.start_enrolment(case_manager)
    twofactor.confirm_enrolment(case_manager, pyotp.TOTP(secret).now())
    case_manager.totp_last_step = None
    db.session.commit()
    with time_machine.travel(utcnow() + timedelta(minutes=45)):
        assert _post_note(client, case, token).headers["Location"] == "/login"
        assert client.login(case_manager.email).headers["Location"] == "/login/code"
        response = client.post_form("/login/code", {"code": pyotp.TOTP(secret).now()},
                                    token_from="/login/code")
        assert response.headers["Location"] == "/session/kept"
        page = client.get("/session/kept").get_data(as_text=True)
        assert "Sanāksmes protokols." in page
