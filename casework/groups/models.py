"""CooperationGroup, GroupMember, Meeting and Decision (DESIGN.md §3)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.auth.models import User
from casework.db_types import UTCDateTime, utcnow
from casework.extensions import db
from casework.orgs.models import Institution


class CooperationGroup(db.Model):
    """A strategic group of the municipality, or the interprofessional group of one case."""

    __tablename__ = "cooperation_group"
    __table_args__ = (
        CheckConstraint("kind IN ('strategic', 'interprofessional')", name="kind_valid"),
        # One interprofessional group per case.
        UniqueConstraint("case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lead: Mapped[User | None] = relationship()
    members: Mapped[list[GroupMember]] = relationship(back_populates="group",
                                                      order_by="GroupMember.id")

    def __repr__(self) -> str:
        return f"<CooperationGroup {self.id} {self.kind}>"


class GroupMember(db.Model):
    """A user's membership of a group, representing an institution, from/to a date."""

    __tablename__ = "group_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("cooperation_group.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    role_in_group: Mapped[str | None] = mapped_column(String(100))
    member_from: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    member_to: Mapped[datetime | None] = mapped_column(UTCDateTime())

    group: Mapped[CooperationGroup] = relationship(back_populates="members")
    user: Mapped[User] = relationship()
    institution: Mapped[Institution] = relationship()

    def __repr__(self) -> str:
        return f"<GroupMember group={self.group_id} user={self.user_id}>"


class Meeting(db.Model):
    """A meeting of a group; held meetings count for the crisis and convening rules."""

    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'held', 'minutes_approved', 'cancelled')",
                        name="status_valid"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("cooperation_group.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="planned")
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    group: Mapped[CooperationGroup] = relationship()

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.status}>"


class Decision(db.Model):
    """A decision of a group, numbered per group and year."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("group_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("cooperation_group.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    number: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    responsible_institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Decision {self.number}>"
