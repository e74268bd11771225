"""One referral, one case: triage claims the referral with a guarded UPDATE before it writes
anything, so a second case manager triaging the same referral at the same time is refused
("already triaged by ...") and leaves no case, group, task or audit row behind."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from casework.audit.models import AuditEvent
from casework.auth.models import User
from casework.cases import operations as ops
from casework.cases.models import Case, Referral
from casework.extensions import db
from casework.groups.models import CooperationGroup
from casework.tasks.models import Task

ALREADY = "Šo ziņojumu jau izskatījis cits lietas vadītājs"


@pytest.fixture
def school_user(make_user, make_institution):
    return make_user("specialist", institution=make_institution("school", name="Skola"))


def _referral(reporter) -> Referral:
    referral = ops.file_referral(reporter, child_given_name="Marta",
                                 child_family_name="Liepiņa", child_personal_code=None,
                                 child_birth_date=date(2016, 2, 10), categories=["neglect"],
                                 description="Bērns bieži paliek viens.",
                                 proposed_urgency="red")
    db.session.commit()
    return referral


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _assert_one_case_only():
    db.session.expire_all()
    assert _count(Case) == 1
    assert _count(CooperationGroup, CooperationGroup.kind == "interprofessional") == 1
    assert _count(Task, Task.title == ops.CONVENE_TASK_TITLE) == 1
    assert _count(AuditEvent, AuditEvent.action == "case_opened") == 1
    assert _count(AuditEvent, AuditEvent.action == "referral_triaged") == 1


def _triage_in_own_session(app, referral_id, manager_id, results, barrier=None):
    with app.app_context():
        try:
            manager = db.session.get(User, manager_id)
            referral = db.session.get(Referral, referral_id)
            if barrier is not None:
                barrier.wait()
            ops.triage_referral(manager, referral, outcome="new_case", risk="red")
            db.session.commit()
            results.append(("won", manager_id))
        except ops.ReferralAlreadyTriaged as refused:
            db.session.rollback()
            results.append(("refused", str(refused.message)))
        except Exception as error:  # reported to the test
            db.session.rollback()
            results.append(("error", repr(error)))
        finally:
            db.session.remove()


def test_triage_of_a_referral_claimed_meanwhile_is_refused_and_writes_nothing(
        app, school_user, case_manager, make_user, social_service):
    referral = _referral(school_user)
    rival = make_user("case_manager", institution=social_service, full_name="Rasma Ātrā")
    stale = db.session.get(Referral, referral.id)  # this page was opened before the rival's
    assert stale.outcome is None
    results = []
    other = threading.Thread(target=_triage_in_own_session,
                             args=(app, referral.id, rival.id, results))
    other.start()
    other.join(timeout=30)
    assert results == [("won", rival.id)]
    with pytest.raises(ops.ReferralAlreadyTriaged) as refused:
        ops.triage_referral(case_manager, stale, outcome="new_case", risk="red")
    db.session.rollback()
    assert ALREADY in str(refused.value.message) and "Rasma Ātrā" in str(refused.value.message)
    _assert_one_case_only()


def test_concurrent_triages_of_one_referral_open_exactly_one_case(
        app, school_user, make_user, social_service):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    referral = _referral(school_user)
    managers = [make_user("case_manager", institution=social_service,
                          full_name=f"Vadītājs {n}") for n in range(8)]
    barrier = threading.Barrier(len(managers), timeout=60)
    results: list = []
    threads = [threading.Thread(target=_triage_in_own_session,
                                args=(app, referral.id, m.id, results, barrier))
               for m in managers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert [r for r in results if r[0] == "error"] == []
    winners = [r[1] for r in results if r[0] == "won"]
    losers = [r[1] for r in results if r[0] == "refused"]
    assert len(winners) == 1 and len(losers) == len(managers) - 1
    winner = db.session.get(User, winners[0])
    assert all(ALREADY in message and winner.full_name in message for message in losers)
    _assert_one_case_only()
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).triaged_by_id == winner.id


def test_second_triage_page_says_who_already_triaged_the_referral(
        client, school_user, case_manager, make_user, social_service):
    referral = _referral(school_user)
    rival = make_user("case_manager", institution=social_service, full_name="Rasma Ātrā")
    url = f"/referrals/{referral.id}/triage"
    client.login(case_manager.email)
    token = client.csrf_token(url)
    ops.triage_referral(rival, db.session.get(Referral, referral.id), outcome="new_case",
                        risk="red")
    db.session.commit()
    response = client.post(url, data={"csrf_token": token, "outcome": "new_case",
                                      "risk": "red"}, follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert ALREADY in html and "Rasma Ātrā" in html
    _assert_one_case_only()
