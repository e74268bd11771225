"""CalendarFeed: a user's secret, revocable iCalendar feed token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.db_types import UTCDateTime, utcnow
from casework.extensions import db


class CalendarFeed(db.Model):
    """The token in a user's feed URL; revoking it deletes the row (the old URL stops)."""

    __tablename__ = "calendar_feed"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<CalendarFeed user={self.user_id}>"
