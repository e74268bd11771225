"""Issue 12.1: find the child by name (diacritics-insensitive), personal code (either form,
with or without the dash) and case number, only among the cases the user may see; triage
suggests matching persons of visible cases; the referral stays visible on the case."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework.cases import operations as ops
from casework.cases.models import Case
from casework.cases.queries import filtered_cases
from casework.cases.search import fold, normalise_code, suggestions_for_referral
from casework.extensions import db


@pytest.fixture
def people(app_ctx, make_user, make_institution, make_municipality, case_manager,
           social_service, make_case):
    other_service = make_institution("social_service", name="Cits dienests")
    other_manager = make_user("case_manager", institution=other_service)
    far = make_municipality()
    far_manager = make_user("case_manager",
                            institution=make_institution("social_service", municipality=far))
    anna = {"given_name": "Anna", "family_name": "Bērziņa", "personal_code": None,
            "birth_date": date(2015, 5, 4)}
    own = make_case(child=anna)
    hidden = make_case(manager=other_manager, child=dict(anna))
    foreign = make_case(manager=far_manager, child=dict(anna))
    ops.add_person(case_manager, own, role="parent", given_name="Ērika",
                   family_name="Ozoliņa", personal_code=None, birth_date=None)
    db.session.commit()
    return {"manager": case_manager, "own": own, "hidden": hidden, "foreign": foreign,
            "other_manager": other_manager}


def _found(user, text) -> set[int]:
    return set(db.session.scalars(filtered_cases(user, q=text).with_only_columns(Case.id)))


def test_fold_removes_diacritics_and_case():
    assert fold("Bērziņa Ērika ŠĶŅ") == "berzina erika skn"


def test_personal_code_is_found_in_either_form_with_or_without_the_dash():
    assert normalise_code("04051521112") == "040515-21112"
    assert normalise_code(" 040515-21112 ") == "040515-21112"
    assert normalise_code("Anna") is None


@pytest.mark.parametrize("text", ["Berzina", "bērziņa", "anna berz", "BERZINA ANNA",
                                  "Ozolina", "erika"])
def test_search_by_name_ignores_diacritics_and_finds_only_visible_cases(people, text):
    assert _found(people["manager"], text) == {people["own"].id}


def test_search_never_returns_a_case_the_user_may_not_see(people, make_user):
    for role in ("coordinator", "admin", "auditor", "inspector", "specialist"):
        assert _found(make_user(role), "Berzina") == set()
    assert _found(people["other_manager"], "Berzina") == {people["hidden"].id}


def test_search_by_case_number_and_by_code(people, case_manager, make_case):
    own = people["own"]
    assert _found(case_manager, own.number) == {own.id}
    code_case = make_case(child={"given_name": "Jānis", "family_name": "Kalniņš",
                                 "personal_code": None, "birth_date": None})
    person = code_case.persons[0]
    person.personal_code = "320000-00000"  # stored form; searched both ways below
    db.session.commit()
    assert _found(case_manager, "32000000000") == {code_case.id}
    assert _found(case_manager, "320000-00000") == {code_case.id}


def test_search_name_follows_a_corrected_name(people):
    person = people["own"].persons[0]
    person.family_name = "Liepiņa"
    db.session.commit()
    assert people["own"].id in _found(people["manager"], "liepina")
    assert people["own"].id not in _found(people["manager"], "berzina")


def test_the_case_list_shows_the_childs_name_and_age(client, people):
    client.login(people["manager"].email)
    html = client.get("/cases?q=Berzina").get_data(as_text=True)
    assert "Anna Bērziņa" in html and people["own"].number in html
    assert people["hidden"].number not in html
    age = date.today().year - 2015 - ((date.today().month, date.today().day) < (5, 4))
    assert f"({age} " in html


def test_triage_suggests_matching_persons_only_of_visible_cases(client, people, make_user,
                                                                social_service):
    reporter = make_user("specialist")
    referral = ops.file_referral(reporter, child_given_name="anna", child_family_name="Berzina",
                                 child_personal_code=None, child_birth_date=date(2015, 5, 4),
                                 categories=["neglect"], description="Neierodas skolā",
                                 proposed_urgency="green")
    db.session.commit()
    found = suggestions_for_referral(people["manager"], referral)
    assert [s.case.id for s in found] == [people["own"].id]
    client.login(people["manager"].email)
    html = client.get(f"/referrals/{referral.id}/triage").get_data(as_text=True)
    assert f'value="{people["own"].number}"' in html
    # One suggestion: the same child in a case of another service or municipality is not
    # offered (the foreign case may even carry the same number).
    assert html.count('name="case_number" value=') == 1
    assert people["hidden"].number not in html
    # Picking the suggestion attaches the referral; its text stays visible on the case.
    response = client.post_form(f"/referrals/{referral.id}/triage", {
        "outcome": "attached", "risk": "green", "case_number": people["own"].number},
        token_from=f"/referrals/{referral.id}/triage")
    assert response.status_code == 302
    page = client.get(f"/cases/{people['own'].id}").get_data(as_text=True)
    assert "Neierodas skolā" in page and reporter.institution.name in page


def test_a_different_birth_date_is_not_suggested(people, make_user):
    referral = ops.file_referral(make_user("specialist"), child_given_name="Anna",
                                 child_family_name="Bērziņa", child_personal_code=None,
                                 child_birth_date=date(2016, 1, 1), categories=["neglect"],
                                 description="x", proposed_urgency="green")
    assert suggestions_for_referral(people["manager"], referral) == []
    assert db.session.scalar(select(Case.id).where(Case.id == people["own"].id))
