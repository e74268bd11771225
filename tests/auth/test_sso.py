"""Single sign-on (issue 14.6) against a real OpenID Connect provider started here.

The provider is the ``oidc-provider`` package from npm (tests/auth/oidc/server.js) in a Node.js
process; the test follows the redirects itself: the app's /login/sso → the provider's authorize
endpoint → its login and consent pages (posted with ``requests``) → the app's callback, which
fetches the token from the provider and validates the ID token.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from casework.auth import twofactor
from casework.extensions import db
from tests.conftest import audit_actions


def _reasons() -> list[str]:
    from sqlalchemy import select

    from casework.audit.models import AuditEvent

    return [e.details.get("reason") for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "login_failed").order_by(AuditEvent.id))]

OIDC_DIR = Path(__file__).parent / "oidc"
APP_ORIGIN = "http://localhost"
CLIENT_ID = "casework-test"
CLIENT_SECRET = "casework-test-secret-that-is-long-enough"
ACCOUNTS = {
    "known": {"email": "Sso.Lietotajs@Example.LV", "email_verified": True},
    "unknown": {"email": "neviens@example.lv", "email_verified": True},
    "unverified": {"email": "nepārbaudīts@example.lv", "email_verified": False},
    "inactive": {"email": "neaktivs@example.lv", "email_verified": True},
    "unsaid": {"email": "nav.teikts@example.lv"},
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _missing(reason: str):
    # In CI the provider must run: a skip would hide that single sign-on is untested.
    if os.environ.get("CI") == "true":
        pytest.fail(f"single sign-on tests cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def provider():
    """A running OpenID Connect provider; yields its issuer URL."""
    node = shutil.which("node")
    if node is None:
        _missing("node is not installed")
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        _missing("run `npm ci --prefix tests/auth/oidc` first")
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = dict(os.environ, OIDC_PORT=str(port), OIDC_CLIENT_ID=CLIENT_ID,
               OIDC_CLIENT_SECRET=CLIENT_SECRET,
               OIDC_REDIRECT_URI=f"{APP_ORIGIN}/login/sso/callback",
               OIDC_ACCOUNTS=json.dumps(ACCOUNTS))
    process = subprocess.Popen([node, "server.js"], cwd=OIDC_DIR, env=env,  # noqa: S603
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration",
                                timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.poll() is not None else ""
                pytest.fail(f"the OpenID Connect provider did not start: {output}")
            time.sleep(0.2)
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


@pytest.fixture
def sso_on(app, provider, monkeypatch):
    monkeypatch.setitem(app.config, "SSO_ISSUER", provider)
    monkeypatch.setitem(app.config, "SSO_CLIENT_ID", CLIENT_ID)
    monkeypatch.setitem(app.config, "SSO_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setitem(app.config, "SSO_LABEL", "Microsoft Entra ID")
    return provider


def sso_login(client, account: str):
    """Log in at the provider as ``account``; returns the app's answer to the callback."""
    response = client.get("/login/sso")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    url, method, data = response.headers["Location"], "GET", None
    browser = requests.Session()
    for _ in range(20):
        answer = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
        if answer.is_redirect:
            url, method, data = urljoin(url, answer.headers["Location"]), "GET", None
            if url.startswith(APP_ORIGIN + "/"):
                return client.get(url[len(APP_ORIGIN):])
            continue
        assert answer.status_code == 200, answer.text[:500]
        action = re.search(r'<form[^>]*action="([^"]+)"', answer.text).group(1)
        prompt = re.search(r'name="prompt" value="(\w+)"', answer.text).group(1)
        data = {"prompt": prompt}
        if prompt == "login":
            data.update(login=account, password="any")
        url, method = urljoin(url, action), "POST"
    raise AssertionError("the provider never sent the browser back to the app")


def test_login_page_offers_single_sign_on_only_when_configured(client, app, sso_on,
                                                               monkeypatch):
    assert "Microsoft Entra ID" in client.get("/login").get_data(as_text=True)
    monkeypatch.setitem(app.config, "SSO_ISSUER", None)
    assert "Microsoft Entra ID" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback").status_code == 404


def test_sso_logs_in_the_existing_user_with_casework_roles(client, sso_on, make_user):
    user = make_user("case_manager", email="sso.lietotajs@example.lv")
    response = sso_login(client, "known")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert user.full_name in page.get_data(as_text=True)
    assert client.get("/cases").status_code == 200  # the case manager's own pages
    assert client.get("/admin/users").status_code in (403, 404)  # roles stay in casework
    assert audit_actions()[-1] == "login"


def test_sso_unknown_email_is_refused(client, sso_on, municipality):
    response = sso_login(client, "unknown")
    assert response.status_code == 401
    assert client.get("/").status_code == 302
    assert audit_actions() == ["login_failed"]
    assert _reasons() == ["sso_unknown_user"]


def test_sso_unverified_email_is_refused(client, sso_on, make_user):
    make_user("case_manager", email="nepārbaudīts@example.lv")
    response = sso_login(client, "unverified")
    assert response.status_code == 401
    assert client.get("/").status_code == 302
    assert _reasons() == ["sso_email_unverified"]


def test_sso_email_the_provider_does_not_say_it_verified_is_refused(client, sso_on, make_user):
    make_user("case_manager", email="nav.teikts@example.lv")
    response = sso_login(client, "unsaid")
    assert response.status_code == 401
    assert client.get("/").status_code == 302
    assert _reasons() == ["sso_email_unverified"]


def test_sso_from_another_tenant_is_refused(app, client, sso_on, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "SSO_TENANT", "musu-direktorija")
    make_user("case_manager", email="sso.lietotajs@example.lv")
    response = sso_login(client, "known")
    assert response.status_code == 401
    assert _reasons() == ["sso_wrong_tenant"]


def test_sso_inactive_user_is_refused(client, sso_on, make_user):
    make_user("case_manager", email="neaktivs@example.lv", active=False)
    response = sso_login(client, "inactive")
    assert response.status_code == 401
    assert client.get("/").status_code == 302
    assert _reasons() == ["sso_inactive"]


def test_sso_counts_as_the_second_factor_by_default(app, client, sso_on, make_user,
                                                    monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ("case_manager",))
    make_user("case_manager", email="sso.lietotajs@example.lv")
    response = sso_login(client, "known")
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_sso_asks_for_the_code_when_it_does_not_count_as_the_second_factor(
        app, client, sso_on, make_user, monkeypatch):
    import pyotp

    monkeypatch.setitem(app.config, "SSO_SATISFIES_TWO_FACTOR", False)
    user = make_user("case_manager", email="sso.lietotajs@example.lv")
    secret = twofactor.start_enrolment(user)
    twofactor.confirm_enrolment(user, pyotp.TOTP(secret).now())
    user.totp_last_step = None
    db.session.commit()
    response = sso_login(client, "known")
    assert response.headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302
    response = client.post_form("/login/code", {"code": pyotp.TOTP(secret).now()},
                                token_from="/login/code")
    assert response.headers["Location"] == "/"


def test_sso_callback_with_a_forged_state_is_refused(client, sso_on, app_ctx):
    response = client.get("/login/sso/callback?code=abc&state=forged")
    assert response.status_code == 401
    response = client.get("/login/sso/callback?error=access_denied")
    assert response.status_code == 401
    assert _reasons() == ["sso_failed", "sso_failed"]
