"""AnnualReport (DESIGN.md §3, §6): one per municipality and year, no personal data.

Sections A–C are computed from the records while the report is a draft; submitting freezes
them in ``snapshot`` so that later changes to cases never alter a submitted report. Section D
is the coordinator's narrative. ``version`` guards the draft against two editors (and an
autosave) overwriting each other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.auth.models import User
from casework.db_types import UTCDateTime, utcnow
from casework.extensions import db
from casework.orgs.models import Municipality


class AnnualReport(db.Model):
    """The annual report of a municipality on its cooperation groups' work in ``year``."""

    __tablename__ = "annual_report"
    __table_args__ = (
        UniqueConstraint("municipality_id", "year"),
        CheckConstraint(
            "status IN ('draft', 'in_review', 'approved', 'submitted', 'returned', 'accepted')",
            name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    # Section D: the coordinator's narrative.
    challenges: Mapped[str | None] = mapped_column(Text)
    directions: Mapped[str | None] = mapped_column(Text)
    conclusions: Mapped[str | None] = mapped_column(Text)
    state_proposals: Mapped[str | None] = mapped_column(Text)
    # Sections A–C frozen at submission (schema_version tells how to read it).
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    schema_version: Mapped[str | None] = mapped_column(String(16))
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    municipality: Mapped[Municipality] = relationship()
    prepared_by: Mapped[User | None] = relationship(foreign_keys=[prepared_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])

    def __repr__(self) -> str:
        return f"<AnnualReport {self.municipality_id} {self.year} {self.status}>"
