"""The JSON API at /api/v1 (issue 15): personal tokens, the same scoped queries and operations
as the pages, JSON errors, optimistic locking, cursor pagination and an OpenAPI 3.1 document.

``core`` is the frame, ``cases``/``groups``/``work``/``reports`` the endpoints, ``spec`` the
OpenAPI document and its page, ``tokens`` and ``account`` the tokens and their page.
"""

from __future__ import annotations


def init_app(app) -> None:
    """Register the API blueprint (CSRF-exempt, rate-limited per token) and the token page."""
    from casework.api import account, cases, core, groups, reports, spec, work  # noqa: F401
    from casework.extensions import csrf, limiter

    # Token authentication runs before every other hook: the session and password-change
    # checks then see the token's user, and the rate limiter can key on the token.
    app.before_request_funcs.setdefault(None, []).insert(0, core.authenticate_request)
    csrf.exempt(core.bp)
    limiter.limit(core.rate_limit, key_func=core.rate_limit_key)(core.bp)
    app.register_blueprint(core.bp)
    app.register_blueprint(account.bp)
