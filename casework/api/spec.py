"""The OpenAPI 3.1 document, generated with apispec from the endpoint declarations and their
marshmallow schemas (``casework.api.core.OPERATIONS``), and its page on our own origin."""

from __future__ import annotations

import re
from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import jsonify, render_template

from casework.api import core
from casework.api.core import OPERATIONS, PREFIX, bp
from casework.api.schemas import Error

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
ERROR_DESCRIPTIONS = {
    400: "The request is malformed or a field is not valid (`error.fields`).",
    401: "No valid personal API token.",
    403: "Your role (or the token's read scope) does not allow this.",
    404: "Not found, or you may not see it.",
    405: "Method not allowed.",
    409: "Changed by someone else since the version you sent (`error.version` is current).",
    413: "The body is too large.",
    422: "The rules do not allow this change now (`error.message` says why).",
    429: "Too many requests with this token: wait and try again.",
}


def _path(rule: str) -> str:
    return _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule)


def _parameters(op: core.Operation) -> list[dict]:
    params = []
    for name, part in op.path_params.items():
        converter = _PARAM.match(part).group(1)
        schema = ({"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
                  if converter == "int" else {"type": "string", "pattern": "^[0-9A-Za-z]{1,20}$"})
        if name == "year":
            schema = {"type": "integer", "minimum": 1900, "maximum": 2100}
        params.append({"in": "path", "name": name, "required": True, "schema": schema})
    if op.query is not None:
        params.append({"in": "query", "schema": op.query})
    return params


def _operation(op: core.Operation) -> dict:
    success: dict = {"description": "OK" if op.status == 200 else "Created"}
    if op.response is not None:
        success["content"] = {"application/json": {"schema": op.response}}
    if op.etag:
        success["headers"] = {"ETag": {"description": "The version; send it as If-Match",
                                       "schema": {"type": "string"}}}
    responses = {str(op.status): success}
    extra = {403} if op.scope == "write" else set()
    if op.status == 201:
        extra |= {400, 409}
    for code in sorted({401, 429, *op.errors, *extra}):
        responses[str(code)] = {"description": ERROR_DESCRIPTIONS[code],
                                "content": {"application/json": {"schema": "Error"}}}
    operation = {"summary": op.summary, "tags": [op.tag], "operationId": op.endpoint[4:],
                 "parameters": _parameters(op), "responses": responses,
                 "security": [{"token": [op.scope]}]}
    if op.etag and op.method != "GET":
        operation["parameters"].append({
            "in": "header", "name": "If-Match", "required": False,
            "schema": {"type": "string", "pattern": '^"?[0-9]{1,10}"?$'},
            "description": "The version the change is made from (or `version` in the body)."})
    if op.status == 201:
        operation["parameters"].append({
            "in": "header", "name": "Idempotency-Key", "required": False,
            "schema": {"type": "string", "pattern": r"^[A-Za-z0-9_.:\-]{1,64}$"},
            "description": "Send the same key again and nothing is stored twice (409 with "
                           "`error.created`)."})
    if op.body is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": op.body}}}
    return operation


@cache
def build_spec() -> dict:
    """The OpenAPI document (built once per process)."""
    # Import the endpoint modules: each declaration adds itself to OPERATIONS.
    from casework.api import cases, groups, reports, work  # noqa: F401

    spec = APISpec(
        title="casework API", version="1.0.0", openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": "The JSON API of casework. Every endpoint answers with what the "
                             "same user sees on the pages; anything else is 404. Lists are "
                             "paginated with a cursor (`next_cursor`, `?cursor=`)."},
        servers=[{"url": PREFIX}],
    )
    spec.components.security_scheme("token", {
        "type": "http", "scheme": "bearer",
        "description": "A personal API token (Account → API tokens); read or write scope."})
    spec.components.schema("Error", schema=Error)
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(_path(op.rule), {})[op.method.lower()] = _operation(op)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document (public: it describes the API, it holds no data)."""
    return jsonify(build_spec())


@bp.route("/docs")
def docs():
    """The API's description as a page, rendered here from the same document (no CDN)."""
    return render_template("api/docs.html", spec=build_spec())
