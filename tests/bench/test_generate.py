"""The benchmark's generator makes valid data: loaded into the migrated test database (a few
hundred cases), the app logs its users in and renders their pages from it. PostgreSQL only: the
generator streams with COPY."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bench.generate import BENCH_PASSWORD, generate
from casework.audit.operations import verify_chain
from casework.cases.models import Case, CaseEvent
from casework.extensions import db


@pytest.fixture
def generated(app_ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the generator loads PostgreSQL with COPY")
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    db.session.remove()
    counts, logins = generate(url, 200, audit_per_case=3)
    return counts, logins


@pytest.mark.postgres
def test_generated_data_is_consistent_and_the_app_renders_it(generated, app):
    counts, logins = generated
    assert counts["case"] == 200
    assert counts["case_event"] >= 200 * 5
    statuses = set(db.session.scalars(select(Case.status).distinct()))
    assert {"registered", "intervention", "closed"} <= statuses
    assert set(db.session.scalars(select(Case.risk).distinct())) == {"green", "yellow", "red"}
    # Every case's history starts with "opened" and its last lifecycle event is its status.
    last = (select(CaseEvent.to_state).where(CaseEvent.case_id == Case.id,
                                             CaseEvent.machine == "lifecycle")
            .order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(1).scalar_subquery())
    assert db.session.scalar(select(func.count()).select_from(Case)
                             .where(last != Case.status)) == 0
    assert verify_chain() is None
    for role in ("case_manager", "head_of_service", "coordinator", "specialist"):
        client = app.test_client()
        response = client.login(logins[role], BENCH_PASSWORD)
        assert response.status_code == 302, role
        assert client.get("/").status_code == 200
        if role in ("case_manager", "head_of_service"):
            assert client.get("/cases").status_code == 200
