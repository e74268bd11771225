"""schemathesis against the OpenAPI document, through WSGI, with a valid token per role: no
answer is a server error and every answer matches its documented schema (status, content type,
body). Bounded examples keep the run short; the path ids are the world's real objects half of
the time (so the answers are not all 404) and generated the other half."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import ROLES, bearer

MAX_EXAMPLES = 3
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
_PARAM = re.compile(r"{(\w+)}")


def _world_ids(world: dict, path: str) -> dict:
    ids = world["ids"]
    wanted = _PARAM.findall(path)
    return {name: ids[name] for name in wanted if name in ids}


@pytest.fixture(scope="module")
def api_schema(app, api_world):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.mark.parametrize("role", ROLES)
def test_no_server_error_and_every_answer_matches_the_spec(app, api_world, api_schema, role,
                                                          monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "100000 per minute")
    home = api_world["home"]
    headers = bearer(home["tokens"][role])
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        real = _world_ids(home, operation.path)
        strategy = operation.as_strategy()
        if real:
            strategy = st.one_of(strategy, operation.as_strategy(path_parameters=real))

        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
