"""Shared fixtures (STYLE.md 12): a session app on a migrated database, a clean database per
test, a client that knows CSRF tokens, ``login_as(role)`` and factories that return callables.

The same tests run on SQLite (default) and on PostgreSQL when ``CASEWORK_TEST_DATABASE_URL`` is
set. Each test starts from empty tables; rows are removed after it (not rolled back), so tests
may commit, use several connections and run real concurrency checks.
"""

from __future__ import annotations

import itertools
import os
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import MetaData, text

from casework import create_app
from casework.config import normalise_database_url
from casework.extensions import db, limiter

TEST_PASSWORD = "test-parole-123"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pytest_report_header(config):
    url = os.environ.get("CASEWORK_TEST_DATABASE_URL")
    return f"casework test database: {'PostgreSQL ' + url if url else 'SQLite (temporary file)'}"


class CaseworkClient(FlaskClient):
    """A test client that fetches a CSRF token from a page before posting a form.

    Each request runs in an application context of its own, as in production: otherwise Flask
    would reuse the test's context, sharing ``g`` and the database session between requests.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self, path: str = "/login") -> str:
        """The CSRF token of the form on ``path`` (valid for this client's session)."""
        response = self.get(path)
        match = CSRF_RE.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {path} ({response.status_code})"
        return match.group(1)

    def post_form(self, url: str, data: dict | None = None, token_from: str = "/login",
                  **kwargs):
        """POST ``data`` to ``url`` with a valid CSRF token."""
        data = dict(data or {})
        data["csrf_token"] = self.csrf_token(token_from)
        return self.post(url, data=data, **kwargs)

    def login(self, email: str, password: str = TEST_PASSWORD, **kwargs):
        """Log in through the real login form."""
        return self.post_form("/login", {"email": email, "password": password}, **kwargs)


def _reset_schema(app) -> None:
    """Drop every table, then build the schema with the migrations, as production does."""
    from flask_migrate import upgrade

    with app.app_context():
        meta = MetaData()
        meta.reflect(bind=db.engine)
        meta.drop_all(bind=db.engine)
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("CASEWORK_TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """One app for the whole session, on a database built by ``flask db upgrade``."""
    app = create_app({
        # Stored files of this run only (the PostgreSQL and SQLite runs may go side by side).
        "STORAGE_PATH": str(tmp_path_factory.mktemp("documents")),
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "AUDIT_KEY": "test-audit-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Fast hashes: the tests check the rules, not the cost factor.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "LOGIN_RATE_LIMIT": "20 per 15 minutes",
        # The suite logs in with passwords (``login_as``); the two-factor tests turn it on.
        "TWO_FACTOR_REQUIRED_ROLES": (),
        # The concurrency tests hold up to 16 transactions open at once, one per thread.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 20},
    })
    app.test_client_class = CaseworkClient
    _reset_schema(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    """Every test starts with empty tables and fresh rate limits."""
    yield
    clean_database(app)


def clean_database(app) -> None:
    """Empty every table and reset the rate limits."""
    with app.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # One statement is much faster than a DELETE per table; the names are ours.
                quoted = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))  # noqa: S608
            else:
                for table in tables:
                    conn.execute(table.delete())
    limiter.reset()


@pytest.fixture
def app_ctx(app):
    """An application context for tests that use the models directly."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app) -> CaseworkClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_seq = itertools.count(1)


@pytest.fixture
def make_municipality(app_ctx):
    """Factory: ``make_municipality(name=..., atvk_code=...)``."""
    from casework.orgs.models import Municipality

    def make(name: str | None = None, atvk_code: str | None = None) -> Municipality:
        n = next(_seq)
        muni = Municipality(name=name or f"Testa novads {n}", atvk_code=atvk_code or f"{n:07d}")
        db.session.add(muni)
        db.session.commit()
        return muni

    return make


@pytest.fixture
def municipality(make_municipality):
    """The default municipality of the test users."""
    return make_municipality("Parauga novads", "0999001")


@pytest.fixture
def make_institution(app_ctx, municipality):
    """Factory: ``make_institution(kind="school", municipality=..., name=...)``."""
    from casework.orgs.models import Institution

    def make(kind: str = "social_service", municipality=municipality, name: str | None = None,
             active: bool = True) -> Institution:
        inst = Institution(municipality_id=municipality.id, kind=kind, active=active,
                           name=name or f"{kind} {next(_seq)}")
        db.session.add(inst)
        db.session.commit()
        return inst

    return make


@pytest.fixture
def make_user(app_ctx, make_institution):
    """Factory: ``make_user("case_manager", institution=..., email=..., password=...)``."""
    from casework.auth.models import User

    def make(*roles: str, institution=None, email: str | None = None,
             password: str = TEST_PASSWORD, active: bool = True, temporary: bool = False,
             full_name: str | None = None) -> User:
        roles = roles or ("case_manager",)
        if institution is None and roles != ("inspector",):
            institution = make_institution("social_service")
        n = next(_seq)
        user = User(email=email or f"{roles[0]}.{n}@example.lv", active=active,
                    full_name=full_name or f"Lietotājs {n}", institution=institution)
        user.roles = roles
        user.set_password(password, temporary=temporary)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login_as(client, make_user):
    """``login_as("admin")`` creates a user with that role, logs the client in, returns it."""

    def login(*roles: str, **kwargs):
        user = make_user(*roles, **kwargs)
        response = client.login(user.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return login


def audit_actions(**filters) -> list[str]:
    """The actions recorded in the audit log, oldest first."""
    from sqlalchemy import select

    from casework.audit.models import AuditEvent

    stmt = select(AuditEvent.action).order_by(AuditEvent.id)
    for key, value in filters.items():
        stmt = stmt.where(getattr(AuditEvent, key) == value)
    return list(db.session.scalars(stmt))
