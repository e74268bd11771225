"""CooperationGroup, GroupMember, Meeting, AgendaItem, Attendance, Decision and
DecisionProgress (DESIGN.md §3).

A strategic group belongs to the municipality and is led by its coordinator; an
interprofessional group belongs to one case and is led by its case manager. Meetings follow the
structured method: goals on the agenda, invitations and attendance, minutes that lock once
approved. Decisions are numbered per group and year when the minutes are approved
(``SG-2026/07`` for a strategic group, ``SPG-2026/03`` for an interprofessional one).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    event,
    literal_column,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.auth.models import User
from casework.db_types import UTCDateTime, utcnow
from casework.extensions import db
from casework.orgs.models import Institution

#: The name an interprofessional group gets when its case is opened ("Lieta 2026/0001"),
#: stored in Latvian; pages show it in the reader's language (`CooperationGroup.display_name`).
CASE_GROUP_NAME_PREFIX = "Lieta "
#: Group roles casework itself writes (stored in Latvian), shown in the reader's language; a
#: role typed by a person is shown as typed.
GENERATED_GROUP_ROLES = {"gadījuma vadītājs": _l("case manager")}

GROUP_KINDS = ("strategic", "interprofessional")
MEETING_KINDS = ("regular", "supervision")
ATTENDANCE_STATES = ("invited", "attended", "excused", "absent")
AGENDA_KINDS = ("goal", "item")
DECISION_KINDS = ("decision", "proposal_municipality", "proposal_state")
#: The prefix of decision numbers per group kind.
DECISION_PREFIX = {"strategic": "SG", "interprofessional": "SPG"}


class CooperationGroup(db.Model):
    """A strategic group of the municipality, or the interprofessional group of one case."""

    __tablename__ = "cooperation_group"
    __table_args__ = (
        CheckConstraint("kind IN ('strategic', 'interprofessional')", name="kind_valid"),
        # One interprofessional group per case.
        UniqueConstraint("case_id"),
        # A municipality's strategic group(s) among its thousands of case groups.
        Index("ix_cooperation_group_municipality_kind", "municipality_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lead: Mapped[User | None] = relationship()
    members: Mapped[list[GroupMember]] = relationship(back_populates="group",
                                                      order_by="GroupMember.id")

    @property
    def is_strategic(self) -> bool:
        return self.kind == "strategic"

    @property
    def display_name(self) -> str:
        """The group's name in the reader's language: the generated name of a case's group is
        translated, a name people gave is shown as given."""
        if self.kind == "interprofessional" and self.name.startswith(CASE_GROUP_NAME_PREFIX):
            return _("Interprofessional group of case %(number)s",
                     number=self.name[len(CASE_GROUP_NAME_PREFIX):])
        return self.name

    def __repr__(self) -> str:
        return f"<CooperationGroup {self.id} {self.kind}>"


class GroupMember(db.Model):
    """A user's membership of a group, representing an institution, from/to a date."""

    __tablename__ = "group_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("cooperation_group.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    role_in_group: Mapped[str | None] = mapped_column(String(100))
    member_from: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    member_to: Mapped[datetime | None] = mapped_column(UTCDateTime())

    group: Mapped[CooperationGroup] = relationship(back_populates="members")
    user: Mapped[User] = relationship()
    institution: Mapped[Institution] = relationship()

    @property
    def role_label(self) -> str:
        """The member's role in the group, in the reader's language when casework wrote it."""
        role = self.role_in_group or ""
        generated = GENERATED_GROUP_ROLES.get(role)
        return str(generated) if generated is not None else role

    def __repr__(self) -> str:
        return f"<GroupMember group={self.group_id} user={self.user_id}>"


class Meeting(db.Model):
    """A meeting of a group; held meetings count for the crisis and convening rules."""

    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'held', 'minutes_approved', 'cancelled')",
                        name="status_valid"),
        CheckConstraint("kind IN ('regular', 'supervision')", name="kind_valid"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_meeting_group_status", "group_id", "status"),
        # One municipality's meetings in a state over a period (the annual report, the
        # coordinators' banner), read from the index alone.
        Index("ix_meeting_municipality_status_starts_held", "municipality_id", "status",
              "starts_at", "held_at", postgresql_include=["group_id"]),
        # A municipality's meetings not yet over (the start pages' "next 14 days").
        Index("ix_meeting_municipality_ends_at", "municipality_id", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("cooperation_group.id"), index=True)
    #: The group's municipality, copied (a group never changes municipality), so that a
    #: municipality's meetings are counted without joining every meeting to its group.
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    kind: Mapped[str] = mapped_column(String(16), default="regular")
    title: Mapped[str | None] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    place: Mapped[str | None] = mapped_column(String(300))
    online_link: Mapped[str | None] = mapped_column(String(500))
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    minute_taker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="planned", index=True)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    minutes: Mapped[str | None] = mapped_column(Text)
    minutes_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    minutes_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # Interprofessional meetings: the client's and the child's part (DESIGN.md §1).
    client_took_part: Mapped[bool | None] = mapped_column(Boolean)
    client_informed: Mapped[bool | None] = mapped_column(Boolean)
    client_opinion: Mapped[str | None] = mapped_column(Text)
    child_took_part: Mapped[bool | None] = mapped_column(Boolean)
    child_informed: Mapped[bool | None] = mapped_column(Boolean)
    child_opinion: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # When the scheduler had told everyone to tell that the minutes are late (the chair, the
    # minute-taker and the group's lead who see the case; casework.jobs.sweeps.minutes_late);
    # None: not yet, or someone could not be told. Only a filter, so that a steady sweep reads
    # no meeting it has told of (the notifications' unique keys are the record); a new lead,
    # by reassigning the case, clears it. The chair and minute-taker of a held meeting do not
    # change.
    minutes_late_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": version}

    group: Mapped[CooperationGroup] = relationship()
    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id])
    minute_taker: Mapped[User | None] = relationship(foreign_keys=[minute_taker_id])
    minutes_approved_by: Mapped[User | None] = relationship(
        foreign_keys=[minutes_approved_by_id])
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position, AgendaItem.id",
        cascade="all, delete-orphan")
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", order_by="Attendance.id", cascade="all, delete-orphan")

    @property
    def minutes_locked(self) -> bool:
        return self.status in ("minutes_approved", "cancelled")

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.status}>"


def minutes_late_untold():
    """SQL: a held meeting whose late minutes have not been told of: the condition of the
    partial index below, which the sweep repeats word for word (the status as a literal)."""
    return and_(Meeting.status == literal_column("'held'"),
                Meeting.minutes_late_told_at.is_(None))


Index("ix_meeting_minutes_late_untold", Meeting.id, postgresql_where=minutes_late_untold(),
      sqlite_where=minutes_late_untold())


class AgendaItem(db.Model):
    """A goal or an item of a meeting's agenda, with its own minutes; a strategic item may name
    a case only by its number (``case_id`` is shown as the pseudonymous number)."""

    __tablename__ = "agenda_item"
    __table_args__ = (CheckConstraint("kind IN ('goal', 'item')", name="kind_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(8), default="item")
    text: Mapped[str] = mapped_column(String(500))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    # What was discussed and concluded on this item (the minutes per item, issue 18.4); the
    # meeting's own ``minutes`` are the general part.
    minutes: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")

    def __repr__(self) -> str:
        return f"<AgendaItem {self.id} {self.kind}>"


class Attendance(db.Model):
    """An invitation to a meeting and what became of it: invited, attended, excused, absent."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        CheckConstraint("status IN ('invited', 'attended', 'excused', 'absent')",
                        name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="invited")
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    user: Mapped[User] = relationship()
    institution: Mapped[Institution] = relationship()

    def __repr__(self) -> str:
        return f"<Attendance meeting={self.meeting_id} user={self.user_id} {self.status}>"


class Decision(db.Model):
    """A decision (or proposal) of a group, numbered per group and year when published."""

    __tablename__ = "decision"
    __table_args__ = (
        UniqueConstraint("group_id", "number"),
        UniqueConstraint("group_id", "year", "seq"),
        CheckConstraint("status IN ('pending', 'in_progress', 'executed', 'not_executed')",
                        name="status_valid"),
        CheckConstraint("kind IN ('decision', 'proposal_municipality', 'proposal_state')",
                        name="kind_valid"),
        Index("ix_decision_group_published_at", "group_id", "published_at"),
        # One municipality's decisions published in a period, by state (the annual report, the
        # coordinators' banner).
        Index("ix_decision_municipality_published_at", "municipality_id", "published_at"),
        Index("ix_decision_municipality_status_published_at", "municipality_id", "status",
              "published_at"),
        # A municipality's open decisions by due date (past due on the start pages).
        Index("ix_decision_municipality_status_due", "municipality_id", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("cooperation_group.id"), index=True)
    #: The group's municipality, copied as on the meeting.
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24), default="decision")
    # Number and sequence are given when the minutes are approved (no gaps from drafts).
    number: Mapped[str | None] = mapped_column(String(32))
    seq: Mapped[int | None] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer, index=True)
    # The topic of the decision as municipalities' existing decision tables name it (imported
    # tables: "Tēma"); decisions taken in casework have their agenda item instead.
    topic: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    responsible_institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institution.id"), index=True)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    not_executed_reason: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # When the scheduler settled whether to chase that the client was not informed
    # (casework.jobs.sweeps.client_not_informed): the case manager told, the client informed
    # (a participation is never taken back), the case closed, or no case's decision; None: not
    # yet. Only a filter, so that a steady sweep reads no decision it has settled (the
    # notifications' unique keys are the record); reassigning or reopening the case clears it.
    uninformed_settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": version}

    group: Mapped[CooperationGroup] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    responsible_institution: Mapped[Institution | None] = relationship()
    progress: Mapped[list[DecisionProgress]] = relationship(
        back_populates="decision", order_by="DecisionProgress.on, DecisionProgress.id")

    def __repr__(self) -> str:
        return f"<Decision {self.number or self.id}>"


def uninformed_unsettled():
    """SQL: a published decision whose chase of the client's information is not settled: the
    condition of the partial index below, which the sweep repeats word for word."""
    return and_(Decision.published_at.is_not(None), Decision.uninformed_settled_at.is_(None))


Index("ix_decision_uninformed_unsettled", Decision.id,
      postgresql_where=uninformed_unsettled(), sqlite_where=uninformed_unsettled())


class DecisionProgress(db.Model):
    """A dated entry in the progress of execution of a decision (izpildes gaita)."""

    __tablename__ = "decision_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    status_after: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    decision: Mapped[Decision] = relationship(back_populates="progress")
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<DecisionProgress {self.decision_id} {self.on}>"


class DecisionNumberCounter(db.Model):
    """The last decision number used per group and year (atomic increments, no retries)."""

    __tablename__ = "decision_number_counter"

    group_id: Mapped[int] = mapped_column(ForeignKey("cooperation_group.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<DecisionNumberCounter {self.group_id} {self.year} {self.last}>"


def _group_municipality(_mapper, connection, target) -> None:
    """A meeting or decision made without its municipality takes its group's."""
    if target.municipality_id is None:
        target.municipality_id = connection.scalar(
            select(CooperationGroup.municipality_id).where(
                CooperationGroup.id == target.group_id))


event.listen(Meeting, "before_insert", _group_municipality)
event.listen(Decision, "before_insert", _group_municipality)
