"""audit chain keyed with HMAC-SHA256 (CASEWORK_AUDIT_KEY): existing events re-sealed

Until now each audit event's hash was a plain SHA-256, which anyone able to write the database
could recompute after changing a row. From now on it is an HMAC-SHA256 under the audit key,
kept outside the database. No column changes: this revision checks the existing chain under
the old rule and, only if it is intact, re-seals every event under the key (a broken chain is
not re-sealed, which would hide the tampering: the upgrade stops and names the event). The
downgrade does the reverse. ``flask db upgrade`` passes the app's configuration, so the key is
the one the app will use.

Revision ID: 5549625f140a
Revises: 0ca576a49f8b
Create Date: 2026-12-02 13:00:00.000000
"""

import hashlib
import hmac
import json

import sqlalchemy as sa
from alembic import op

from casework.db_types import UTCDateTime

revision = '5549625f140a'
down_revision = '0ca576a49f8b'
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64

audit_event = sa.table(
    "audit_event",
    sa.column("id", sa.BigInteger()), sa.column("at", UTCDateTime()),
    sa.column("user_id", sa.Integer()), sa.column("municipality_id", sa.Integer()),
    sa.column("ip", sa.String()), sa.column("action", sa.String()),
    sa.column("object_type", sa.String()), sa.column("object_id", sa.String()),
    sa.column("details", sa.JSON()), sa.column("flagged", sa.Boolean()),
    sa.column("prev_hash", sa.String()), sa.column("hash", sa.String()),
)


def _payload(row, prev: str) -> bytes:
    # The same fields and encoding as casework.audit.operations._payload at this revision.
    return json.dumps(
        {"prev": prev, "at": row.at.isoformat(), "user": row.user_id,
         "municipality": row.municipality_id, "ip": row.ip, "action": row.action,
         "object_type": row.object_type, "object_id": row.object_id, "details": row.details,
         "flagged": bool(row.flagged)},
        sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _plain(row, prev: str) -> str:
    return hashlib.sha256(_payload(row, prev)).hexdigest()


def _keyed(row, prev: str) -> str:
    from flask import current_app

    key = current_app.config["AUDIT_KEY"].encode("utf-8")
    return hmac.new(key, _payload(row, prev), hashlib.sha256).hexdigest()


def _reseal(old_hash, new_hash) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(audit_event).order_by(audit_event.c.id)).all()
    old_prev = new_prev = GENESIS_HASH
    updates = []
    for row in rows:
        if row.prev_hash != old_prev or old_hash(row, old_prev) != row.hash:
            raise RuntimeError(
                f"The audit log is broken at event {row.id}; it is not re-sealed (that would "
                "hide the tampering). Investigate, restore a backup, then upgrade again.")
        new = new_hash(row, new_prev)
        updates.append((row.id, new_prev, new))
        old_prev, new_prev = row.hash, new
    for event_id, prev, new in updates:
        # Every new hash differs from every old one, so the unique constraints hold throughout.
        conn.execute(sa.update(audit_event).where(audit_event.c.id == event_id)
                     .values(prev_hash=prev, hash=new))


def upgrade():
    _reseal(_plain, _keyed)


def downgrade():
    _reseal(_keyed, _plain)
