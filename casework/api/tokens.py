"""Creating, listing, revoking and checking personal API tokens; every change is audited.

The secret is shown once, at creation; the database keeps its SHA-256 hash (the secret is 32
random bytes, so a plain hash is enough: there is nothing to guess). Nothing here commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from casework.api.models import SCOPES, ApiToken
from casework.audit.operations import record
from casework.auth.operations import OperationRefused
from casework.db_types import utcnow
from casework.extensions import db

PREFIX = "cw_"
#: The lifetimes a user may choose, in days; a token never lives longer than a year.
LIFETIMES = (7, 30, 90, 365)
#: ``last_used_at`` is written at most this often (not one write per request).
TOUCH_EVERY = timedelta(minutes=1)


def hash_token(secret: str) -> str:
    """The stored form of a token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user, *, name: str, scope: str, days: int,
                 now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token of ``user``; returns the row and the secret (shown once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise OperationRefused(_l("Give the token a name."))
    if scope not in SCOPES:
        raise OperationRefused(_l("Choose the scope of the token."))
    if days not in LIFETIMES:
        raise OperationRefused(_l("Choose how long the token is valid."))
    now = now or utcnow()
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:100], prefix=secret[:10],
                     token_hash=hash_token(secret), scope=scope, created_at=now,
                     expires_at=now + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    record("api_token_created", token, user=user,
           details={"id": token.id, "kind": scope, "until": token.expires_at.date().isoformat()})
    return token, secret


def tokens_of(user):
    """The user's own tokens, newest first (revoked ones too: the list shows when)."""
    return (select(ApiToken).where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))


def get_own_token(user, token_id: int) -> ApiToken | None:
    """A token of ``user`` (someone else's is None: the page answers 404)."""
    return db.session.scalar(select(ApiToken).where(ApiToken.id == token_id,
                                                    ApiToken.user_id == user.id))


def revoke_token(user, token: ApiToken, now: datetime | None = None) -> bool:
    """Revoke one of the user's tokens; False when it was already revoked."""
    if token.user_id != user.id:
        raise OperationRefused(_l("This is not your token."))
    if token.revoked_at is not None:
        return False
    token.revoked_at = now or utcnow()
    record("api_token_revoked", token, user=user, details={"id": token.id})
    db.session.flush()
    return True


def revoke_all(user, now: datetime | None = None) -> int:
    """Revoke every usable token of ``user`` in one statement (a reset of their second factor:
    a lost or stolen phone is a lost account). Returns how many were revoked."""
    result = db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow()))
    return result.rowcount or 0


def authenticate(secret: str | None, now: datetime | None = None) -> ApiToken | None:
    """The usable token with this secret whose user is active, or None."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    now = now or utcnow()
    if token is None or not token.is_usable(now) or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
        db.session.commit()
    return token
