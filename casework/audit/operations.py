"""Writing and verifying the audit log.

Each event stores the hash of the previous event and a hash of itself over that value and its
own fields, so that editing or deleting a row breaks the chain (``verify_chain`` finds where).
``prev_hash`` is unique: two events can never both follow the same predecessor.

The hash is an HMAC-SHA256 keyed with ``CASEWORK_AUDIT_KEY``, which is kept outside the
database: someone who can write the database but does not hold the key cannot recompute the
chain after changing a row. What the chain alone cannot show is the newest rows cut off, or a
chain recomputed by someone who has the key; for that the head of the chain (last id and hash,
an *anchor*) is written out regularly (``flask audit anchor``) and checked later against the
database (``flask audit verify --anchor``): a missing row or a different hash at an anchored
id is found.

Details hold ids, codes, counts and dates only, never free text (a reason, a note, a title, a
name, minutes): those stay on their own rows, where access rules and anonymisation apply.
``record`` enforces it with an allow-list (``clean_details``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass

from flask import current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy import select, text

from casework.audit.models import AuditEvent
from casework.db_types import utcnow
from casework.extensions import db

log = logging.getLogger("casework.audit")

GENESIS_HASH = "0" * 64

#: The keys ``details`` may carry: each names an id, a code, a count, a date or a flag.
DETAIL_KEYS = frozenset({
    "access_id", "after", "agenda_items", "assessment_id", "assignee_id", "before", "by",
    "case_id", "changed",
    "count", "decision", "decision_id", "decisions", "due_date", "email", "failed_count",
    "fields", "format", "from", "goal_id", "group", "hours", "id", "ids", "institution",
    "institution_id", "issued", "item", "kind", "lead", "level", "meeting", "meeting_id",
    "member", "municipality", "note_id", "notify_by", "number", "on", "outcome", "person_id",
    "persons", "plan_id", "proposed_risk", "reason", "risk", "roles", "rows", "rule",
    "schema_version", "starts_at", "status", "statuses", "task", "task_ids", "tasks", "to",
    "trigger", "until", "urgency", "user", "users", "version", "withheld", "year",
})
#: A value that is one token: an id, a code, a case number, an e-mail, an ISO date. No spaces.
_TOKEN = re.compile(r"[\w.:/@+\-]{1,254}")
#: ``reason`` is a code (``wrong_password``), never the reason someone typed.
_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
#: The shapes a string value may have: a lower-case ASCII code (``close``, ``given_name``),
#: something that starts with a digit (an id, a case number ``2026/0042``, an ISO date or
#: time), a decision number (``SPG-2026/03``) or a lower-case e-mail address. A name, written
#: with a capital or Latvian letters (``Bērziņa``, ``Anna``), fits none of them, so no name of
#: a case's person can be in the log and anonymisation need not rewrite sealed rows.
_SAFE_STRING = re.compile(
    r"[a-z][a-z0-9_]{0,63}"
    r"|[0-9][0-9A-Za-z:./+\-]{0,63}"
    r"|[A-Z]{1,4}-[0-9]{4}/[0-9]{1,6}"
    r"|[a-z0-9._%+\-]{1,64}@[a-z0-9.\-]{1,189}")


def _safe_value(value, depth: int = 0) -> bool:
    if value is None or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return _SAFE_STRING.fullmatch(value) is not None
    if depth >= 3:
        return False
    if isinstance(value, list | tuple):
        return all(_safe_value(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str | int) and _TOKEN.fullmatch(str(k)) is not None
                   and _safe_value(v, depth + 1) for k, v in value.items())
    return False


def clean_details(details: dict | None) -> tuple[dict, list[str]]:
    """``details`` without what is not an id, code, count, date or flag; and the dropped keys.

    A key outside ``DETAIL_KEYS``, or a string value of none of the ``_SAFE_STRING`` shapes
    (a sentence, a name), is dropped, so no free text reaches the log whatever a caller
    passes.
    """
    # A JSON round trip makes the stored value and the hashed value the same.
    plain = json.loads(json.dumps(details or {}, default=str, ensure_ascii=False))
    kept, dropped = {}, []
    for key, value in plain.items():
        ok = key in DETAIL_KEYS and _safe_value(value)
        if ok and key == "reason":
            ok = isinstance(value, str) and _CODE.fullmatch(value) is not None
        if ok:
            kept[key] = value
        else:
            dropped.append(key)
    return kept, sorted(dropped)


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


def _key() -> bytes:
    return current_app.config["AUDIT_KEY"].encode("utf-8")


def compute_hash(event: AuditEvent) -> str:
    """The HMAC-SHA256 (audit key) of an event's fields and its predecessor's hash."""
    return hmac.new(_key(), _payload(event).encode("utf-8"), hashlib.sha256).hexdigest()


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
    details, dropped = clean_details(details)
    if dropped:
        # Only the key names are logged: the values are what must not be kept.
        log.warning("Audit event %s: details withheld (not ids or codes): %s",
                    action, ", ".join(dropped))
        details["withheld"] = [k for k in dropped if _TOKEN.fullmatch(k)]
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
        details=details,
        flagged=flagged,
        prev_hash=last or GENESIS_HASH,
    )
    event.hash = compute_hash(event)
    db.session.add(event)
    db.session.flush()
    return event


#: Repeated reads of the same object by the same user within this many seconds are one
#: event (the first): a page reloaded after each save, or opened in two tabs, does not fill
#: the log, and "who has seen it, when first in that stretch" is still answered.
READ_WINDOW_SECONDS = 600


def record_read(action: str, obj, *, user, details: dict | None = None,
                municipality_id: int | None = None) -> AuditEvent | None:
    """Record that ``user`` read ``obj`` (a page opened, a file downloaded), unless the same
    user's same read of the same object is already in the log from the last
    ``AUDIT_READ_WINDOW_SECONDS`` (default ``READ_WINDOW_SECONDS``). Exports are not reads
    in this sense: each export is recorded with ``record``.

    The check is one indexed lookup (object, user, time); the result is None when skipped.
    """
    from datetime import timedelta

    window = current_app.config.get("AUDIT_READ_WINDOW_SECONDS", READ_WINDOW_SECONDS)
    if window and user is not None and obj is not None and getattr(obj, "id", None):
        since = utcnow() - timedelta(seconds=window)
        seen = db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.object_type == type(obj).__name__,
                AuditEvent.object_id == str(obj.id),
                AuditEvent.user_id == user.id, AuditEvent.action == action,
                AuditEvent.at >= since).limit(1))
        if seen is not None:
            return None
    return record(action, obj, details=details, user=user, municipality_id=municipality_id)


# -- verifying --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Anchor:
    """The head of the chain at some moment: the last event's id and hash."""

    id: int
    hash: str

    def __str__(self) -> str:
        return f"{self.id}:{self.hash}"


_ANCHOR = re.compile(r"\b(\d+):([0-9a-f]{64})\b")


def parse_anchors(text: str) -> list[Anchor]:
    """Every ``<id>:<hash>`` in ``text`` (one anchor, or a file of them with dates)."""
    return [Anchor(int(m.group(1)), m.group(2)) for m in _ANCHOR.finditer(text or "")]


def chain_head() -> Anchor | None:
    """The anchor of the newest event, or None while the log is empty."""
    row = db.session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return Anchor(row.id, row.hash) if row else None


@dataclass(frozen=True)
class ChainProblem:
    """Where and how the chain is broken: ``changed`` (a hash or link is wrong),
    ``missing`` (an anchored event is gone: the log was cut) or ``rewritten`` (an anchored
    event has another hash: the chain was recomputed)."""

    event_id: int
    kind: str


def check_chain(anchors=()) -> ChainProblem | None:
    """Recompute the whole chain and compare it with ``anchors``; None if all is well."""
    expected = {a.id: a.hash for a in anchors}
    expected_prev = GENESIS_HASH
    for event in db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500)
    ):
        if event.prev_hash != expected_prev or compute_hash(event) != event.hash:
            return ChainProblem(event.id, "changed")
        if event.id in expected and expected.pop(event.id) != event.hash:
            return ChainProblem(event.id, "rewritten")
        expected_prev = event.hash
    if expected:
        return ChainProblem(min(expected), "missing")
    return None


def verify_chain(anchors=()) -> int | None:
    """Return the id of the first event whose hash or link is wrong (or of an anchored
    event that is missing or different), or None if intact."""
    problem = check_chain(anchors)
    return problem.event_id if problem else None
