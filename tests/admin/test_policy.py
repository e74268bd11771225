"""Per-municipality policy overrides, stored in the database and used by the workflows."""

from sqlalchemy import select

from casework.extensions import db
from casework.policies.models import PolicySetting
from casework.policies.operations import policy_for
from tests.conftest import audit_actions


def _form(**changes):
    from dataclasses import asdict

    from casework.policies.operations import POLICY_LABELS
    from workflows.policy import Policy

    defaults = asdict(Policy())
    return {k: str(changes.get(k, defaults[k])) for k in POLICY_LABELS}


def test_admin_overrides_a_timescale_for_the_municipality(client, login_as):
    admin = login_as("admin")
    response = client.post_form("/admin/policy", _form(review_days_red=7),
                                token_from="/admin/policy")
    assert response.status_code == 302
    assert policy_for(admin.municipality_id).review_days_red == 7
    rows = db.session.scalars(select(PolicySetting)).all()
    assert [(r.key, r.value) for r in rows] == [("review_days_red", 7)]
    assert "policy_changed" in audit_actions()


def test_policy_override_changes_the_next_review_date(client, login_as, make_user):
    from datetime import UTC, date, datetime

    from casework.cases import operations as ops

    admin = login_as("admin")
    client.post_form("/admin/policy", _form(review_days_red=7), token_from="/admin/policy")
    manager = make_user("case_manager", institution=admin.institution)
    case = ops.open_case(manager, municipality_id=manager.municipality_id, risk="red",
                         categories=["violence"], case_manager=manager,
                         owner_institution_id=manager.institution_id,
                         at=datetime(2026, 3, 2, 9, tzinfo=UTC))
    assert case.next_review_due == date(2026, 3, 9)


def test_bad_policy_values_are_refused_and_nothing_is_stored(client, login_as):
    login_as("admin")
    for bad in ("-1", "abc", ""):
        response = client.post_form("/admin/policy", _form(review_days_red=bad),
                                    token_from="/admin/policy")
        assert response.status_code == 400
    assert db.session.scalars(select(PolicySetting)).all() == []


def test_policy_page_is_for_admins_only(client, login_as):
    login_as("case_manager")
    assert client.get("/admin/policy").status_code == 403
