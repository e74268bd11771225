"""Every change to users: login, lockout, passwords and administration.

Operations check, change, flush and record an audit event; the request commits.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from casework.audit.operations import record
from casework.auth.models import MUNICIPAL_ROLES, Role, User
from casework.auth.sessions import end_all_sessions
from casework.db_types import utcnow
from casework.extensions import db

#: A plausible e-mail address (the admin form and the command line check the same).
EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s]+"


class LoginRefused(Exception):
    """A login attempt that did not succeed; ``reason`` says why (for the message)."""

    # A wrong password, an unknown address and a locked account get the same message (and take
    # as long): the answer must not tell which addresses have accounts, or which are locked.
    MESSAGES = {
        "invalid": _l("Incorrect e-mail or password."),
        "inactive": _l("This account has been deactivated. Contact your administrator."),
    }
    LOCKOUT_RULE = _l("After %(n)s failed attempts in a row the account is locked for "
                      "%(minutes)s minutes; the administrator can unlock it sooner.")

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        """The reason in the user's language."""
        if self.reason == "inactive":
            return str(self.MESSAGES["inactive"])
        return f"{self.MESSAGES['invalid']} {lockout_rule()}"


def lockout_rule() -> str:
    """The lockout rule in the user's language."""
    config = current_app.config
    return str(LoginRefused.LOCKOUT_RULE) % {"n": config["LOCKOUT_THRESHOLD"],
                                             "minutes": config["LOCKOUT_MINUTES"]}


class OperationRefused(Exception):
    """A change the service layer does not allow; ``message`` is shown to the user, next to
    the input named ``field`` when the refusal is about one."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class WrongCurrentPassword(OperationRefused):
    """A password change with a wrong (or, while locked, any) current password: it counts as a
    failed login; ``locked`` says that the account is now locked and its sessions ended."""

    def __init__(self, message, *, locked: bool):
        super().__init__(message)
        self.locked = locked


_dummy_hash: str | None = None


def _equalise_timing(password: str) -> None:
    # Checking a password against a throw-away hash makes "no such user" take as long as a
    # wrong password, so response times do not reveal which e-mail addresses exist.
    global _dummy_hash
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if _dummy_hash is None or not _dummy_hash.startswith(method.split(":")[0]):
        _dummy_hash = generate_password_hash(secrets.token_hex(8), method=method)
    check_password_hash(_dummy_hash, password)


def find_user_by_email(email: str) -> User | None:
    """The user with this e-mail address (case-insensitive), or None."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def normalise_email(email: str) -> str:
    """E-mail addresses are stored and compared lower-case and trimmed."""
    return email.strip().lower()


def attempt_login(email: str, password: str) -> User:
    """Return the user when the credentials are right; else record why and raise LoginRefused.

    Five wrong passwords in a row lock the account for 15 minutes (configurable). The login is
    not complete yet: the caller calls `finish_login` once any second factor is checked too,
    so the count of failed attempts is not reset by a known password alone (no unlimited code
    guesses).
    """
    user = find_user_by_email(email)
    now = utcnow()
    if user is None:
        _equalise_timing(password)
        record("login_failed", details={"email": normalise_email(email)[:254],
                                        "reason": "unknown_user"})
        raise LoginRefused("invalid")
    if user.is_locked(now):
        user.check_password(password)  # the same work as for any other address
        record("login_failed", user, user=user, details={"reason": "locked"})
        raise LoginRefused("invalid")
    if not user.check_password(password):
        _count_wrong_password(user, now, "wrong_password")
        raise LoginRefused("invalid")
    if not user.is_active:
        record("login_failed", user, user=user, details={"reason": "inactive"})
        raise LoginRefused("inactive")
    return user


def finish_login(user: User, kind: str) -> None:
    """The login is complete (``kind``: password, totp, recovery_code, sso): reset the failed
    attempts and audit it."""
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    record("login", user, user=user, details=None if kind == "password" else {"kind": kind})
    db.session.flush()


def _count_wrong_password(user: User, now, reason: str) -> bool:
    """Count a wrong password against the lockout; True when the account is now locked."""
    user.failed_login_count = (user.failed_login_count or 0) + 1
    record("login_failed", user, user=user,
           details={"reason": reason, "failed_count": user.failed_login_count})
    locked = user.failed_login_count >= current_app.config["LOCKOUT_THRESHOLD"]
    if locked:
        user.locked_until = now + timedelta(minutes=current_app.config["LOCKOUT_MINUTES"])
        user.failed_login_count = 0
        record("account_locked", user, user=user,
               details={"until": user.locked_until.isoformat()})
    db.session.flush()
    return locked


def record_logout(user: User) -> None:
    """Audit a logout."""
    record("logout", user, user=user)


def record_session_expired(user: User, reason: str = "idle") -> None:
    """Audit the end of a session after the idle timeout or at the end of its lifetime."""
    record("session_expired", user, user=user, details={"reason": reason})


def check_password_policy(password: str) -> None:
    """Raise OperationRefused when ``password`` is too weak."""
    min_length = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < min_length:
        raise OperationRefused(
            _l("The password must be at least %(n)s characters long.", n=min_length)
        )
    if password.isdigit() or password.isalpha():
        raise OperationRefused(_l("The password must contain letters and digits or symbols."))


def change_password(user: User, current: str, new: str) -> None:
    """Change the user's own password; every session of the user ends (the caller starts a
    new one for this browser).

    A wrong current password counts towards the lockout like a failed login: a stolen session
    must not allow unlimited guesses of the password.
    """
    now = utcnow()
    if user.is_locked(now):
        user.check_password(current)
        record("login_failed", user, user=user, details={"reason": "locked_password_change"})
        raise WrongCurrentPassword(lockout_rule(), locked=False)
    if not user.check_password(current):
        if _count_wrong_password(user, now, "wrong_current_password"):
            end_all_sessions(user, "locked")
            raise WrongCurrentPassword(lockout_rule(), locked=True)
        raise WrongCurrentPassword(_l("The current password is not correct."), locked=False)
    if new == current:
        raise OperationRefused(_l("The new password must differ from the current one."))
    check_password_policy(new)
    user.set_password(new)
    user.failed_login_count = 0
    end_all_sessions(user, "password_changed")
    record("password_changed", user, user=user)
    db.session.flush()


def generate_temporary_password() -> str:
    """A random password for a new user, valid until their first login."""
    return secrets.token_urlsafe(12)


def _check_roles(roles, institution) -> list[str]:
    roles = sorted({Role(r).value for r in roles})
    if not roles:
        raise OperationRefused(_l("Choose at least one role."))
    if Role.INSPECTOR.value in roles:
        raise OperationRefused(
            _l("Inspectors belong to the national authority and are not created here.")
        )
    if institution is None or not institution.active:
        raise OperationRefused(_l("Choose an active institution."))
    return roles


def create_user(admin: User, *, email: str, full_name: str, institution, roles) -> tuple:
    """Create a user of the admin's municipality with a temporary password.

    Returns ``(user, temporary_password)``; the password is shown to the admin once.
    """
    email = normalise_email(email)
    if institution is None or institution.municipality_id != admin.municipality_id:
        raise OperationRefused(_l("Choose an active institution."))
    roles = _check_roles(roles, institution)
    if find_user_by_email(email) is not None:
        raise OperationRefused(_l("A user with this e-mail address already exists."))
    password = generate_temporary_password()
    user = User(email=email, full_name=full_name.strip(), institution=institution)
    user.roles = roles
    user.set_password(password, temporary=True)
    db.session.add(user)
    db.session.flush()
    record("user_created", user, user=admin,
           details={"email": email, "roles": roles, "institution_id": institution.id})
    return user, password


def update_user(admin: User, user: User, *, full_name: str, institution, roles) -> None:
    """Change a user's name, institution and roles."""
    if institution is None or institution.municipality_id != admin.municipality_id:
        raise OperationRefused(_l("Choose an active institution."))
    roles = _check_roles(roles, institution)
    if user.id == admin.id and Role.ADMIN.value not in roles:
        raise OperationRefused(_l("You cannot remove your own administrator role."))
    before = {"roles": sorted(user.roles), "institution_id": user.institution_id}
    renamed = user.full_name != full_name.strip()
    user.full_name = full_name.strip()
    user.institution = institution
    user.roles = roles
    after = {"roles": roles, "institution_id": institution.id}
    if before != after or renamed:
        # A name is not kept in the audit log, only that it changed.
        record("user_updated", user, user=admin, details={
            "before": before, "after": after,
            "fields": [k for k in ("full_name",) if renamed] + sorted(
                k for k in after if before[k] != after[k])})
    db.session.flush()


def set_user_active(admin: User, user: User, active: bool) -> None:
    """Deactivate (ending every session) or reactivate a user; nobody is ever deleted."""
    if user.id == admin.id and not active:
        raise OperationRefused(_l("You cannot deactivate your own account."))
    if user.active == active:
        return
    user.active = active
    if not active:
        end_all_sessions(user, "deactivated")
    record("user_reactivated" if active else "user_deactivated", user, user=admin)
    db.session.flush()


def unlock_user(admin: User, user: User) -> None:
    """Lift a lockout after failed logins."""
    user.locked_until = None
    user.failed_login_count = 0
    record("user_unlocked", user, user=admin)
    db.session.flush()


def reset_password(admin: User, user: User) -> str:
    """Give the user a new temporary password, to be changed at the next login."""
    password = generate_temporary_password()
    user.set_password(password, temporary=True)
    end_all_sessions(user, "password_reset")
    record("user_password_reset", user, user=admin)
    db.session.flush()
    return password


def bootstrap_user(*, email: str, full_name: str, roles: list[str], atvk: str | None = None,
                   municipality_name: str | None = None,
                   institution_name: str | None = None) -> tuple[User, str]:
    """Create a user from the command line (the first admin, or an inspector).

    Raises ValueError with a message for the operator when the input is not usable.
    """
    import re

    from casework.orgs.models import Institution, InstitutionKind, Municipality

    email = normalise_email(email)
    if not re.fullmatch(EMAIL_PATTERN, email):
        raise ValueError("not a valid e-mail address")
    if find_user_by_email(email) is not None:
        raise ValueError("a user with this e-mail address already exists")
    if not full_name.strip():
        raise ValueError("the name is empty")
    institution = None
    if Role.INSPECTOR.value not in roles:
        if not atvk or not re.fullmatch(r"\d{7}", atvk):
            raise ValueError("the ATVK code must have 7 digits")
        muni = db.session.scalar(select(Municipality).where(Municipality.atvk_code == atvk))
        if muni is None:
            if not municipality_name:
                raise ValueError("a new municipality needs --municipality NAME")
            muni = Municipality(atvk_code=atvk, name=municipality_name.strip())
            db.session.add(muni)
            db.session.flush()
        institution = db.session.scalar(select(Institution).where(
            Institution.municipality_id == muni.id, Institution.name == institution_name))
        if institution is None:
            institution = Institution(municipality_id=muni.id, name=institution_name.strip(),
                                      kind=InstitutionKind.OTHER.value)
            db.session.add(institution)
            db.session.flush()
    password = generate_temporary_password()
    user = User(email=email, full_name=full_name.strip(), institution=institution)
    user.roles = roles
    user.set_password(password, temporary=True)
    db.session.add(user)
    db.session.flush()
    record("user_created", user, user=None,
           municipality_id=institution.municipality_id if institution else None,
           details={"email": email, "roles": roles, "by": "command_line"})
    return user, password


__all__ = [
    "MUNICIPAL_ROLES", "LoginRefused", "OperationRefused", "WrongCurrentPassword",
    "attempt_login", "change_password", "create_user", "find_user_by_email", "reset_password",
    "set_user_active", "unlock_user", "update_user",
]
