"""Issue 11.3: the start page is a work queue per role, each item with what is due and a link,
only what the user may see, and empty panels that say what is empty."""

from __future__ import annotations

import pytest

from casework.audit.operations import record
from casework.cases import operations as case_ops
from casework.db_types import utcnow
from casework.extensions import db
from casework.main.dashboard import build_dashboard
from casework.reports import operations as report_ops


@pytest.fixture
def queues_of(app):
    def build(user):
        with app.test_request_context():
            return {s.key: s for s in build_dashboard(user, utcnow())}

    return build


def _referral(user, urgency):
    referral = case_ops.file_referral(
        user, child_given_name="Anna", child_family_name="Bērziņa", child_personal_code=None,
        child_birth_date=None, categories=["neglect"], description="Bažas",
        proposed_urgency=urgency)
    db.session.commit()
    return referral


def test_case_manager_queue_lists_referrals_to_triage_overdue_first_without_the_childs_name(
        late_world, queues_of, frozen):
    w = late_world
    green = _referral(w.member, "green")
    frozen.shift(5 * 24 * 3600)  # the green one is overdue now
    red = _referral(w.member, "red")
    section = queues_of(w.manager)["referrals_to_triage"]
    assert [r.href for r in section.rows] == [f"/referrals/{green.id}/triage",
                                              f"/referrals/{red.id}/triage"]
    assert section.rows[0].late and not section.rows[1].late
    assert all("Anna" not in r.text and "Bērziņa" not in r.text for r in section.rows)
    # A specialist does not triage: no such panel.
    assert "referrals_to_triage" not in queues_of(w.member)


def test_reviews_due_are_the_managers_own_and_the_heads_whole_service(late_world, queues_of,
                                                                     frozen):
    w = late_world
    frozen.shift(60 * 24 * 3600)  # every open case's review is due by now
    mine = {r.href for r in queues_of(w.manager)["reviews_due"].rows}
    assert f"/cases/{w.case.id}" in mine and f"/cases/{w.other_case.id}" not in mine
    service = {r.href for r in queues_of(w.head)["reviews_due"].rows}
    assert {f"/cases/{w.case.id}", f"/cases/{w.other_case.id}"} <= service


def test_head_of_service_sees_the_report_awaiting_approval_and_caseload_over_the_band(
        late_world, queues_of, make_case, make_user):
    from casework.policies.operations import save_policy

    w = late_world
    report = report_ops.start_report(w.coordinator, 2025)
    report_ops.transition(w.coordinator, report, "submit_for_review")
    db.session.commit()
    queues = queues_of(w.head)
    assert [r.href for r in queues["report_awaiting_approval"].rows] == ["/reports/annual/2025"]
    assert "report_awaiting_approval" not in queues_of(w.manager)
    assert queues["caseload_over_band"].rows == []
    admin = make_user("admin")
    save_policy(admin, {"caseload_warning": 2, "caseload_warning_reduced": 2})
    make_case(risk="green")
    db.session.commit()
    (row,) = queues_of(w.head)["caseload_over_band"].rows
    assert row.text == w.manager.full_name and row.href == "/cases/caseload"


def test_coordinator_sees_a_returned_report_and_the_deadline(late_world, queues_of, make_user):
    w = late_world
    (row,) = queues_of(w.coordinator)["annual_report"].rows
    assert row.href == "/reports/annual/2025" and "31.03.2026" in row.note and row.late
    report = report_ops.start_report(w.coordinator, 2025)
    for trigger, user in (("submit_for_review", w.coordinator), ("approve", w.head),
                          ("submit", w.coordinator)):
        report_ops.transition(user, report, trigger)
    inspector = make_user("inspector")
    assert [r.text for r in queues_of(inspector)["reports_waiting"].rows] == \
        [f"{w.municipality.name} · 2025"]
    report_ops.transition(inspector, report, "return_report", comment="Trūkst secinājumu")
    db.session.commit()
    (row,) = queues_of(w.coordinator)["annual_report"].rows
    assert "Trūkst secinājumu" in row.note and row.late
    assert queues_of(inspector)["reports_waiting"].rows == []


def test_inspector_sees_the_municipalities_whose_report_is_overdue(late_world, queues_of,
                                                                   make_user):
    rows = queues_of(make_user("inspector"))["overdue_municipalities"].rows
    assert late_world.municipality.name + " · 2025" in [r.text for r in rows]


def test_auditor_sees_flagged_accesses_of_the_municipality_only(late_world, queues_of,
                                                                make_user, make_municipality,
                                                                make_institution):
    w = late_world
    auditor = make_user("auditor")
    assert queues_of(auditor)["flagged_accesses"].rows == []
    record("case_break_glass", w.case, user=w.head, flagged=True, details={"hours": 4})
    other = make_municipality()
    outsider = make_user("head_of_service",
                         institution=make_institution("social_service", municipality=other))
    record("case_break_glass", None, user=outsider, municipality_id=other.id, flagged=True)
    db.session.commit()
    (row,) = queues_of(auditor)["flagged_accesses"].rows
    assert row.text == w.head.full_name and "case_break_glass" in row.href


def test_empty_panels_say_what_is_empty(client, late_world, lv, make_user):
    inspector = make_user("inspector")
    client.login(inspector.email)
    html = client.get("/").get_data(as_text=True)
    assert lv("No reports are waiting for review.") in html


def test_the_queues_do_not_query_once_per_row(app, late_world, make_case, frozen):
    from sqlalchemy import event

    def statements(user):
        seen = []
        listener = lambda *a, **k: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with app.test_request_context():
                build_dashboard(user, utcnow())
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    w = late_world
    frozen.shift(60 * 24 * 3600)
    _referral(w.member, "yellow")
    db.session.expire_all()
    few = statements(w.head), statements(w.manager)
    for _ in range(3):
        make_case(risk="green")
        _referral(w.member, "green")
    db.session.expire_all()
    assert (statements(w.head), statements(w.manager)) == few
