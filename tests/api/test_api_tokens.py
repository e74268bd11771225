"""Personal API tokens (hashed, scoped, expiring, revocable, audited), the browser's cookie
refused by the API, and the OpenAPI document with its self-hosted page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from casework.api import tokens
from casework.api.models import ApiToken
from casework.db_types import utcnow
from casework.extensions import db
from tests.api.conftest import bearer
from tests.conftest import audit_actions


# -- tokens -----------------------------------------------------------------------------------
def test_token_page_shows_the_secret_once_and_stores_only_its_hash(client, login_as):
    user = login_as("case_manager")
    response = client.post_form("/account/api-tokens", {"name": "DVS", "scope": "read",
                                                        "days": "30"},
                                token_from="/account/api-tokens")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    secret = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert row.token_hash == tokens.hash_token(secret) and secret not in row.token_hash
    assert row.prefix == secret[:10] and row.scope == "read"
    again = client.get("/account/api-tokens").get_data(as_text=True)
    assert secret not in again and row.prefix in again
    assert "api_token_created" in audit_actions(user_id=user.id)


def test_revoked_token_is_refused_and_revoking_is_audited(client, login_as):
    user = login_as("specialist")
    row, secret = tokens.create_token(user, name="x", scope="read", days=7)
    db.session.commit()
    assert client.get("/api/v1/tasks", headers=bearer(secret)).status_code == 200
    response = client.post_form(f"/account/api-tokens/{row.id}/revoke",
                                token_from="/account/api-tokens")
    assert response.status_code == 302
    assert client.get("/api/v1/tasks", headers=bearer(secret)).status_code == 401
    assert "api_token_revoked" in audit_actions(user_id=user.id)


def test_someone_elses_token_cannot_be_revoked(client, login_as, make_user):
    other = make_user("specialist")
    row, _secret = tokens.create_token(other, name="x", scope="read", days=7)
    db.session.commit()
    login_as("case_manager")
    response = client.post_form(f"/account/api-tokens/{row.id}/revoke",
                                token_from="/account/api-tokens")
    assert response.status_code == 404


def test_expired_token_and_inactive_user_are_refused(client, make_user):
    user = make_user("specialist")
    row, secret = tokens.create_token(user, name="x", scope="read", days=7,
                                      now=utcnow() - timedelta(days=8))
    db.session.commit()
    response = client.get("/api/v1/tasks", headers=bearer(secret))
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers
    _row, live = tokens.create_token(user, name="y", scope="read", days=7)
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/tasks", headers=bearer(live)).status_code == 401


def test_browser_session_is_not_an_api_credential(client, login_as):
    login_as("case_manager")
    response = client.get("/api/v1/cases")
    assert response.status_code == 401 and response.is_json


# -- the description ---------------------------------------------------------------------------
def test_openapi_document_is_3_1_and_names_every_endpoint(client, app):
    from casework.api.core import OPERATIONS

    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    documented = {(method.upper(), path) for path, ops in spec["paths"].items()
                  for method in ops}
    routes = {((r.methods & {"GET", "POST", "PUT"}).pop(), r.rule.removeprefix("/api/v1"))
              for r in app.url_map.iter_rules()
              if r.endpoint.startswith("api.") and r.endpoint not in ("api.openapi", "api.docs")}
    assert len(documented) == len(OPERATIONS) == len(routes)
    assert "bearer" in str(spec["components"]["securitySchemes"]).lower()


def test_docs_page_is_served_from_our_own_origin(client):
    page = client.get("/api/v1/docs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "/cases/{case_id}/transition" in text
    assert "cdn" not in text.lower() and "<script src=\"http" not in text
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
