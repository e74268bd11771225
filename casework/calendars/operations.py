"""Changes to personal calendar feeds: create or rotate the secret token, revoke it.

The token is the only key to the feed URL, so it is long and random, never written to the audit
log, and rotating or revoking it stops the old URL at once.
"""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.audit.operations import record
from casework.auth.operations import OperationRefused
from casework.calendars.models import CalendarFeed
from casework.db_types import utcnow
from casework.extensions import db


def feed_of(user) -> CalendarFeed | None:
    """The user's feed, if they have one."""
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def create_or_rotate_feed(user) -> CalendarFeed:
    """Give the user a feed with a new token; an existing token stops working."""
    if user.municipality_id is None or not user.active:
        raise OperationRefused(_l("Only users of a municipality have a meeting calendar."))
    feed = feed_of(user)
    token = secrets.token_urlsafe(32)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token=token, created_at=utcnow())
        db.session.add(feed)
        action = "calendar_feed_created"
    else:
        feed.token = token
        feed.created_at = utcnow()
        feed.last_used_at = None
        action = "calendar_feed_rotated"
    db.session.flush()
    record(action, None, user=user, details={"user": user.id})
    return feed


def revoke_feed(user) -> bool:
    """Delete the user's feed (its URL stops working); False when there was none."""
    feed = feed_of(user)
    if feed is None:
        return False
    db.session.delete(feed)
    db.session.flush()
    record("calendar_feed_revoked", None, user=user, details={"user": user.id})
    return True


def feed_owner(token: str, now=None):
    """The active owner of the feed with ``token`` (and marks the feed used), or None."""
    from casework.auth.models import User

    if not token:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    if feed is None:
        return None
    # Compared again in constant time: the lookup alone is not the check.
    if not secrets.compare_digest(feed.token, token):
        return None
    user = db.session.get(User, feed.user_id)
    if user is None or not user.active:
        return None
    feed.last_used_at = now or utcnow()
    db.session.flush()
    return user
