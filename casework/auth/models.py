"""User and the roles a user holds (DESIGN.md §2)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from casework.db_types import BigIntPK, UTCDateTime, utcnow
from casework.extensions import db
from casework.orgs.models import Institution


class Role(StrEnum):
    """The roles of DESIGN.md §2; a user may hold several."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    HEAD_OF_SERVICE = "head_of_service"
    CASE_MANAGER = "case_manager"
    SPECIALIST = "specialist"
    INSPECTOR = "inspector"
    AUDITOR = "auditor"


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.HEAD_OF_SERVICE: _l("Head of the social service"),
    Role.CASE_MANAGER: _l("Case manager"),
    Role.SPECIALIST: _l("Specialist"),
    Role.INSPECTOR: _l("Inspector"),
    Role.AUDITOR: _l("Data protection officer"),
}

#: Roles that belong to a municipality's institution; inspectors work for the national authority.
MUNICIPAL_ROLES = tuple(r for r in Role if r is not Role.INSPECTOR)
#: The municipal roles that take part in the cooperation work: they file referrals, are given
#: tasks and see meetings. The data protection officer (``auditor``) only oversees the work
#: through the audit log (DESIGN.md §2); the national inspector sees reports only.
WORKING_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.HEAD_OF_SERVICE,
                           Role.CASE_MANAGER, Role.SPECIALIST})
#: Roles whose work the API serves (cases, groups, tasks, reports, the inspector's overview);
#: it offers nothing to the data protection officer.
API_ROLES = WORKING_ROLES | {Role.INSPECTOR}

_ROLE_VALUES = ", ".join(f"'{r.value}'" for r in Role)


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_role"
    __table_args__ = (CheckConstraint(f"role IN ({_ROLE_VALUES})", name="role_valid"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role}>"


class User(UserMixin, db.Model):
    """A person who logs in. Deactivated, never deleted."""

    __tablename__ = "user"
    # The audit log sorted by user: by the name shown, then the person.
    __table_args__ = (Index("ix_user_full_name_id", "full_name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Inspectors of the national authority belong to no municipal institution.
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locale: Mapped[str | None] = mapped_column(String(5))
    # E-mail for notifications: "immediate" (one per notification) or "digest" (once a day).
    notify_by: Mapped[str] = mapped_column(String(10), default="immediate",
                                           server_default="immediate")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Two-factor login (casework/auth/twofactor.py): the TOTP secret, encrypted with Fernet
    # (never stored in plaintext); confirmed once the user has entered a code from it; the
    # last time step used, so that a code cannot be used twice.
    totp_secret_encrypted: Mapped[str | None] = mapped_column(String(255))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    institution: Mapped[Institution | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", order_by=UserRole.role, lazy="selectin"
    )

    # -- roles -----------------------------------------------------------------------------
    @property
    def roles(self) -> set[str]:
        """The role names this user holds."""
        return {r.role for r in self.role_rows}

    @roles.setter
    def roles(self, values) -> None:
        wanted = {Role(v).value for v in values}
        self.role_rows = [r for r in self.role_rows if r.role in wanted] + [
            UserRole(role=v) for v in sorted(wanted - self.roles)
        ]

    def has_role(self, *roles: str) -> bool:
        """True when the user holds any of ``roles``."""
        return bool(self.roles.intersection(roles))

    @property
    def municipality_id(self) -> int | None:
        """The municipality all of this user's data is scoped to (none for inspectors)."""
        return self.institution.municipality_id if self.institution else None

    # -- Flask-Login -----------------------------------------------------------------------
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return bool(self.active)

    # The key of the server-side session being started or used (not a column): Flask-Login
    # keeps what ``get_id`` returns in the cookie, so the cookie names a ``UserSession``.
    session_key = None

    def get_id(self) -> str:
        """The key of this request's server-side session (see casework/auth/sessions.py)."""
        if not self.session_key:
            raise RuntimeError("log in through casework.auth.sessions.start_session")
        return self.session_key

    # -- passwords -------------------------------------------------------------------------
    def set_password(self, password: str, *, temporary: bool = False) -> None:
        """Store a hash of ``password``; a temporary one must be changed at next login."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.must_change_password = temporary
        self.password_changed_at = utcnow()

    def check_password(self, password: str) -> bool:
        """True when ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    # -- second factor ---------------------------------------------------------------------
    @property
    def has_second_factor(self) -> bool:
        """True when the user has a confirmed TOTP authenticator."""
        return self.totp_secret_encrypted is not None and self.totp_confirmed_at is not None

    # -- lockout ---------------------------------------------------------------------------
    def is_locked(self, now: datetime | None = None) -> bool:
        """True while a lockout after too many failed logins is in force."""
        now = now or utcnow()
        return self.locked_until is not None and self.locked_until > now

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


#: Why a server-side session ended.
SESSION_END_REASONS = ("logout", "idle", "lifetime", "password_changed", "password_reset",
                       "deactivated", "locked", "second_factor_reset")
_END_VALUES = ", ".join(f"'{r}'" for r in SESSION_END_REASONS)


class UserSession(db.Model):
    """One login: the cookie holds a random key whose hash is here, so the server decides
    whether the session still counts (logout, password change, timeouts end it)."""

    __tablename__ = "user_session"
    __table_args__ = (CheckConstraint(f"ended_reason IN ({_END_VALUES})",
                                      name="ended_reason_valid"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_reason: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id} ended={self.ended_reason}>"


class KeptForm(db.Model):
    """A form posted after its session had ended, kept briefly so that the same user can save
    it after logging in again. Holds what was typed: never logged, deleted once used."""

    __tablename__ = "kept_form"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # Where the form was posted to, and the page it was on (both local paths).
    action: Mapped[str] = mapped_column(String(2000))
    back: Mapped[str | None] = mapped_column(String(2000))
    # JSON list of [name, value] pairs, in the order the browser sent them.
    fields: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<KeptForm {self.id} user={self.user_id} {self.action}>"


class RecoveryCode(db.Model):
    """One single-use recovery code of the second factor: only its hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} user={self.user_id} used={self.used_at is not None}>"
