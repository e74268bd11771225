"""Two-factor login: TOTP authenticators, recovery codes and the administrator's reset.

The TOTP secret is stored encrypted (Fernet; the key from ``CASEWORK_TWO_FACTOR_KEY``, else
derived from the secret key with HKDF) and is shown only while enrolling. A code is accepted one
time step either side of now, and never twice: the last time step used is kept on the user.
Recovery codes are single-use, shown once, and only their keyed hashes are stored.

A wrong code at login counts against the same lockout as a wrong password
(``operations._count_wrong_password``). Operations flush and audit; the request commits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from casework.audit.operations import record
from casework.auth.models import RecoveryCode, User
from casework.auth.operations import OperationRefused, _count_wrong_password, lockout_rule
from casework.auth.sessions import end_all_sessions
from casework.db_types import utcnow
from casework.extensions import db

#: Codes accepted this many time steps (30 s) before and after now: clocks drift a little.
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
#: Recovery codes: 12 characters in three groups, from an alphabet without 0/o and 1/l.
_RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
_TOTP_RE = re.compile(r"[0-9]{6}")
_RECOVERY_RE = re.compile(rf"[{_RECOVERY_ALPHABET}]{{12}}")


class CodeRefused(OperationRefused):
    """A second-factor code that was not accepted; ``locked`` says the account is now locked."""

    def __init__(self, message, *, locked: bool = False):
        super().__init__(message)
        self.locked = locked


WRONG_CODE = _l("The code is not correct, or it has already been used. Enter the current "
                "code from your authenticator app, or one of your recovery codes.")


# -- settings --------------------------------------------------------------------------------
#: What the audit log records of a user's own second factor (their account, not their work).
ACCOUNT_ACTIONS = ("two_factor_enrolment_started", "two_factor_enrolled",
                   "two_factor_code_failed", "two_factor_disabled", "two_factor_reset",
                   "recovery_code_used", "recovery_codes_regenerated")


def required_for(user: User) -> bool:
    """True when one of the user's roles must log in with a second factor."""
    return user.has_role(*current_app.config.get("TWO_FACTOR_REQUIRED_ROLES", ()))


def needs_enrolment(user: User) -> bool:
    """True when the user's roles require a second factor that this session lacks (a login
    through the single sign-on provider counts, when so configured)."""
    if user.has_second_factor or not required_for(user):
        return False
    from casework.auth import sso

    return not (session.get("_sso") and sso.satisfies_two_factor())


def _key_material() -> bytes:
    config = current_app.config
    return (config.get("TWO_FACTOR_KEY") or config["SECRET_KEY"]).encode()


def _derive(info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"casework-two-factor",
                info=info).derive(_key_material())


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"totp-secret")))


def encrypt_secret(secret: str) -> str:
    """The TOTP secret as stored."""
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(stored: str) -> str | None:
    """The TOTP secret, or None when it cannot be decrypted (the key has changed)."""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def _hash_recovery(code: str) -> str:
    return hmac.new(_derive(b"recovery-code"), code.encode(), hashlib.sha256).hexdigest()


def normalise_code(code: str | None) -> str:
    """What the user typed, without spaces and hyphens, lower-case, at most 64 characters."""
    return re.sub(r"[\s\-]", "", (code or "")[:64]).lower()


# -- enrolment -------------------------------------------------------------------------------
def start_enrolment(user: User) -> str:
    """The secret to enrol (a new one, or the one shown before and not yet confirmed)."""
    if user.has_second_factor:
        raise OperationRefused(_l("Two-factor login is already set up."))
    if user.totp_secret_encrypted:
        secret = decrypt_secret(user.totp_secret_encrypted)
        if secret:
            return secret
    secret = pyotp.random_base32()
    user.totp_secret_encrypted = encrypt_secret(secret)
    user.totp_confirmed_at = None
    user.totp_last_step = None
    record("two_factor_enrolment_started", user, user=user)
    db.session.flush()
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` address the authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config.get("TWO_FACTOR_ISSUER", "casework"))


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as inline SVG (no image file, nothing leaves the server)."""
    return segno.make(uri, error="m").svg_inline(scale=4)


def _matching_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to (within the window, after ``last_step``), or None."""
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(time.time())
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue  # a code already used (or an older one) never counts again
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Confirm the new authenticator with a code from it; returns the recovery codes (shown
    once)."""
    code = normalise_code(code)
    secret = decrypt_secret(user.totp_secret_encrypted) if user.totp_secret_encrypted else None
    if user.has_second_factor or secret is None:
        raise OperationRefused(_l("Start the set-up again."))
    step = _matching_step(secret, code, None) if _TOTP_RE.fullmatch(code) else None
    if step is None:
        record("two_factor_code_failed", user, user=user, details={"reason": "enrolment"})
        db.session.flush()
        raise CodeRefused(_l("The code is not correct. Enter the 6 digits the app shows now."))
    user.totp_confirmed_at = utcnow()
    user.totp_last_step = step
    record("two_factor_enrolled", user, user=user)
    return _new_recovery_codes(user)


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        code = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
        codes.append(f"{code[:4]}-{code[4:8]}-{code[8:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(code)))
    db.session.flush()
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    if not user.has_second_factor:
        raise OperationRefused(_l("Two-factor login is not set up."))
    codes = _new_recovery_codes(user)
    record("recovery_codes_regenerated", user, user=user)
    return codes


def unused_recovery_codes(user: User) -> int:
    """How many recovery codes the user has left."""
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def _clear(user: User) -> None:
    user.totp_secret_encrypted = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(user: User) -> None:
    """Turn off one's own second factor; only where the user's roles do not require it."""
    if required_for(user):
        raise OperationRefused(_l("Your role requires two-factor login; it cannot be turned "
                                  "off."))
    if user.totp_secret_encrypted is None:
        return
    _clear(user)
    record("two_factor_disabled", user, user=user)
    db.session.flush()


def reset(admin: User | None, user: User) -> None:
    """The administrator's reset (a lost phone): the factor and the recovery codes are removed
    and every session and API token of the user ends; the user enrols again at the next login.

    ``admin`` is None from the command line. An administrator resets only users of their own
    municipality (the page loads the user scoped to it; this checks again).
    """
    if admin is not None and (admin.municipality_id is None
                              or admin.municipality_id != user.municipality_id):
        raise OperationRefused(_l("You may only reset users of your own municipality."))
    from casework.api.tokens import revoke_all

    _clear(user)
    end_all_sessions(user, "second_factor_reset")
    revoked = revoke_all(user)  # the API tokens were made with the factor being reset
    details = {"by": "command_line"} if admin is None else {}
    if revoked:
        details["count"] = revoked  # API tokens revoked
    record("two_factor_reset", user, user=admin,
           municipality_id=user.municipality_id, details=details or None)
    db.session.flush()


# -- login -----------------------------------------------------------------------------------
def verify_login_code(user: User, code: str) -> str:
    """Check the code entered after the password; returns ``"totp"`` or ``"recovery_code"``.

    A wrong code counts towards the lockout; a locked account accepts no code.
    """
    now = utcnow()
    if user.is_locked(now):
        record("login_failed", user, user=user, details={"reason": "locked"})
        raise CodeRefused(lockout_rule(), locked=True)
    code = normalise_code(code)
    secret = decrypt_secret(user.totp_secret_encrypted) if user.has_second_factor else None
    if secret is not None and _TOTP_RE.fullmatch(code):
        step = _matching_step(secret, code, user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            db.session.flush()
            return "totp"
    elif _RECOVERY_RE.fullmatch(code):
        row = db.session.scalar(select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None),
            RecoveryCode.code_hash == _hash_recovery(code)))
        if row is not None:
            row.used_at = now
            record("recovery_code_used", user, user=user,
                   details={"count": unused_recovery_codes(user)})
            db.session.flush()
            return "recovery_code"
    locked = _count_wrong_password(user, now, "wrong_second_factor")
    if locked:
        raise CodeRefused(lockout_rule(), locked=True)
    raise CodeRefused(f"{WRONG_CODE} {lockout_rule()}")
