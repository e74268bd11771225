"""Municipality and Institution (DESIGN.md §3)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db_types import UTCDateTime, utcnow
from casework.extensions import db


class InstitutionKind(StrEnum):
    """The kinds of institution that take part in cooperation groups."""

    SOCIAL_SERVICE = "social_service"
    ORPHANS_COURT = "orphans_court"
    MUNICIPAL_POLICE = "municipal_police"
    STATE_POLICE = "state_police"
    EDUCATION_BOARD = "education_board"
    SCHOOL = "school"
    PRESCHOOL = "preschool"
    HEALTH_CARE = "health_care"
    PROBATION = "probation"
    NGO = "ngo"
    OTHER = "other"


INSTITUTION_KIND_LABELS = {
    InstitutionKind.SOCIAL_SERVICE: _l("Social service"),
    InstitutionKind.ORPHANS_COURT: _l("Orphans' court"),
    InstitutionKind.MUNICIPAL_POLICE: _l("Municipal police"),
    InstitutionKind.STATE_POLICE: _l("State Police"),
    InstitutionKind.EDUCATION_BOARD: _l("Education board"),
    InstitutionKind.SCHOOL: _l("School"),
    InstitutionKind.PRESCHOOL: _l("Preschool"),
    InstitutionKind.HEALTH_CARE: _l("Health care (family doctor)"),
    InstitutionKind.PROBATION: _l("State Probation Service"),
    InstitutionKind.NGO: _l("NGO"),
    InstitutionKind.OTHER: _l("Other"),
}

_KIND_VALUES = ", ".join(f"'{k.value}'" for k in InstitutionKind)


class Municipality(db.Model):
    """A Latvian municipality (pašvaldība), identified by its ATVK code."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    atvk_code: Mapped[str] = mapped_column(String(7), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    institutions: Mapped[list[Institution]] = relationship(
        back_populates="municipality", order_by="Institution.name"
    )

    def __repr__(self) -> str:
        return f"<Municipality {self.atvk_code} {self.name!r}>"


class Institution(db.Model):
    """An institution (iestāde) of a municipality; deactivated, never deleted."""

    __tablename__ = "institution"
    __table_args__ = (
        UniqueConstraint("municipality_id", "name"),
        CheckConstraint(f"kind IN ({_KIND_VALUES})", name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    municipality: Mapped[Municipality] = relationship(back_populates="institutions")

    @property
    def kind_label(self) -> str:
        """The kind in the user's language."""
        return str(INSTITUTION_KIND_LABELS[InstitutionKind(self.kind)])

    def __repr__(self) -> str:
        return f"<Institution {self.id} {self.kind} {self.name!r}>"
