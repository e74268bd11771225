"""Server-side sessions (issue 17.2) and forms kept across the end of a session (issue 10.9).

The signed cookie holds only a random key; the ``user_session`` row it names decides whether the
session still counts. Logout ends the row, a password change or a deactivation ends every row of
the user, and each request checks the idle timeout and the absolute lifetime against the row, so
a copied cookie stops working together with the session it was copied from.

A form posted after its session ended is kept in ``kept_form`` under a random key that only the
new anonymous session of that browser knows, for the same user and a short time.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta

from flask import current_app, g
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload

from casework.auth.models import KeptForm, User, UserSession
from casework.db_types import utcnow
from casework.extensions import db

#: The row's ``last_seen_at`` is written at most this often (one write per minute, not per page).
TOUCH_EVERY = timedelta(seconds=60)
#: Ended sessions are of no use after this; the audit log keeps the logins and logouts.
ROWS_KEPT_FOR = timedelta(days=30)
#: Fields never kept: the old CSRF token, our own marker, and anything that looks like a password.
_NOT_KEPT = {"csrf_token", "kept_form"}


def _hash(key: str) -> str:
    # Only the hash is stored: a copy of the table does not give usable session keys.
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user: User) -> str:
    """Open a server-side session for ``user`` (at login); returns the key for the cookie."""
    now = utcnow()
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(key_hash=_hash(key), user_id=user.id, created_at=now,
                               last_seen_at=now))
    user.session_key = key
    db.session.execute(delete(UserSession).where(UserSession.created_at < now - ROWS_KEPT_FOR))
    db.session.execute(delete(KeptForm).where(KeptForm.expires_at <= now))
    db.session.flush()
    return key


def expiry_reason(row: UserSession, now: datetime) -> str | None:
    """``"lifetime"`` or ``"idle"`` when the session has run out, else None."""
    config = current_app.config
    if now - row.created_at >= timedelta(hours=config["SESSION_LIFETIME_HOURS"]):
        return "lifetime"
    if now - row.last_seen_at > timedelta(minutes=config["SESSION_IDLE_MINUTES"]):
        return "idle"
    return None


def load_session(key: str | None) -> User | None:
    """The user of the live session named by ``key``, or None.

    A session that is over (ended before, or run out just now) is left in ``g.ended_session``
    for security.py, which starts a clean session and says why; ``g.session_just_ended`` tells
    that this request ended it.
    """
    if not key:
        return None
    # The user's institution and roles come along in the same query: every page scopes by the
    # municipality and checks the roles.
    # So do the user's unread notifications, which the header of every page counts.
    from casework.notifications.models import Notification

    user = joinedload(UserSession.user)
    unread = (select(func.count()).select_from(Notification)
              .where(Notification.user_id == UserSession.user_id, Notification.read_at.is_(None))
              .correlate(UserSession).scalar_subquery())
    found = db.session.execute(
        select(UserSession, unread)
        .options(user.joinedload(User.institution), user.joinedload(User.role_rows))
        .where(UserSession.key_hash == _hash(key))).unique().one_or_none()
    if found is None:
        return None
    row, unread_count = found
    g.unread_notifications = (row.user_id, int(unread_count or 0))
    if row.ended_at is None:
        reason = expiry_reason(row, utcnow()) or (None if row.user.active else "deactivated")
        if reason:
            end_session(row, reason)
            g.session_just_ended = True
    if row.ended_at is not None:
        g.ended_session = row
        return None
    g.user_session = row
    row.user.session_key = key
    return row.user


def current_session() -> UserSession | None:
    """The live session of this request (after the user loader ran)."""
    return g.get("user_session")


def touch(row: UserSession, *, force: bool = False) -> bool:
    """Count activity now; True when the row changed and needs a commit."""
    now = utcnow()
    if force or now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        return True
    return False


def time_left(row: UserSession) -> dict:
    """Seconds until the idle timeout and until the absolute lifetime end the session."""
    config = current_app.config
    now = utcnow()
    idle_end = row.last_seen_at + timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    life_end = row.created_at + timedelta(hours=config["SESSION_LIFETIME_HOURS"])
    return {"idle_seconds": max(0, int((idle_end - now).total_seconds())),
            "lifetime_seconds": max(0, int((life_end - now).total_seconds()))}


def end_session(row: UserSession, reason: str) -> None:
    """End one session (logout, timeout)."""
    row.ended_at = utcnow()
    row.ended_reason = reason
    db.session.flush()


def end_all_sessions(user: User, reason: str) -> None:
    """End every live session of ``user`` (password change or reset, deactivation, lockout)."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()


# -- forms kept across the end of a session --------------------------------------------------
def _keepable(name: str) -> bool:
    return name not in _NOT_KEPT and "password" not in name.lower()


def keep_form(user_id: int, *, action: str, back: str | None, pairs) -> str | None:
    """Keep the posted ``pairs`` for ``user_id``; returns the key, or None when there is
    nothing worth keeping or it is too large."""
    fields = [[name, value] for name, value in pairs if _keepable(name)]
    if not any(value.strip() for _, value in fields):
        return None
    data = json.dumps(fields, ensure_ascii=False)
    if len(data.encode()) > current_app.config["KEPT_FORM_MAX_BYTES"]:
        return None
    now = utcnow()
    key = secrets.token_urlsafe(32)
    db.session.add(KeptForm(
        key_hash=_hash(key), user_id=user_id, created_at=now, action=action[:2000],
        back=back[:2000] if back else None, fields=data,
        expires_at=now + timedelta(minutes=current_app.config["KEPT_FORM_MINUTES"]),
    ))
    db.session.flush()
    return key


def kept_form(key: str | None, user: User) -> KeptForm | None:
    """The form kept under ``key`` when it belongs to ``user`` and has not expired.

    A kept form found for a different user is deleted: it is never shown to anyone else.
    """
    if not key:
        return None
    row = db.session.scalar(select(KeptForm).where(KeptForm.key_hash == _hash(key)))
    if row is None:
        return None
    if row.user_id != user.id or row.expires_at <= utcnow():
        db.session.delete(row)
        db.session.flush()
        return None
    return row


def kept_fields(row: KeptForm) -> list[tuple[str, str]]:
    """The kept ``(name, value)`` pairs."""
    return [(name, value) for name, value in json.loads(row.fields)]


def drop_kept_form(key: str | None) -> None:
    """Delete the kept form (saved again, or discarded)."""
    if key:
        db.session.execute(delete(KeptForm).where(KeptForm.key_hash == _hash(key)))
        db.session.flush()
