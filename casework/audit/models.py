"""AuditEvent: one row per security-relevant action, chained by hashes (DESIGN.md §3)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.auth.models import User
from casework.db_types import BigIntPK, UTCDateTime, utcnow
from casework.extensions import db


class AuditEvent(db.Model):
    """An append-only audit record. ``hash`` covers this row and the previous row's hash."""

    __tablename__ = "audit_event"
    # The data protection officer's log: one municipality, newest first (keyset on id), and
    # each of its filters and sorts; "who has seen this case" and the de-duplication of
    # repeated reads look events up by their object.
    __table_args__ = (
        Index("ix_audit_event_municipality_at", "municipality_id", "at"),
        Index("ix_audit_event_municipality_id_id", "municipality_id", "id"),
        Index("ix_audit_event_municipality_action_id", "municipality_id", "action", "id"),
        Index("ix_audit_event_municipality_user_id", "municipality_id", "user_id", "id"),
        Index("ix_audit_event_municipality_flagged_id", "municipality_id", "flagged", "id"),
        Index("ix_audit_event_object", "object_type", "object_id", "id"),
        # The list sorted by object (type, then id) within the municipality.
        Index("ix_audit_event_municipality_object_id", "municipality_id", "object_type",
              "object_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # Scope for the municipality's data protection officer; None for national events.
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    flagged: Mapped[bool] = mapped_column(default=False)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.object_type}:{self.object_id}>"
