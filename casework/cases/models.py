"""Referral, Case, CasePerson, CaseEvent, Note, ClientParticipation (DESIGN.md §3)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from casework.auth.models import User
from casework.db_types import BigIntPK, UTCDateTime, utcnow
from casework.extensions import db
from casework.orgs.models import Institution


class Category(StrEnum):
    """Concern categories of referrals and cases."""

    VIOLENCE = "violence"
    NEGLECT = "neglect"
    SCHOOL_ABSENCE = "school_absence"
    ADDICTION = "addiction"
    BEHAVIOUR = "behaviour"
    OTHER = "other"


CATEGORY_LABELS = {
    Category.VIOLENCE: _l("violence"),
    Category.NEGLECT: _l("neglect"),
    Category.SCHOOL_ABSENCE: _l("not attending school"),
    Category.ADDICTION: _l("addiction"),
    Category.BEHAVIOUR: _l("behavioural problems"),
    Category.OTHER: _l("other concern"),
}


class PersonRole(StrEnum):
    """How a person is related to the case."""

    CHILD = "child"
    PARENT = "parent"
    GUARDIAN = "guardian"
    OTHER = "other"


PERSON_ROLE_LABELS = {
    PersonRole.CHILD: _l("child"),
    PersonRole.PARENT: _l("parent"),
    PersonRole.GUARDIAN: _l("guardian"),
    PersonRole.OTHER: _l("other person"),
}


class NoteLevel(StrEnum):
    """Confidentiality of a note (DESIGN.md §2)."""

    GROUP = "group"
    INSTITUTION = "institution"
    RESTRICTED = "restricted"


NOTE_LEVEL_LABELS = {
    NoteLevel.GROUP: _l("group"),
    NoteLevel.INSTITUTION: _l("institution"),
    NoteLevel.RESTRICTED: _l("restricted"),
}


class TriageOutcome(StrEnum):
    """What triage made of a referral."""

    NEW_CASE = "new_case"
    ATTACHED = "attached"
    NO_ACTION = "no_action"


RISKS = ("green", "yellow", "red")
_RISK_CHECK = "risk IN ('green', 'yellow', 'red')"


def _values(enum_cls) -> str:
    return ", ".join(f"'{v.value}'" for v in enum_cls)


class ReferralCategory(db.Model):
    """One concern category of a referral."""

    __tablename__ = "referral_category"

    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)

    def __repr__(self) -> str:
        return f"<ReferralCategory {self.referral_id} {self.category}>"


class CaseCategory(db.Model):
    """One concern category of a case."""

    __tablename__ = "case_category"

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)

    def __repr__(self) -> str:
        return f"<CaseCategory {self.case_id} {self.category}>"


class Referral(db.Model):
    """A concern reported by an institution (ziņojums), waiting for or given triage."""

    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint("proposed_urgency IN ('green', 'yellow', 'red')", name="urgency_valid"),
        CheckConstraint(f"outcome IS NULL OR outcome IN ({_values(TriageOutcome)})",
                        name="outcome_valid"),
        Index("ix_referral_municipality_received_at", "municipality_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    reporting_institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    child_given_name: Mapped[str] = mapped_column(String(100))
    child_family_name: Mapped[str] = mapped_column(String(100))
    child_personal_code: Mapped[str | None] = mapped_column(String(12))
    child_birth_date: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    proposed_urgency: Mapped[str] = mapped_column(String(8))
    triage_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    outcome: Mapped[str | None] = mapped_column(String(16), index=True)
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    assigned_risk: Mapped[str | None] = mapped_column(String(8))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)

    category_rows: Mapped[list[ReferralCategory]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")
    reporting_institution: Mapped[Institution] = relationship()
    reported_by: Mapped[User] = relationship(foreign_keys=[reported_by_id])

    @property
    def categories(self) -> list[str]:
        return sorted(r.category for r in self.category_rows)

    @categories.setter
    def categories(self, values) -> None:
        self.category_rows = [ReferralCategory(category=Category(v).value)
                              for v in sorted(set(values))]

    def __repr__(self) -> str:
        return f"<Referral {self.id} {self.proposed_urgency} {self.outcome}>"


class Case(db.Model):
    """A child's case (lieta), with its lifecycle status and risk colour."""

    __tablename__ = "case"
    __table_args__ = (
        UniqueConstraint("municipality_id", "number"),
        UniqueConstraint("municipality_id", "year", "seq"),
        CheckConstraint(_RISK_CHECK, name="risk_valid"),
        Index("ix_case_municipality_opened_at", "municipality_id", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="registered", index=True)
    risk: Mapped[str] = mapped_column(String(8), index=True)
    case_manager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # The social service that owns the case: its head supervises it.
    owner_institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    closure_reason: Mapped[str | None] = mapped_column(String(32))
    closure_reason_text: Mapped[str | None] = mapped_column(Text)
    next_review_due: Mapped[date | None] = mapped_column(Date, index=True)
    crisis_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    risk_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    case_manager: Mapped[User | None] = relationship(foreign_keys=[case_manager_id])
    owner_institution: Mapped[Institution] = relationship()
    category_rows: Mapped[list[CaseCategory]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")
    persons: Mapped[list[CasePerson]] = relationship(
        back_populates="case", order_by="CasePerson.id")

    @property
    def categories(self) -> list[str]:
        return sorted(r.category for r in self.category_rows)

    @categories.setter
    def categories(self, values) -> None:
        wanted = {Category(v).value for v in values}
        self.category_rows = [r for r in self.category_rows if r.category in wanted] + [
            CaseCategory(category=c) for c in sorted(wanted - set(self.categories))]

    def __repr__(self) -> str:
        return f"<Case {self.number} {self.status} {self.risk}>"


class CasePerson(db.Model):
    """A child, parent, guardian or other person of a case."""

    __tablename__ = "case_person"
    __table_args__ = (
        CheckConstraint(f"role IN ({_values(PersonRole)})", name="role_valid"),
        Index("ix_case_person_search_name_trgm", "search_name", postgresql_using="gin",
              postgresql_ops={"search_name": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    personal_code: Mapped[str | None] = mapped_column(String(12), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    contact: Mapped[str | None] = mapped_column(String(300))
    school: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The name folded to lower case ASCII (``casework.cases.search.fold``), kept on every
    # write, so that "Berzina" finds "Bērziņa"; trigram-indexed on PostgreSQL.
    search_name: Mapped[str] = mapped_column(String(201), default="")
    # A person who is no longer part of the case is kept, with when and why (nothing deleted).
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="persons")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def active(self) -> bool:
        """Still part of the case."""
        return self.ended_at is None

    def __repr__(self) -> str:
        return f"<CasePerson {self.id} {self.role}>"


@event.listens_for(CasePerson, "before_insert")
@event.listens_for(CasePerson, "before_update")
def _keep_search_name(_mapper, _connection, person: CasePerson) -> None:
    from casework.cases.search import person_search_name

    person.search_name = person_search_name(person.given_name, person.family_name)


class CaseEvent(db.Model):
    """One entry of a case's append-only history: a transition or another recorded change."""

    __tablename__ = "case_event"
    __table_args__ = (
        # A case's state at a moment: its last transition of one machine before the moment.
        Index("ix_case_event_case_machine_at", "case_id", "machine", "at"),
        # The year's transitions of one kind (escalations, closures) across a municipality.
        Index("ix_case_event_machine_at", "machine", "at"),
        Index("ix_case_event_machine_trigger_at", "machine", "trigger", "at"),
        Index("ix_case_event_machine_to_state_at", "machine", "to_state", "at"),
        # The annual report reads one municipality's histories case by case, machine by
        # machine, in time order: this index gives them in that order with the states it
        # needs (an index-only scan on PostgreSQL), so a windowed pass needs no sort.
        Index("ix_case_event_municipality_history", "municipality_id", "case_id", "machine",
              "at", "id", postgresql_include=["to_state", "from_state", "trigger"]),
        # The year's transitions of one kind (closures, escalations) in one municipality.
        Index("ix_case_event_municipality_machine_trigger_at", "municipality_id", "machine",
              "trigger", "at"),
        Index("ix_case_event_municipality_machine_to_state_at", "municipality_id", "machine",
              "to_state", "at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    #: The case's municipality, copied onto its history (a case never changes municipality),
    #: so that a municipality's history is read without joining every event to its case.
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    machine: Mapped[str] = mapped_column(String(16))  # lifecycle, risk, case, group
    trigger: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CaseEvent {self.id} {self.machine}.{self.trigger}>"


@event.listens_for(CaseEvent, "before_insert")
def _event_municipality(_mapper, connection, target: CaseEvent) -> None:
    """An event made without its municipality (``record_event`` always gives it) takes its
    case's."""
    if target.municipality_id is None:
        target.municipality_id = connection.scalar(
            select(Case.municipality_id).where(Case.id == target.case_id))


class Note(db.Model):
    """A note on a case with a confidentiality level."""

    __tablename__ = "note"
    __table_args__ = (CheckConstraint(f"level IN ({_values(NoteLevel)})", name="level_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    author_institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship()
    author_institution: Mapped[Institution] = relationship()

    def __repr__(self) -> str:
        return f"<Note {self.id} {self.level}>"


class ClientParticipation(db.Model):
    """The client or child informed of a decision, their opinion, whether they attended."""

    __tablename__ = "client_participation"
    __table_args__ = (
        Index("ix_client_participation_decision_informed", "decision_id", "informed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("case_person.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    informed: Mapped[bool] = mapped_column(Boolean, default=False)
    informed_on: Mapped[date | None] = mapped_column(Date)
    informed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    method: Mapped[str | None] = mapped_column(String(32))
    opinion: Mapped[str | None] = mapped_column(Text)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[CasePerson | None] = relationship()
    informed_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ClientParticipation {self.id} case={self.case_id}>"


class CaseNumberCounter(db.Model):
    """The last case number used per municipality and year (atomic increments)."""

    __tablename__ = "case_number_counter"

    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"),
                                                 primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<CaseNumberCounter {self.municipality_id} {self.year} {self.last}>"


class BreakGlassAccess(db.Model):
    """A head of service's time-limited emergency access to a case outside their scope."""

    __tablename__ = "break_glass_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<BreakGlassAccess user={self.user_id} case={self.case_id}>"


@event.listens_for(Session, "before_flush")
def _history_is_append_only(session, _flush_context, _instances):
    """Refuse to change or delete a CaseEvent once written."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, CaseEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise ValueError("the case history is append-only")
