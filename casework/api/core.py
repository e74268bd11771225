"""The API's frame: the blueprint, token authentication, JSON errors, the one commit per
request, optimistic locking by ``If-Match``/``version`` and cursor pagination.

Every endpoint is declared with ``@endpoint(...)``: the declaration both registers the route
and describes it for the OpenAPI document (``casework.api.spec``), so the spec cannot drift from
the routes. A view returns ``(data, schema)``: the data is dumped with that marshmallow schema.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from marshmallow import EXCLUDE, Schema, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import BadRequest, HTTPException

from casework.auth.operations import OperationRefused
from casework.cases.operations import AccessRefused
from casework.concurrency import Stale, use_token, used_token
from casework.extensions import db

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)

#: Paths anyone may read: the description of the API, not its data.
PUBLIC_ENDPOINTS = {"api.openapi", "api.docs"}
DEFAULT_LIMIT = 25
MAX_LIMIT = 100

TITLES = {
    400: _l("The request could not be processed"),
    401: _l("Please log in"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Changed by someone else"),
    413: _l("What you sent is too large"),
    422: _l("The change is not allowed now"),
    429: _l("Too many attempts"),
}
NO_TOKEN = _l("Send a valid personal API token: Authorization: Bearer <token>.")
READ_ONLY = _l("This token may only read. Create a token with the write scope.")
CHANGE_PASSWORD = _l("Please choose a new password in the browser before you use the API.")
ENROL_FIRST = _l("Your role requires two-factor login: set it up in the browser before you use "
                 "the API.")
BAD_JSON = _l("The body must be a JSON object.")
STALE = _l("Someone else changed this since the version you sent. Read it again and send "
           "your change with the current version (If-Match or \"version\").")
ALREADY_CREATED = _l("A request with this Idempotency-Key has already created something; "
                     "nothing was stored twice.")
BAD_KEY = _l("The Idempotency-Key is 1–64 letters, digits or the characters _ . : -")
#: The key a client may send with a creation, so that sending it again stores nothing twice.
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
BAD_CURSOR = _l("The cursor is not valid. Start again from the first page.")


@dataclass
class Operation:
    """One documented endpoint (read by ``casework.api.spec``)."""

    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    scope: str
    response: type[Schema] | Schema | None
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    status: int = 200
    paginated: bool = False
    errors: tuple[int, ...] = ()
    etag: bool = False
    path_params: dict[str, str] = field(default_factory=dict)


OPERATIONS: list[Operation] = []


def error(status: int, message=None, *, fields=None, code: str | None = None, **extra):
    """The JSON error body of every refusal: ``{"error": {status, title, message, ...}}``."""
    from casework.errors import MESSAGES

    body = {"status": status, "title": str(TITLES.get(status, TITLES[400])),
            "message": str(message or MESSAGES.get(status, TITLES.get(status, "")))}
    if fields:
        body["fields"] = fields
    if code:
        body["code"] = code
    body.update(extra)
    response = jsonify({"error": body})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="casework"'
    return response


# -- authentication ---------------------------------------------------------------------------
def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def authenticate_request():
    """Runs first of all hooks for /api/: the token, never the browser's cookie, says who this
    is. The rate limiter (keyed by token) runs after this; a refusal is answered by the view
    wrapper, so that failed attempts are rate-limited too."""
    if not request.path.startswith(PREFIX + "/") and request.path != PREFIX:
        return None
    from flask_login import AnonymousUserMixin

    from casework.api.tokens import authenticate
    from casework.auth import twofactor

    g.api_token = token = authenticate(_bearer())
    g.api_refusal = None
    if token is None:
        g._login_user = AnonymousUserMixin()
        g.api_refusal = (401, NO_TOKEN)
    elif token.user.must_change_password:
        g._login_user = AnonymousUserMixin()
        g.api_refusal = (403, CHANGE_PASSWORD)
    elif twofactor.required_for(token.user) and not token.user.has_second_factor:
        # A token made before the role required a second factor does not skip enrolment.
        g._login_user = AnonymousUserMixin()
        g.api_refusal = (403, ENROL_FIRST)
    else:
        g._login_user = token.user
    return None


def rate_limit_key() -> str:
    """Per token; requests without a usable token share their address's bucket."""
    token = g.get("api_token")
    return f"api-token:{token.id}" if token is not None else f"api-ip:{get_remote_address()}"


def rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "300 per minute")


# -- input ------------------------------------------------------------------------------------
def load_body(schema_cls: type[Schema]) -> dict:
    """The JSON body validated by ``schema_cls`` (400 with the fields on error)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest(str(BAD_JSON))
    return schema_cls().load(data)


def load_query(schema_cls: type[Schema]) -> dict:
    """The query string validated by ``schema_cls`` (unknown parameters ignored)."""
    return schema_cls(unknown=EXCLUDE).load(request.args)


def expected_version(body: dict | None = None):
    """The version the client's change is made from: ``If-Match`` or the body's ``version``.

    An API change always names one (a missing one is refused like a stale one, 409), so a
    client cannot overwrite a change it has not seen.
    """
    header = request.headers.get("If-Match", "").strip()
    if header.startswith("W/"):
        header = header[2:]
    header = header.strip('"')
    if header:
        return header
    if body and body.get("version") is not None:
        return str(body["version"])
    return ""


# -- cursor pagination ------------------------------------------------------------------------
def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, _sep, value = raw.partition(":")
        last = int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest(str(BAD_CURSOR)) from None
    if version != "v1" or not 0 < last < 2**63:
        raise BadRequest(str(BAD_CURSOR))
    return last


def page_of(stmt, id_column, args: dict) -> dict:
    """One page of the scoped select ``stmt``, newest id first: ``{items, next_cursor}``.

    A cursor is the last id of the previous page, so a page stays correct while rows are added.
    """
    limit = args.get("limit") or DEFAULT_LIMIT
    after = decode_cursor(args.get("cursor"))
    stmt = stmt.order_by(None).order_by(id_column.desc())
    if after is not None:
        stmt = stmt.where(id_column < after)
    rows = db.session.scalars(stmt.limit(limit + 1)).unique().all()
    items, more = rows[:limit], len(rows) > limit
    return {"items": items, "next_cursor": encode_cursor(items[-1].id) if more else None}


# -- the endpoint declaration -----------------------------------------------------------------
def endpoint(rule: str, method: str = "GET", *, summary: str, tag: str,
             response=None, body: type[Schema] | None = None,
             query: type[Schema] | None = None, status: int = 200,
             paginated: bool = False, errors: tuple[int, ...] = (404,), etag: bool = False):
    """Register ``rule`` on the API blueprint and describe it for the spec.

    The wrapper refuses a missing token (401) and a read-only token on a change (403), turns
    the service layer's refusals into JSON (403, 409, 422), dumps the result with its schema and
    commits once.
    """
    scope = "read" if method == "GET" else "write"

    def decorator(view: Callable):
        name = view.__name__
        params = {part[1:-1].split(":")[-1]: part for part in rule.split("/")
                  if part.startswith("<")}
        OPERATIONS.append(Operation(rule=rule, method=method, endpoint=f"api.{name}",
                                    summary=summary, tag=tag, scope=scope, response=response,
                                    body=body, query=query, status=status,
                                    paginated=paginated, errors=errors, etag=etag,
                                    path_params=params))

        @wraps(view)
        def wrapped(**kwargs):
            refusal = g.get("api_refusal")
            if refusal is not None:
                return error(*refusal)
            if scope == "write" and g.api_token.scope != "write":
                return error(403, READ_ONLY)
            once = _idempotency_token() if status == 201 else None
            if isinstance(once, tuple):
                return error(*once[:2], **once[2])
            try:
                result = view(**kwargs)
                if once is not None:
                    created = getattr(result[0], "id", None)
                    use_token(once, g.api_token.user, f"{request.path}#{created}")
                out = _respond(result, status)
                db.session.commit()
            except IntegrityError:
                # The same key sent twice at the same moment: the second insert of the key fails.
                db.session.rollback()
                if once is None:
                    raise
                return error(409, ALREADY_CREATED)
            except HTTPException:
                db.session.rollback()
                raise
            except ValidationError as invalid:
                db.session.rollback()
                return error(400, fields=invalid.messages_dict if hasattr(
                    invalid, "messages_dict") else invalid.messages)
            except (Stale, StaleDataError):
                db.session.rollback()
                return error(409, STALE, version=_current_version(view, kwargs))
            except AccessRefused as refused:
                db.session.rollback()
                return error(403, refused.message)
            except OperationRefused as refused:
                db.session.rollback()
                return error(422, refused.message, code=getattr(refused, "code", None))
            return out

        bp.add_url_rule(rule, endpoint=name, view_func=wrapped, methods=[method])
        return wrapped

    return decorator


def _idempotency_token():
    """The one-time token of this creation (``casework.concurrency``), None without a key, or
    the refusal ``(status, message, extra)`` of a bad or already used key."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not IDEMPOTENCY_KEY.fullmatch(key):
        return (400, BAD_KEY, {})
    user = g.api_token.user
    token = "api:" + hashlib.sha256(f"{user.id}:{key}".encode()).hexdigest()[:56]
    row = used_token(token, user)
    if row is not None:
        return (409, ALREADY_CREATED, {"created": row.url})
    return token


#: How each view finds its object again after a 409: ``{view name: loader(**kwargs)}``.
RELOADERS: dict[str, Callable] = {}


def reloads(loader: Callable):
    """Name the loader of the object a view changes (for the current version after a 409)."""

    def decorator(view):
        RELOADERS[view.__name__] = loader
        return view

    return decorator


def _current_version(view, kwargs):
    loader = RELOADERS.get(view.__name__)
    if loader is None:
        return None
    try:
        return getattr(loader(**kwargs), "version", None)
    except HTTPException:
        return None


def _respond(result, status: int):
    if result is None:
        return "", 204
    data, schema = result[0], result[1]
    headers = result[2] if len(result) > 2 else {}
    response = jsonify(schema.dump(data) if schema is not None else data)
    response.status_code = status
    for name, value in headers.items():
        response.headers[name] = value
    return response


def etag(obj) -> dict:
    """The ``ETag`` header of a versioned object (its version, sent back as ``If-Match``)."""
    version = getattr(obj, "version", None)
    return {"ETag": f'"{version}"'} if version is not None else {}
