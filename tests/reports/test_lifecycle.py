"""The report's lifecycle through the pages: who may do each step, the audit of every step,
the snapshot frozen at submission, and a stale narrative save."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.cases import operations as case_ops
from casework.extensions import db
from casework.reports import operations as ops
from casework.reports.models import AnnualReport
from tests.conftest import audit_actions

from .conftest import YEAR, _close_tasks, t

PAGE = f"/reports/annual/{YEAR}"


def _report() -> AnnualReport:
    db.session.expire_all()
    return db.session.scalar(select(AnnualReport))


def _step(client, trigger, comment=None, page=PAGE):
    data = {"trigger": trigger, "version": _report().version}  # every form sends its version
    if comment:
        data["comment"] = comment
    return client.post_form(f"{PAGE}/transition", data, token_from=page)


def _login(client, user):
    """A fresh client logged in as ``user`` (the old session is dropped with its cookies)."""
    fresh = client.application.test_client()
    assert fresh.login(user.email).status_code == 302
    return fresh


def test_whole_lifecycle_by_the_right_roles_with_every_step_audited(client, known_year,
                                                                    make_user):
    p = known_year["people"]
    client = _login(client, p["coordinator"])
    assert client.post_form(f"{PAGE}/start", token_from=PAGE).status_code == 302
    report = _report()
    assert report.status == "draft" and report.snapshot is None
    response = client.post_form(f"{PAGE}/narrative", {
        "challenges": "Skolu kavējumi pieaug", "directions": "Agrīna iesaiste",
        "conclusions": "Vairāk sadarbības ar skolām", "state_proposals": "Finansējums",
        "version": report.version}, token_from=PAGE)
    assert response.status_code == 302
    assert _step(client, "submit_for_review").status_code == 302
    assert _report().status == "in_review"

    client = _login(client, p["head"])
    assert _step(client, "send_back").status_code == 400  # a comment is required
    assert _step(client, "send_back", "Papildiniet secinājumus").status_code == 302
    assert _report().status == "draft" and _report().return_comment == "Papildiniet secinājumus"

    client = _login(client, p["coordinator"])
    assert _step(client, "submit_for_review").status_code == 302
    client = _login(client, p["head"])
    assert _step(client, "approve").status_code == 302
    assert _report().approved_by_id == p["head"].id

    client = _login(client, p["coordinator"])
    assert _step(client, "submit").status_code == 302
    report = _report()
    assert report.status == "submitted" and report.submitted_by_id == p["coordinator"].id
    assert report.schema_version == "1.0" and report.snapshot["C"]["cases"]["examined"] == 5

    inspector = make_user("inspector")
    client = _login(client, inspector)
    review = f"/reports/municipalities/0999001/{YEAR}"
    assert client.get(review).status_code == 200
    response = client.post_form(f"{review}/review", {"trigger": "return_report",
                                                     "version": _report().version},
                                token_from=review)
    assert response.status_code == 400
    response = client.post_form(f"{review}/review", {"trigger": "return_report",
                                                     "comment": "Trūkst secinājumu",
                                                     "version": _report().version},
                                token_from=review)
    assert response.status_code == 302 and _report().status == "returned"

    client = _login(client, p["coordinator"])
    assert _step(client, "rework").status_code == 302
    assert _step(client, "submit_for_review").status_code == 302
    client = _login(client, p["head"])
    assert _step(client, "approve").status_code == 302
    client = _login(client, p["coordinator"])
    assert _step(client, "submit").status_code == 302
    client = _login(client, inspector)
    assert client.post_form(f"{review}/review", {"trigger": "accept",
                                                 "version": _report().version},
                            token_from=review).status_code == 302
    assert _report().status == "accepted" and _report().reviewed_by_id == inspector.id

    actions = [a for a in audit_actions() if a.startswith("annual_report_")]
    assert actions == [
        "annual_report_started", "annual_report_narrative_saved",
        "annual_report_submit_for_review", "annual_report_send_back",
        "annual_report_submit_for_review", "annual_report_approve", "annual_report_submit",
        "annual_report_return_report", "annual_report_rework",
        "annual_report_submit_for_review", "annual_report_approve", "annual_report_submit",
        "annual_report_accept"]


@pytest.mark.parametrize(("status", "trigger", "role", "allowed"), [
    ("draft", "submit_for_review", "coordinator", True),
    ("draft", "submit_for_review", "head", False),
    ("in_review", "approve", "head", True),
    ("in_review", "approve", "coordinator", False),
    ("in_review", "send_back", "coordinator", False),
    ("approved", "submit", "coordinator", True),
    ("approved", "submit", "head", False),
    ("returned", "rework", "coordinator", True),
    ("returned", "rework", "head", False),
    ("submitted", "accept", "coordinator", False),
    ("submitted", "return_report", "head", False),
])
def test_each_step_only_by_its_role(known_year, status, trigger, role, allowed):
    user = known_year["people"][role]
    report = AnnualReport(municipality_id=user.municipality_id, year=YEAR, status=status)
    db.session.add(report)
    db.session.flush()
    assert ops.may_fire(user, report, trigger) is allowed
    if not allowed:
        with pytest.raises(case_ops.AccessRefused):
            ops.transition(user, report, trigger, comment="x")


def test_inspector_of_no_municipality_only_returns_or_accepts(known_year, make_user):
    inspector = make_user("inspector")
    report = AnnualReport(municipality_id=known_year["municipality"].id, year=YEAR,
                          status="submitted")
    db.session.add(report)
    db.session.flush()
    assert ops.may_fire(inspector, report, "accept")
    assert not ops.may_fire(inspector, report, "submit")
    assert not ops.may_fire(known_year["people"]["coordinator"], report, "accept")


def test_workflow_refuses_a_step_from_the_wrong_state(known_year):
    coordinator = known_year["people"]["coordinator"]
    report = ops.start_report(coordinator, YEAR)
    with pytest.raises(ops.OperationRefused):
        ops.transition(coordinator, report, "submit")
    assert report.status == "draft"


def test_submitted_figures_never_change_when_cases_change_later(known_year):
    p = known_year["people"]
    report = ops.start_report(p["coordinator"], YEAR)
    for trigger, who in (("submit_for_review", "coordinator"), ("approve", "head"),
                         ("submit", "coordinator")):
        ops.transition(p[who], report, trigger)
    db.session.commit()
    frozen = dict(report.snapshot)
    # Afterwards someone back-dates a closure into 2025 and a new case into 2025.
    c4 = known_year["cases"]["c4"]
    _close_tasks(c4, t(2025, 12, 19))
    case_ops.transition_case(p["manager"], c4, "start_assessment", at=t(2025, 12, 19))
    case_ops.transition_case(p["manager"], c4, "close", closure_reason="came_of_age",
                             at=t(2025, 12, 22))
    db.session.commit()
    db.session.expire_all()
    report = _report()
    assert report.snapshot == frozen
    assert ops.figures(report, known_year["municipality"], YEAR) == frozen
    live = ops.indicators.compute(known_year["municipality"], YEAR)
    assert live["C"]["closed"]["total"] == 3 and frozen["C"]["closed"]["total"] == 2


def test_stale_narrative_save_is_409_with_the_text_kept(client, known_year):
    p = known_year["people"]
    ops.start_report(p["coordinator"], YEAR)
    db.session.commit()
    client.login(p["coordinator"].email)
    version = _report().version
    first = client.post_form(f"{PAGE}/narrative", {"challenges": "Pirmais teksts",
                                                   "version": version}, token_from=PAGE)
    assert first.status_code == 302
    second = client.post_form(f"{PAGE}/narrative", {"challenges": "Mans garais teksts ar ā un ņ",
                                                    "version": version}, token_from=PAGE)
    assert second.status_code == 409
    assert "Mans garais teksts ar ā un ņ" in second.get_data(as_text=True)
    assert _report().challenges == "Pirmais teksts"


def test_autosave_gets_the_new_version_as_json_and_409_when_stale(client, known_year):
    p = known_year["people"]
    ops.start_report(p["coordinator"], YEAR)
    db.session.commit()
    client.login(p["coordinator"].email)
    version = _report().version
    token = client.csrf_token(PAGE)
    headers = {"Accept": "application/json"}
    ok = client.post(f"{PAGE}/narrative", data={"csrf_token": token, "directions": "A",
                                                "version": version}, headers=headers)
    assert ok.status_code == 200 and ok.json["version"] == version + 1
    stale = client.post(f"{PAGE}/narrative", data={"csrf_token": token, "directions": "B",
                                                   "version": version}, headers=headers)
    assert stale.status_code == 409 and stale.json["version"] == version + 1


def test_narrative_of_a_report_in_review_cannot_be_edited(known_year):
    p = known_year["people"]
    report = ops.start_report(p["coordinator"], YEAR)
    ops.transition(p["coordinator"], report, "submit_for_review")
    with pytest.raises(ops.OperationRefused):
        ops.save_narrative(p["coordinator"], report, {"challenges": "x"},
                           expected_version=report.version)


def test_every_annual_report_step_notifies_the_next_actor(known_year, make_user):
    from casework.notifications.models import Notification

    p = known_year["people"]
    inspector = make_user("inspector")
    coordinator, head = p["coordinator"], p["head"]
    report = ops.start_report(coordinator, YEAR)
    db.session.commit()

    def told(trigger, user, comment=None):
        ops.transition(user, report, trigger, comment=comment)
        db.session.commit()
        return {n.user_id for n in db.session.scalars(
            select(Notification).where(Notification.kind == f"report_{trigger}"))}

    assert told("submit_for_review", coordinator) == {head.id}
    assert told("send_back", head, "Papildiniet") == {coordinator.id}
    db.session.execute(db.delete(Notification))
    assert told("submit_for_review", coordinator) == {head.id}
    assert told("approve", head) == {coordinator.id}
    assert told("submit", coordinator) == {inspector.id}
    assert told("return_report", inspector, "Trūkst secinājumu") == {coordinator.id, head.id}
    told("rework", coordinator)
    db.session.execute(db.delete(Notification))
    told("submit_for_review", coordinator)
    told("approve", head)
    told("submit", coordinator)
    assert told("accept", inspector) == {coordinator.id, head.id}
    links = {n.link for n in db.session.scalars(select(Notification))}
    assert f"/reports/municipalities/0999001/{YEAR}" in links
