"""Fixtures of the API tests: the seeded world of two municipalities (``tests.world``), built
once per module, and a write token for every role of the home municipality."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.api import tokens
from casework.auth.models import User
from casework.extensions import db, limiter
from tests.conftest import clean_database
from tests.world import build_world, inspector

ROLES = ("admin", "coordinator", "head_of_service", "case_manager", "specialist",
         "inspector", "auditor")


@pytest.fixture(scope="module")
def api_world(app):
    """Two municipalities and a write token per role of the first (``world["tokens"]``)."""
    clean_database(app)
    with app.app_context():
        home = build_world("0990001", "a")
        other = build_world("0990002", "b")
        insp = inspector()
        users = {role: db.session.get(User, uid) for role, uid in home["user_ids"].items()}
        users["inspector"] = db.session.scalar(select(User).where(User.id == insp.id))
        home["tokens"] = {role: tokens.create_token(user, name="test", scope="write",
                                                    days=30)[1]
                          for role, user in users.items()}
        home["read_tokens"] = {role: tokens.create_token(user, name="read", scope="read",
                                                         days=30)[1]
                               for role, user in users.items()}
        db.session.commit()
        db.session.remove()
    yield {"home": home, "other": other}
    clean_database(app)


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    """Tests using the module's world keep it; the others start from empty tables."""
    yield
    if "api_world" in request.fixturenames:
        limiter.reset()
    else:
        clean_database(app)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
