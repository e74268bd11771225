"""Creating notifications. Every notification has a unique de-duplication key: inserting the
same key twice (a sweep run twice, two scheduler processes at once, a retried request) adds
nothing, so nobody is told anything twice. Texts carry no child's name or details: a case
number, what is due, and a link.
"""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from casework.auth.models import User
from casework.db_types import utcnow
from casework.extensions import db
from casework.notifications.models import Notification


def notify(user_id: int, kind: str, text: str, link: str | None, key: str,
           municipality_id: int | None = None) -> bool:
    """Queue a notification for ``user_id`` unless one with ``key`` exists; True if added.

    The insert is ``ON CONFLICT DO NOTHING`` on the unique key, so concurrent callers cannot
    both add it. Whether it is e-mailed at once or in the daily digest follows the user's
    choice; delivery happens after the commit (``casework.notifications.mail``).
    """
    notify_by = db.session.scalar(select(User.notify_by).where(User.id == user_id))
    values = {
        "user_id": user_id, "kind": kind, "text": text[:500], "link": link, "dedup_key": key,
        "municipality_id": municipality_id, "created_at": utcnow(),
        "email_state": "digest" if notify_by == "digest" else "pending", "email_attempts": 0,
    }
    dialect = db.session.get_bind().dialect.name
    ins = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if ins is None:  # pragma: no cover - other databases are not supported
        if db.session.scalar(select(Notification.id).where(Notification.dedup_key == key)):
            return False
        db.session.execute(insert(Notification).values(**values))
        return True
    result = db.session.execute(
        ins(Notification).values(**values).on_conflict_do_nothing(index_elements=["dedup_key"]))
    return bool(result.rowcount)


def notify_many(user_ids, kind: str, text: str, link: str | None, key: str,
                municipality_id: int | None = None) -> int:
    """``notify`` each user once; the key is made per user (``<key>:u<id>``)."""
    return sum(notify(uid, kind, text, link, f"{key}:u{uid}", municipality_id)
               for uid in sorted(set(user_ids)))
