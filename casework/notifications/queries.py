"""Reads of notifications, always of the signed-in user's own."""

from __future__ import annotations

from flask import g
from flask_login import current_user
from sqlalchemy import func, select

from casework.extensions import db
from casework.listing import ListSpec
from casework.notifications.models import Notification

PAGE_SIZE = 100


def my_notifications(user, *, state: str | None = None):
    """The user's notifications, newest first; ``state`` "unread" or "read" narrows them."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if state == "unread":
        stmt = stmt.where(Notification.read_at.is_(None))
    elif state == "read":
        stmt = stmt.where(Notification.read_at.is_not(None))
    return stmt.order_by(*NOTIFICATION_LIST.default_order())


#: The notification list (issue 18.3): newest first, a page of PAGE_SIZE.
NOTIFICATION_LIST = ListSpec(
    "notifications.notifications", sorts={"created": lambda: (Notification.created_at,)},
    default_sort="-created", tiebreak=lambda: (Notification.id.desc(),), per_page=PAGE_SIZE)


def unread_count(user) -> int:
    """How many of the user's notifications are unread (one COUNT)."""
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def safe_link(link: str | None) -> str | None:
    """A notification's link only if it is local ("/..." and not "//host")."""
    if link and link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link
    return None


def unread_count_processor() -> dict:
    """Template context: ``unread_notifications()`` counts only when the header asks."""

    def unread_notifications() -> int:
        if not current_user or not current_user.is_authenticated:
            return 0
        # Counted with the session when it was loaded, unless this request has read some.
        counted = g.get("unread_notifications")
        if counted is not None and counted[0] == current_user.id:
            return counted[1]
        return unread_count(current_user)

    return {"unread_notifications": unread_notifications}
