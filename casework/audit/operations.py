"""Writing and verifying the audit log.

Each event stores the hash of the previous event and a hash of itself over that value and its
own fields, so that editing or deleting a row breaks the chain (``verify_chain`` finds where).
``prev_hash`` is unique: two events can never both follow the same predecessor.
"""

from __future__ import annotations

import hashlib
import json

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select, text

from casework.audit.models import AuditEvent
from casework.db_types import utcnow
from casework.extensions import db

GENESIS_HASH = "0" * 64


def _payload(event: AuditEvent) -> str:
    return json.dumps(
        {
            "prev": event.prev_hash,
            "at": event.at.isoformat(),
            "user": event.user_id,
            "municipality": event.municipality_id,
            "ip": event.ip,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "details": event.details,
            "flagged": bool(event.flagged),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def compute_hash(event: AuditEvent) -> str:
    """The SHA-256 of an event's fields and its predecessor's hash."""
    return hashlib.sha256(_payload(event).encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    # On PostgreSQL concurrent writers queue here until the holder commits, so each one
    # reads the true last hash. SQLite serialises writers by itself.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(4242001)"))


def record(
    action: str,
    obj=None,
    *,
    details: dict | None = None,
    user=None,
    municipality_id: int | None = None,
    flagged: bool = False,
) -> AuditEvent:
    """Append an audit event for ``action`` on ``obj`` by ``user`` (default: current user).

    Only flushes; the caller's request or job commits together with the change it records.
    """
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    if municipality_id is None:
        if obj is not None and getattr(obj, "municipality_id", None) is not None:
            municipality_id = obj.municipality_id
        elif user is not None:
            municipality_id = user.municipality_id
    _lock_chain()
    last = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        at=utcnow(),
        user_id=user.id if user is not None else None,
        municipality_id=municipality_id,
        ip=request.remote_addr if has_request_context() else None,
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if obj is not None and getattr(obj, "id", None) else None,
        # A JSON round trip makes the stored value and the hashed value the same.
        details=json.loads(json.dumps(details or {}, default=str, ensure_ascii=False)),
        flagged=flagged,
        prev_hash=last or GENESIS_HASH,
    )
    event.hash = compute_hash(event)
    db.session.add(event)
    db.session.flush()
    return event


def verify_chain() -> int | None:
    """Return the id of the first event whose hash or link is wrong, or None if intact."""
    expected_prev = GENESIS_HASH
    for event in db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500)
    ):
        if event.prev_hash != expected_prev or compute_hash(event) != event.hash:
            return event.id
        expected_prev = event.hash
    return None
