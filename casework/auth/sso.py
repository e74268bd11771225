"""Single sign-on with an OpenID Connect provider (Microsoft Entra ID or another), by Authlib.

On only when ``CASEWORK_SSO_ISSUER``, ``CASEWORK_SSO_CLIENT_ID`` and
``CASEWORK_SSO_CLIENT_SECRET`` are set. The provider says who the person is (its verified
``email`` claim); casework maps that to an existing, active user by e-mail, and the roles stay
in casework. Nobody is created by a login through the provider. Authlib checks the state and the
nonce and validates the ID token against the provider's published keys.
"""

from __future__ import annotations

import logging

from flask import current_app

from casework.audit.operations import record
from casework.auth.models import User
from casework.auth.operations import find_user_by_email, normalise_email

log = logging.getLogger("casework.auth.sso")

_CLIENT_NAME = "oidc"


class SsoRefused(Exception):
    """A login through the provider that is not accepted; ``reason`` is an audit code."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def configured() -> bool:
    """True when single sign-on is set up."""
    config = current_app.config
    return bool(config.get("SSO_ISSUER") and config.get("SSO_CLIENT_ID")
                and config.get("SSO_CLIENT_SECRET"))


def label() -> str:
    """The provider's name on the login button."""
    return current_app.config.get("SSO_LABEL") or "single sign-on"


def satisfies_two_factor() -> bool:
    """Whether a login through the provider counts as the second factor."""
    return bool(current_app.config.get("SSO_SATISFIES_TWO_FACTOR", True))


def client():
    """The Authlib client for the configured provider (built once per app and settings)."""
    app = current_app._get_current_object()
    config = app.config
    key = (config["SSO_ISSUER"], config["SSO_CLIENT_ID"], config["SSO_CLIENT_SECRET"])
    cached = app.extensions.get("casework_sso")
    if cached and cached[0] == key:
        return cached[1]
    from authlib.integrations.flask_client import OAuth  # only when SSO is used

    oauth = OAuth()
    oauth.app = app  # not init_app: the registry is ours, kept in app.extensions below
    remote = oauth.register(
        _CLIENT_NAME,
        client_id=key[1],
        client_secret=key[2],
        server_metadata_url=f"{key[0]}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email", "code_challenge_method": "S256",
                       "timeout": 10},
    )
    app.extensions["casework_sso"] = (key, remote)
    return remote


def start(redirect_uri: str):
    """The redirect to the provider's login page."""
    return client().authorize_redirect(redirect_uri)


def finish() -> User:
    """Complete the login after the provider redirected back; returns the casework user.

    Raises SsoRefused (after recording it) when the answer is not valid or names nobody who
    may log in.
    """
    remote = client()
    try:
        token = remote.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims.get("email"):
            # Providers may put the e-mail only in the userinfo answer, not the ID token.
            extra = dict(remote.userinfo(token=token))
            if claims.get("sub") and extra.get("sub") != claims["sub"]:
                raise ValueError("userinfo is about another subject")
            claims.update(extra)
    except Exception as error:  # the provider's answer, whatever is wrong with it, is refused
        log.warning("Single sign-on failed: %s", error)
        record("login_failed", details={"reason": "sso_failed"})
        raise SsoRefused("sso_failed") from error
    config = current_app.config
    claim, tenant = config.get("SSO_EMAIL_CLAIM") or "email", config.get("SSO_TENANT")
    if tenant and claims.get("tid") != tenant:
        record("login_failed", details={"reason": "sso_wrong_tenant"})
        raise SsoRefused("sso_wrong_tenant")
    email = claims.get(claim)
    if not isinstance(email, str) or not email.strip():
        record("login_failed", details={"reason": "sso_no_email"})
        raise SsoRefused("sso_no_email")
    email = normalise_email(email)[:254]
    # The address is trusted only when the provider says it verified it, or when it is a
    # claim of the configured tenant's own directory (Entra ID's user principal name): an
    # e-mail attribute anyone can set must not log in as a casework user ("nOAuth").
    trusted = claims.get("email_verified") is True if claim == "email" else bool(tenant)
    if not trusted:
        record("login_failed", details={"reason": "sso_email_unverified", "email": email})
        raise SsoRefused("sso_email_unverified")
    user = find_user_by_email(email)
    if user is None:
        record("login_failed", details={"reason": "sso_unknown_user", "email": email})
        raise SsoRefused("sso_unknown_user")
    if not user.is_active:
        record("login_failed", user, user=user, details={"reason": "sso_inactive"})
        raise SsoRefused("sso_inactive")
    if user.is_locked():
        record("login_failed", user, user=user, details={"reason": "locked"})
        raise SsoRefused("locked")
    return user
