"""Two-factor login (issue 14.5): TOTP enrolment at first login for the roles that see case
content, the code after the password, replay protection, recovery codes, the admin's reset."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from casework.auth import twofactor
from casework.auth.models import RecoveryCode, User, UserSession
from casework.db_types import utcnow
from casework.extensions import db
from tests.conftest import audit_actions

SECRET_RE = re.compile(r"data-totp-secret>([A-Z2-7]+)<")
CODES_RE = re.compile(r"<li><code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code></li>")
REQUIRED = ("admin", "head_of_service", "case_manager", "specialist", "auditor")


@pytest.fixture
def required_roles(app, monkeypatch):
    """The production default: the roles that see case content, admins and the DPO."""
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", REQUIRED)


@pytest.fixture
def enrolled(app_ctx, make_user):
    """Factory: a user with a confirmed authenticator; returns ``(user, secret, codes)``.

    The time step of the confirming code is forgotten, so the current code works at login.
    """

    def make(*roles, **kwargs):
        user = make_user(*roles, **kwargs)
        secret = twofactor.start_enrolment(user)
        codes = twofactor.confirm_enrolment(user, pyotp.TOTP(secret).now())
        user.totp_last_step = None
        db.session.commit()
        return user, secret, codes

    return make


def _code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def _send_code(client, code: str):
    return client.post_form("/login/code", {"code": code}, token_from="/login/code")


def _enrol_through_pages(client) -> tuple[str, list[str]]:
    page = client.get("/account/two-factor/enrol").get_data(as_text=True)
    secret = SECRET_RE.search(page).group(1)
    response = client.post_form("/account/two-factor/enrol", {"code": _code(secret)},
                                token_from="/account/two-factor/enrol")
    assert response.status_code == 200
    codes = CODES_RE.findall(response.get_data(as_text=True))
    return secret, codes


def _reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# -- enrolment at first login ------------------------------------------------------------------
@pytest.mark.parametrize("role", REQUIRED)
def test_required_roles_must_enrol_before_any_other_page(client, make_user, required_roles,
                                                         role):
    user = make_user(role)
    response = client.login(user.email)
    assert response.headers["Location"] == "/account/two-factor/enrol"
    for path in ("/", "/cases", "/admin/users", "/account/two-factor", "/password/../"):
        answer = client.get(path)
        assert answer.status_code == 302
        assert answer.headers["Location"] == "/account/two-factor/enrol"
    secret, codes = _enrol_through_pages(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/").status_code == 200
    assert "two_factor_enrolment_started" in audit_actions()
    assert "two_factor_enrolled" in audit_actions()


def test_required_roles_enrol_even_when_the_api_is_asked(client, make_user, required_roles):
    user = make_user("case_manager")
    client.login(user.email)
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json() == {"error": "two_factor_enrolment_required"}


@pytest.mark.parametrize("role", ["coordinator", "inspector"])
def test_optional_roles_need_not_enrol(client, make_user, required_roles, role):
    user = make_user(role)
    response = client.login(user.email)
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_optional_roles_may_enrol_and_turn_it_off(client, make_user, required_roles):
    user = make_user("coordinator")
    client.login(user.email)
    _enrol_through_pages(client)
    assert _reload(user).has_second_factor
    response = client.post_form("/account/two-factor/disable", token_from="/account/two-factor")
    assert response.status_code == 302
    assert not _reload(user).has_second_factor
    assert db.session.scalars(select(RecoveryCode)).all() == []
    assert "two_factor_disabled" in audit_actions()


def test_required_roles_cannot_turn_it_off(client, enrolled, required_roles):
    user, secret, _ = enrolled("case_manager")
    client.login(user.email)
    _send_code(client, _code(secret))
    client.post_form("/account/two-factor/disable", token_from="/account/two-factor")
    assert _reload(user).has_second_factor


def test_wrong_code_at_enrolment_is_refused_and_audited(client, make_user, required_roles):
    user = make_user("case_manager")
    client.login(user.email)
    response = client.post_form("/account/two-factor/enrol", {"code": "000000"},
                                token_from="/account/two-factor/enrol")
    assert response.status_code == 400
    assert not _reload(user).has_second_factor
    assert "two_factor_code_failed" in audit_actions()


def test_enrolment_page_keeps_the_same_secret_until_confirmed(client, make_user,
                                                              required_roles):
    user = make_user("case_manager")
    client.login(user.email)
    first = SECRET_RE.search(client.get("/account/two-factor/enrol").get_data(as_text=True))
    again = SECRET_RE.search(client.get("/account/two-factor/enrol").get_data(as_text=True))
    assert first.group(1) == again.group(1)


# -- the code after the password ---------------------------------------------------------------
def test_password_alone_does_not_log_in_a_user_with_a_second_factor(client, enrolled):
    user, secret, _ = enrolled("coordinator")
    response = client.login(user.email)
    assert response.headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302  # not logged in yet
    response = _send_code(client, _code(secret))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert audit_actions()[-1] == "login"


def test_wrong_code_refused_and_counted_towards_the_lockout(app, client, enrolled):
    user, secret, _ = enrolled("case_manager")
    client.login(user.email)
    threshold = app.config["LOCKOUT_THRESHOLD"]
    for _ in range(threshold - 1):
        assert _send_code(client, "000000").status_code == 401
    assert _reload(user).failed_login_count == threshold - 1
    response = _send_code(client, "000000")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert _reload(user).is_locked()
    assert "account_locked" in audit_actions()
    # Locked: the right password does not even get as far as the code.
    client.login(user.email)
    assert client.get("/login/code").headers["Location"] == "/login"


def test_correct_password_does_not_reset_the_count_of_wrong_codes(client, enrolled):
    user, secret, _ = enrolled("case_manager")
    for _ in range(2):
        client.login(user.email)
        _send_code(client, "000000")
    assert _reload(user).failed_login_count == 2


def test_wrong_codes_count_against_the_login_rate_limit(app, client, enrolled, monkeypatch):
    monkeypatch.setitem(app.config, "LOCKOUT_THRESHOLD", 100)
    user, secret, _ = enrolled("case_manager")
    client.login(user.email)
    statuses = [_send_code(client, "000000").status_code for _ in range(25)]
    assert 429 in statuses


def test_replayed_code_is_refused(client, enrolled):
    user, secret, _ = enrolled("case_manager")
    code = _code(secret)
    client.login(user.email)
    assert _send_code(client, code).status_code == 302
    client.post_form("/logout", token_from="/")
    client.login(user.email)
    assert _send_code(client, code).status_code == 401
    # The next time step's code is accepted (the clock may run a little ahead).
    assert _send_code(client, _code(secret, 1)).status_code == 302


def test_recovery_code_works_once(client, enrolled):
    user, secret, codes = enrolled("case_manager")
    client.login(user.email)
    assert _send_code(client, codes[0].upper()).status_code == 302
    assert client.get("/").status_code == 200
    assert "recovery_code_used" in audit_actions()
    client.post_form("/logout", token_from="/")
    client.login(user.email)
    assert _send_code(client, codes[0]).status_code == 401
    assert _send_code(client, codes[1]).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, enrolled):
    user, secret, codes = enrolled("case_manager")
    client.login(user.email)
    _send_code(client, _code(secret))
    response = client.post_form("/account/two-factor/recovery-codes",
                                token_from="/account/two-factor")
    new = CODES_RE.findall(response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(codes)
    assert "recovery_codes_regenerated" in audit_actions()
    client.post_form("/logout", token_from="/")
    client.login(user.email)
    assert _send_code(client, codes[2]).status_code == 401
    assert _send_code(client, new[0]).status_code == 302


def test_pending_login_expires_after_five_minutes(client, enrolled):
    user, secret, _ = enrolled("case_manager")
    client.login(user.email)
    token = client.csrf_token("/login/code")
    with time_machine.travel(utcnow() + timedelta(minutes=6), tick=False):
        response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now(),
                                                     "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("code", ["", "abcdef", "x" * 100, "12345", "1234567", "\x00" * 6,
                                  "١٢٣٤٥٦", "' OR 1=1 --"])
def test_bad_codes_give_no_server_error(client, enrolled, code):
    user, secret, _ = enrolled("case_manager")
    client.login(user.email)
    assert _send_code(client, code).status_code in (400, 401)


def test_the_code_page_without_a_password_sends_to_the_login(client):
    assert client.get("/login/code").headers["Location"] == "/login"
    response = client.post("/login/code", data={"code": "123456"})
    assert response.status_code in (302, 400)


# -- storage -----------------------------------------------------------------------------------
def test_secret_is_not_stored_in_plaintext(app_ctx, enrolled):
    user, secret, codes = enrolled("case_manager")
    stored = _reload(user).totp_secret_encrypted
    assert secret not in stored
    assert twofactor.decrypt_secret(stored) == secret
    hashes = [r.code_hash for r in db.session.scalars(select(RecoveryCode))]
    assert len(hashes) == 10
    plain = {c.replace("-", "") for c in codes}
    assert not any(h in plain or any(p in h for p in plain) for h in hashes)


def test_secret_key_from_the_setting_is_used_when_given(app, app_ctx, monkeypatch):
    stored = twofactor.encrypt_secret("JBSWY3DPEHPK3PXP")
    monkeypatch.setitem(app.config, "TWO_FACTOR_KEY", "another-key-" + "k" * 40)
    assert twofactor.decrypt_secret(stored) is None


# -- the administrator's reset -----------------------------------------------------------------
def test_admin_reset_is_audited_and_forces_reenrolment(app, client, make_user, enrolled,
                                                       required_roles):
    user, secret, _ = enrolled("case_manager")
    user_client = app.test_client()
    user_client.login(user.email)
    _send_code(user_client, _code(secret))
    assert user_client.get("/").status_code == 200
    admin, admin_secret, _ = enrolled("admin", institution=user.institution)
    client.login(admin.email)
    _send_code(client, _code(admin_secret))
    response = client.post_form(f"/admin/users/{user.id}/second_factor",
                                token_from=f"/admin/users/{user.id}")
    assert response.status_code == 302
    assert not _reload(user).has_second_factor
    assert "two_factor_reset" in audit_actions(user_id=admin.id)
    assert db.session.scalars(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id)).all() == []
    # The user's session has ended; the next login goes to the enrolment.
    assert user_client.get("/").status_code == 302
    reasons = db.session.scalars(select(UserSession.ended_reason).where(
        UserSession.user_id == user.id)).all()
    assert reasons == ["second_factor_reset"]
    response = user_client.login(user.email)
    assert response.headers["Location"] == "/account/two-factor/enrol"


def test_other_municipalitys_admin_cannot_reset(client, enrolled, make_municipality,
                                                make_institution, make_user):
    user, secret, _ = enrolled("case_manager")
    elsewhere = make_institution(municipality=make_municipality())
    admin = make_user("admin", institution=elsewhere)
    client.login(admin.email)
    response = client.post_form(f"/admin/users/{user.id}/second_factor", token_from="/")
    assert response.status_code == 404
    assert _reload(user).has_second_factor
    assert "two_factor_reset" not in audit_actions()


def test_reset_refuses_an_admin_of_another_municipality_in_the_service_too(
        app_ctx, enrolled, make_municipality, make_institution, make_user):
    user, _, _ = enrolled("case_manager")
    admin = make_user("admin", institution=make_institution(municipality=make_municipality()))
    with pytest.raises(twofactor.OperationRefused):
        twofactor.reset(admin, user)


def test_command_line_reset_is_audited(app_ctx, runner, enrolled):
    user, _, _ = enrolled("case_manager")
    result = runner.invoke(args=["reset-second-factor", user.email.upper()])
    assert result.exit_code == 0, result.output
    assert not _reload(user).has_second_factor
    assert "two_factor_reset" in audit_actions()
    result = runner.invoke(args=["reset-second-factor", "nobody@example.lv"])
    assert result.exit_code != 0


def test_an_api_token_of_a_user_who_must_enrol_is_refused_until_they_do(app, client, make_user,
                                                                        monkeypatch):
    from casework.api.tokens import create_token

    user = make_user("case_manager")
    _token, secret = create_token(user, name="skripts", scope="read", days=30)
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ("case_manager",))
    refused = client.get("/api/v1/cases", headers=headers)
    assert refused.status_code == 403 and "divfaktoru" in refused.json["error"]["message"]


def test_resetting_the_second_factor_revokes_the_users_api_tokens(app_ctx, make_user):
    from casework.api.tokens import authenticate, create_token

    user = make_user("case_manager")
    secret = twofactor.start_enrolment(user)
    twofactor.confirm_enrolment(user, pyotp.TOTP(secret).now())
    _token, api_secret = create_token(user, name="skripts", scope="read", days=30)
    db.session.commit()
    twofactor.reset(None, user)
    db.session.commit()
    assert authenticate(api_secret) is None
