"""``flask db upgrade`` on an empty database gives exactly the models' schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from casework import create_app
from casework.extensions import db


def _diff(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_database_gives_exactly_the_models_schema(app_ctx):
    # The session fixture built this database (SQLite or PostgreSQL) with ``upgrade()``.
    assert _diff(db.engine) == []


def test_migrations_downgrade_to_empty_and_upgrade_again(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}"})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        with db.engine.connect() as conn:
            tables = set(db.inspect(conn).get_table_names())
        assert tables <= {"alembic_version"}
        upgrade()
        assert _diff(db.engine) == []
        db.engine.dispose()


def test_upgrade_reseals_the_plain_sha256_audit_chain_with_the_audit_key(tmp_path):
    """Events written before the keyed chain verify after ``flask db upgrade``; a chain already
    broken is not re-sealed (that would hide the tampering)."""
    import hashlib

    import pytest
    from sqlalchemy import select, update

    from casework.audit.models import AuditEvent
    from casework.audit.operations import GENESIS_HASH, _payload, verify_chain
    from casework.db_types import utcnow

    def plain_chain(actions):
        prev = GENESIS_HASH
        for action in actions:
            event = AuditEvent(at=utcnow(), action=action, details={"n": 1}, flagged=False,
                               prev_hash=prev)
            event.hash = hashlib.sha256(_payload(event).encode()).hexdigest()
            db.session.add(event)
            db.session.flush()
            prev = event.hash
        db.session.commit()

    for broken in (False, True):
        app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "AUDIT_KEY": "a" * 40,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / f'{broken}.db'}"})
        with app.app_context():
            upgrade(revision="f82661aaa768")
            plain_chain(["login", "logout", "login"])
            if broken:
                db.session.execute(update(AuditEvent).where(AuditEvent.id == 2)
                                   .values(action="x"))
                db.session.commit()
                # Flask-Migrate turns the migration's RuntimeError into exit status 1.
                with pytest.raises((RuntimeError, SystemExit)):
                    upgrade()
                db.session.rollback()
                assert db.session.scalar(select(AuditEvent.action).where(
                    AuditEvent.id == 2)) == "x"
            else:
                assert verify_chain() == 1  # the plain hashes are not the keyed ones
                upgrade()
                db.session.expire_all()
                assert verify_chain() is None
                downgrade(revision="f82661aaa768")
                db.session.expire_all()
                events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
                assert [e.hash for e in events] == [
                    hashlib.sha256(_payload(e).encode()).hexdigest() for e in events]
            db.session.remove()
            db.engine.dispose()
