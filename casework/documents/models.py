"""Document: a file attached to a case, a meeting or a decision (DESIGN.md §3).

The file itself is in the document storage under ``storage_key`` (a random name); the row keeps
the user's file name only to offer it back on download.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.auth.models import User
from casework.cases.models import NoteLevel, _values
from casework.db_types import UTCDateTime, utcnow
from casework.extensions import db
from casework.orgs.models import Institution


class Document(db.Model):
    """An uploaded file with a confidentiality level (group / institution / restricted).

    ``group_id`` is the cooperation group whose content the document belongs to (for a case:
    its interprofessional group), so one rule decides who sees it. ``case_id`` is set for every
    document that concerns a case, also those of its group's meetings and decisions, so that
    anonymising the case finds them all.
    """

    __tablename__ = "document"
    __table_args__ = (
        CheckConstraint(f"level IN ({_values(NoteLevel)})", name="level_valid"),
        CheckConstraint("meeting_id IS NULL OR decision_id IS NULL", name="one_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("cooperation_group.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    uploader_institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"),
                                                         index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    uploaded_by: Mapped[User] = relationship()
    uploader_institution: Mapped[Institution] = relationship()

    def __repr__(self) -> str:
        return f"<Document {self.id} {self.level} {self.content_type}>"
