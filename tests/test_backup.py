"""Backup and restore as the README's operations section describes it: ``pg_dump -Fc``, then
``pg_restore`` into a fresh database, and the audit log verifies there, against an anchor taken
before the dump, with the same ``CASEWORK_AUDIT_KEY``."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from sqlalchemy import func, make_url, select

from casework import create_app
from casework.audit.models import AuditEvent
from casework.cases.models import Case
from casework.extensions import db

pytestmark = pytest.mark.postgres


def _libpq_url(url: str, database: str | None = None) -> str:
    """The URL for pg_dump and psycopg (no SQLAlchemy driver name)."""
    parsed = make_url(url).set(drivername="postgresql")
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


@pytest.fixture
def restore_database(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql") or not shutil.which("pg_dump"):
        pytest.skip("needs CASEWORK_TEST_DATABASE_URL on PostgreSQL and pg_dump/pg_restore")
    import psycopg

    name = f"{make_url(url).database}_restore"
    admin = _libpq_url(url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_with_pg_dump_restores_into_a_fresh_database_and_the_audit_log_verifies(
        app, runner, restore_database, tmp_path):
    with app.app_context():
        assert runner.invoke(args=["seed-demo"]).exit_code == 0
        cases = db.session.scalar(select(func.count()).select_from(Case))
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))
        anchor = runner.invoke(args=["audit", "anchor"]).output.strip()
        db.session.remove()
    assert cases > 0 and events > 0
    dump = tmp_path / "casework.dump"
    source = _libpq_url(app.config["SQLALCHEMY_DATABASE_URI"])
    # The arguments are the test database's own URL and a temporary file.
    subprocess.run([shutil.which("pg_dump"), "-Fc", "--no-owner", "-f", str(dump), source],  # noqa: S603
                   check=True, timeout=120, env={**os.environ, "PGCONNECT_TIMEOUT": "10"})
    target = _libpq_url(app.config["SQLALCHEMY_DATABASE_URI"], restore_database)
    subprocess.run([shutil.which("pg_restore"), "--no-owner", "--exit-on-error",  # noqa: S603
                    "-d", target, str(dump)], check=True, timeout=120)

    def restored_app(audit_key: str):
        return create_app({
            "TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"], "AUDIT_KEY": audit_key,
            "SQLALCHEMY_DATABASE_URI": make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(
                database=restore_database).render_as_string(hide_password=False)})

    restored = restored_app(app.config["AUDIT_KEY"])
    with restored.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == cases
        result = restored.test_cli_runner().invoke(args=["audit", "verify", "--anchor", anchor])
        assert result.exit_code == 0, result.output
        assert "intact and matches 1 anchor" in result.output
        db.session.remove()
        db.engine.dispose()
    # Without the audit key kept with the backup, the restored log cannot be verified.
    other = restored_app("a-different-audit-key-that-is-long-enough-0")
    with other.app_context():
        assert other.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 1
        db.session.remove()
        db.engine.dispose()
