"""Correcting a case person's data and marking them as no longer part of the case: only the
case manager and the head of service; the history names the changed fields, never the values;
nothing is deleted and former persons are shown apart."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.auth.operations import OperationRefused
from casework.cases import operations as ops
from casework.cases.models import CaseEvent, CasePerson
from casework.extensions import db
from tests.cases.test_personal_code import with_check_digit
from tests.conftest import audit_actions

VALID_CODE = with_check_digit("0405152000")  # born 4 May 2015
OTHER_VALID_CODE = with_check_digit("0101901000")  # born 1 January 1990
WRONG_CHECK_DIGIT = VALID_CODE[:-1] + str((int(VALID_CODE[-1]) + 1) % 10)


def _client(app, user):
    client = app.test_client()
    assert client.login(user.email).status_code == 302
    return client


@pytest.fixture
def setup(app_ctx, make_case, case_manager, make_user, make_institution, social_service):
    case = make_case()
    child = case.persons[0]
    teacher = make_user("specialist", institution=make_institution("school"))
    ops.add_group_member(case_manager, case, teacher)
    db.session.commit()
    return {"case": case, "child": child, "manager": case_manager, "teacher": teacher,
            "head": make_user("head_of_service", institution=social_service)}


def _form(person, **changes):
    data = {"role": person.role, "given_name": person.given_name,
            "family_name": person.family_name, "personal_code": person.personal_code or "",
            "birth_date": person.birth_date.isoformat() if person.birth_date else "",
            "contact": person.contact or "", "school": person.school or ""}
    data.update(changes)
    return data


def test_person_correction_writes_history_with_the_field_names_not_the_values(app, setup):
    case, child = setup["case"], setup["child"]
    url = f"/cases/{case.id}/persons/{child.id}"
    client = _client(app, setup["manager"])
    assert client.get(url).status_code == 200
    response = client.post_form(url, _form(child, family_name="Bērziņa-Kalniņa",
                                           contact="+371 20000000", school="Rīgas 1. skola"),
                                token_from=url)
    assert response.status_code == 302
    db.session.expire_all()
    child = db.session.get(CasePerson, child.id)
    assert (child.family_name, child.contact, child.school) == (
        "Bērziņa-Kalniņa", "+371 20000000", "Rīgas 1. skola")
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.trigger == "person_corrected"))
    assert event.details == {"person_id": child.id,
                             "fields": ["family_name", "contact", "school"]}
    assert event.actor_id == setup["manager"].id
    assert "case_person_corrected" in audit_actions()
    logged = " ".join(str(e.details) for e in db.session.scalars(select(AuditEvent)))
    assert "Kalniņa" not in logged and "20000000" not in logged and "skola" not in logged
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert (f"Laboti personas dati: {child.given_name} Bērziņa-Kalniņa (bērns); mainīts: "
            "uzvārds, kontaktinformācija") in page


def test_correction_without_changes_writes_nothing(app_ctx, setup):
    child = setup["child"]
    changed = ops.correct_person(setup["manager"], setup["case"], child.id, role=child.role,
                                 given_name=child.given_name, family_name=child.family_name,
                                 personal_code=None, birth_date=child.birth_date,
                                 contact=None, school="  ")
    assert changed == []
    assert db.session.scalar(select(CaseEvent).where(
        CaseEvent.trigger == "person_corrected")) is None


def test_person_correction_validates_the_personal_code_like_adding(app, setup):
    case, child = setup["case"], setup["child"]
    url = f"/cases/{case.id}/persons/{child.id}"
    client = _client(app, setup["manager"])
    response = client.post_form(url, _form(child, personal_code=WRONG_CHECK_DIGIT),
                                token_from=url)
    assert response.status_code == 400
    assert db.session.get(CasePerson, child.id).personal_code is None
    # A valid code whose birth date contradicts the one given is refused too.
    with pytest.raises(OperationRefused):
        ops.correct_person(setup["manager"], case, child.id, role="child", given_name="Anna",
                           family_name="Bērziņa", personal_code=OTHER_VALID_CODE,
                           birth_date=date(2015, 5, 4), contact=None, school=None)
    ops.correct_person(setup["manager"], case, child.id, role="child", given_name="Anna",
                       family_name="Bērziņa", personal_code=VALID_CODE.replace("-", ""),
                       birth_date=None, contact=None, school=None)
    assert (child.personal_code, child.birth_date) == (VALID_CODE, date(2015, 5, 4))


def test_only_the_case_manager_or_head_of_service_may_correct_a_person(app, setup, make_user,
                                                                       make_municipality,
                                                                       make_institution):
    case, child = setup["case"], setup["child"]
    url = f"/cases/{case.id}/persons/{child.id}"
    assert _client(app, setup["teacher"]).get(url).status_code == 403
    teacher = _client(app, setup["teacher"])
    assert teacher.post_form(url, _form(child, given_name="X"),
                             token_from=f"/cases/{case.id}").status_code == 403
    stranger = make_user("case_manager", institution=make_institution(
        "social_service", municipality=make_municipality()))
    assert _client(app, stranger).get(url).status_code == 404
    head = _client(app, setup["head"])
    assert head.post_form(url, _form(child, given_name="Annija"), token_from=url
                          ).status_code == 302
    db.session.expire_all()
    assert db.session.get(CasePerson, child.id).given_name == "Annija"


def test_person_of_another_case_is_404(app, setup, make_case):
    other = make_case()
    url = f"/cases/{setup['case'].id}/persons/{other.persons[0].id}"
    assert _client(app, setup["manager"]).get(url).status_code == 404


def test_person_no_longer_part_of_the_case_is_kept_and_shown_apart(app, setup):
    case = setup["case"]
    parent = ops.add_person(setup["manager"], case, role="parent", given_name="Jānis",
                            family_name="Bērziņš", personal_code=None, birth_date=None)
    db.session.commit()
    client = _client(app, setup["manager"])
    url = f"/cases/{case.id}/persons/{parent.id}/end"
    assert client.post_form(url, {"reason": ""}, token_from=f"/cases/{case.id}/persons/"
                            f"{parent.id}").status_code == 400
    response = client.post_form(url, {"reason": "Pārcēlās uz citu valsti"},
                                token_from=f"/cases/{case.id}/persons/{parent.id}")
    assert response.status_code == 302
    db.session.expire_all()
    parent = db.session.get(CasePerson, parent.id)
    assert parent.ended_at is not None and parent.end_reason == "Pārcēlās uz citu valsti"
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.trigger == "person_ended"))
    assert event.reason == "Pārcēlās uz citu valsti"
    assert "case_person_ended" in audit_actions()
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    former = page.split("Bijušās lietas personas", 1)[1]
    current = page.split("Bijušās lietas personas", 1)[0].split('id="persons-h"', 1)[1]
    assert "Jānis Bērziņš" in former and "Jānis Bērziņš" not in current
    assert "Anna Bērziņa" in current
    with pytest.raises(OperationRefused):
        ops.end_person(setup["manager"], case, parent.id, reason="vēlreiz")
