"""CSRF, security headers, content security policy and safe redirects."""

import re

import pytest

from casework.security import is_safe_next


def test_csrf_missing_token_is_refused_with_400_and_a_latvian_message(client, make_user):
    user = make_user("case_manager")
    response = client.post("/login", data={"email": user.email, "password": "x"})
    assert response.status_code == 400
    assert "drošības pilnvaras nav" in response.get_data(as_text=True)


def test_csrf_wrong_token_is_refused(client, make_user):
    user = make_user("case_manager")
    client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": "x",
                                           "csrf_token": "IjEyMyI.bad.token"})
    assert response.status_code == 400


def test_csrf_token_of_another_session_is_refused(app, client, make_user):
    user = make_user("case_manager")
    token = app.test_client().csrf_token("/login")
    client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": "x",
                                           "csrf_token": token})
    assert response.status_code == 400


def test_csrf_on_every_form_of_the_admin_pages(client, login_as):
    login_as("admin")
    for path in ("/admin/institutions", "/admin/users/new", "/password"):
        assert client.post(path, data={"name": "X"}).status_code == 400


@pytest.mark.parametrize("path", ["/login", "/", "/no-such-page"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_content_security_policy_allows_only_our_own_origin(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert not re.search(r"https?:|\*", csp)


def test_pages_load_no_assets_from_other_sites(client, login_as):
    login_as("admin")
    for path in ("/", "/admin/users", "/admin/institutions"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', html), path
        assert "<script>" not in html and "style=" not in html


def test_pages_with_personal_data_are_not_cached(client, login_as):
    login_as("case_manager")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_hsts_is_sent_over_https(client):
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("target,safe", [
    ("/", True), ("/admin/users?x=1", True), ("", False), (None, False),
    ("https://evil.example", False), ("//evil.example", False), ("/\\evil.example", False),
    ("javascript:alert(1)", False), ("\t//evil.example", False), ("admin", False),
    ("/%0a//evil", True),
])
def test_next_urls_are_accepted_only_when_local(target, safe):
    assert is_safe_next(target) is safe
