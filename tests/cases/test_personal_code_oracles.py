"""Personal-code oracles (issue 17): nothing a case manager or a specialist can do or read
tells them whether a child is known in a case they may not see, beyond what the rule allows.

- The case manager (and the head of service) learn only *that* a match exists in a case they
  may not see, and that the head of the social service can check it; the hint is audited.
- A specialist of the group learns nothing of other cases.
- The case list's search, the triage form and the reporter's list of referrals give the same
  answer for an unseen case as for none.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.cases import operations as ops
from casework.extensions import db

CODE = "120415-20001"
NOT_YOURS = "Izvēlieties esošu lietu, kurai jums ir piekļuve."
HINT = "Sakritība ir lietā, kurai jums nav piekļuves"


@pytest.fixture
def world(app_ctx, make_institution, make_user, make_case, case_manager):
    school = make_institution("school", name="Skola")
    other_service = make_institution("social_service", name="Otrais sociālais dienests")
    w = {"manager": case_manager,
         "specialist": make_user("specialist", institution=school),
         "other_manager": make_user("case_manager", institution=other_service),
         "school": school}
    w["own"] = make_case(risk="yellow")
    w["foreign"] = [make_case(risk="green", manager=w["other_manager"]) for _ in range(2)]
    ops.add_group_member(case_manager, w["own"], w["specialist"])
    for case in w["foreign"]:
        ops.add_person(w["other_manager"], case, role="child", given_name="Pēteris",
                       family_name="Ozols", personal_code=CODE, birth_date=None)
    db.session.commit()
    return w


def _add_child_with_the_code(world):
    person = ops.add_person(world["manager"], world["own"], role="child", given_name="Pēteris",
                            family_name="Ozols", personal_code=CODE, birth_date=None)
    db.session.commit()
    return person


def _persons_section(html: str) -> str:
    return html.split('id="persons-h"')[1].split("</section>")[0]


def test_case_manager_learns_only_that_a_match_exists_and_the_hint_is_audited(client, world):
    person = _add_child_with_the_code(world)
    client.login(world["manager"].email)
    html = client.get(f"/cases/{world['own'].id}").get_data(as_text=True)
    section = _persons_section(html)
    assert section.count(HINT) == 1  # one hint, however many cases hold the code
    assert "vadītājs" in section  # ...and who can check it
    for case in world["foreign"]:
        assert case.number not in html and f'href="/cases/{case.id}"' not in html
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "case_person_match_hinted"))
    assert event is not None and event.user_id == world["manager"].id
    assert sorted(event.details["persons"][str(person.id)]) == sorted(
        c.id for c in world["foreign"])


def test_specialist_learns_nothing_of_other_cases(client, world):
    _add_child_with_the_code(world)
    client.login(world["specialist"].email)
    html = client.get(f"/cases/{world['own'].id}").get_data(as_text=True)
    section = _persons_section(html)
    assert HINT not in section and "⚑" not in section
    assert "nav piekļuves" not in section
    for case in world["foreign"]:
        assert case.number not in html
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "case_person_match_hinted")) is None


def test_a_match_in_a_visible_case_is_a_link_and_no_hint(client, world, make_case):
    _add_child_with_the_code(world)
    mine = make_case(risk="green")
    ops.add_person(world["manager"], mine, role="child", given_name="Pēteris",
                   family_name="Ozols", personal_code=CODE, birth_date=None)
    db.session.commit()
    client.login(world["manager"].email)
    section = _persons_section(client.get(f"/cases/{world['own'].id}").get_data(as_text=True))
    assert f'href="/cases/{mine.id}"' in section and section.count(HINT) == 1


def _list_rows(html: str) -> str:
    return re.sub(r"\s+", " ", html.split("<tbody>")[1].split("</tbody>")[0])


def test_case_list_search_answers_the_same_for_an_unseen_case_as_for_none(client, world):
    client.login(world["manager"].email)
    answers = {q: _list_rows(client.get("/cases", query_string={"q": q})
                             .get_data(as_text=True))
               for q in (world["foreign"][0].number, CODE, "1999/9999")}
    assert len(set(answers.values())) == 1
    assert world["foreign"][0].number not in answers[world["foreign"][0].number]


def test_triage_attach_to_an_unseen_case_answers_like_a_missing_one(client, world,
                                                                     make_user):
    reporter = make_user("specialist", institution=world["school"])
    client.login(world["manager"].email)
    answers = []
    for number in (world["foreign"][0].number, "1999/9999"):
        referral = ops.file_referral(reporter, child_given_name="Pēteris",
                                     child_family_name="Ozols", child_personal_code=CODE,
                                     child_birth_date=None, categories=["neglect"],
                                     description="Bažas.", proposed_urgency="green")
        db.session.commit()
        url = f"/referrals/{referral.id}/triage"
        response = client.post_form(url, {"outcome": "attached", "risk": "green",
                                          "case_number": number}, token_from=url)
        html = response.get_data(as_text=True)
        answers.append((response.status_code, NOT_YOURS in html, html.count("⚑")))
    assert answers[0] == answers[1] == (400, True, 0)


def test_reporter_cannot_tell_a_new_case_from_an_attachment_to_a_known_child(
        client, world, make_user):
    reporter = make_user("specialist", institution=world["school"])
    referrals = []
    for _ in range(2):
        referrals.append(ops.file_referral(
            reporter, child_given_name="Pēteris", child_family_name="Ozols",
            child_personal_code=None, child_birth_date=date(2015, 4, 12),
            categories=["neglect"], description="Bažas.", proposed_urgency="green"))
    db.session.commit()
    ops.triage_referral(world["manager"], referrals[0], outcome="new_case", risk="green")
    ops.triage_referral(world["manager"], referrals[1], outcome="attached", risk="green",
                        case=world["own"])
    db.session.commit()
    client.login(reporter.email)
    html = client.get("/referrals/mine").get_data(as_text=True)
    rows = [re.sub(r"\s+", " ", r.split("</tr>")[0]).split("</td>")[-2]
            for r in html.split("<tbody>")[1].split("<tr>")[1:]]
    assert len(rows) == 2 and rows[0] == rows[1]
    assert "esošai lietai" not in html and "existing case" not in html
    assert world["own"].number not in html
