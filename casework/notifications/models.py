"""Notification and the daily digest record (DESIGN.md §3).

``dedup_key`` is unique: a sweep that runs twice, or two scheduler processes at once, insert
the same key and the second insert does nothing, so nobody is told anything twice. The in-app
notification is the record; e-mail delivery is tracked on it and retried without losing it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.auth.models import User
from casework.db_types import BigIntPK, UTCDateTime, utcnow
from casework.extensions import db

EMAIL_STATES = ("pending", "sent", "logged", "failed", "digest", "none")


class Notification(db.Model):
    """Something a user must know or do: kind, a text without personal data, a link."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("dedup_key"),
        CheckConstraint(
            "email_state IN ('pending', 'sent', 'logged', 'failed', 'digest', 'none')",
            name="email_state_valid"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # The text as first rendered (Latvian); ``params`` keeps the message id and its
    # parameters, so that each reader gets it in their own language (``display_text``).
    text: Mapped[str] = mapped_column(String(500))
    params: Mapped[dict | None] = mapped_column(JSON)
    link: Mapped[str | None] = mapped_column(String(300))
    dedup_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # E-mail delivery: pending → sent (or logged without a mail server); failed ones are
    # retried at email_next_attempt_at; digest ones go out with the user's daily digest.
    email_state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @classmethod
    def queued(cls):
        """SQL: the e-mail waits in the queue (new, or failed and maybe retried): the condition
        of the partial index the delivery reads in id order, the states written as literals so
        that the planner matches it with the index's."""
        return cls.email_state.in_([literal_column("'pending'"), literal_column("'failed'")])

    def display_text(self, locale: str | None = None) -> str:
        """The text in ``locale`` (the current language when None)."""
        from casework.notifications.texts import render

        return render(self.params, locale, fallback=self.text)

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} user={self.user_id}>"


# The queue of immediate e-mails in the delivery's order: a run reads its batch from here,
# however many e-mails were sent or logged before.
Index("ix_notification_email_queued", Notification.id,
      postgresql_where=Notification.queued(), sqlite_where=Notification.queued())


class DigestRun(db.Model):
    """One daily digest e-mail per user and day (unique, so it is never sent twice)."""

    __tablename__ = "digest_run"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<DigestRun user={self.user_id} {self.day}>"
