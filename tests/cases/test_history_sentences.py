"""The case history is told in sentences of the user's language: what happened, in the past
tense, and to whom by name; never a stored code such as ``minutes_approved`` (issue 18.6)."""

from __future__ import annotations

import re

from casework.cases import operations as ops
from casework.extensions import db


def _history(client, case) -> str:
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    section = html[html.index('id="history-h"'):]
    return re.sub(r"\s+", " ", section[:section.index("</section>")])


def test_history_names_the_person_added_with_their_role(app_ctx, client, make_case,
                                                         case_manager):
    case = make_case()
    ops.add_person(case_manager, case, role="parent", given_name="Laura",
                   family_name="Strazdiņa", personal_code=None, birth_date=None)
    db.session.commit()
    client.login(case_manager.email)
    assert "Pievienota persona: Laura Strazdiņa (vecāks)" in _history(client, case)


def test_history_tells_status_changes_in_the_past_tense(app_ctx, client, make_case,
                                                        case_manager):
    case = make_case()
    ops.transition_case(case_manager, case, "start_assessment")
    db.session.commit()
    client.login(case_manager.email)
    history = _history(client, case)
    assert "Sākta izvērtēšana (reģistrēta → izvērtēšana)" in history
    assert "Sākt izvērtēšanu" not in history  # the button's label


def test_history_never_shows_an_event_code(app_ctx, client, make_case, case_manager):
    case = make_case()
    ops.record_event(case, case_manager, "group", "minutes_approved",
                     details={"meeting_id": 1, "decisions": ["2026/3"]})
    ops.record_event(case, case_manager, "case", "something_new_in_a_later_version")
    db.session.commit()
    client.login(case_manager.email)
    history = _history(client, case)
    assert "Apstiprināts grupas sanāksmes protokols; lēmumi: 2026/3" in history
    assert "Reģistrētas izmaiņas" in history
    assert "minutes_approved" not in history and "something_new" not in history


def test_history_names_both_case_managers_of_a_reassignment(app_ctx, client, make_case,
                                                            case_manager, make_user,
                                                            social_service):
    case = make_case()
    other = make_user("case_manager", institution=social_service)
    head = make_user("head_of_service", institution=social_service)
    ops.reassign_case_manager(head, case, other)
    db.session.commit()
    client.login(other.email)
    history = _history(client, case)
    assert (f"Lieta nodota citam gadījuma vadītājam: {case_manager.full_name} → "
            f"{other.full_name}") in history


def test_generated_group_names_and_roles_are_shown_in_the_readers_language(
        app_ctx, client, make_case, case_manager):
    case = make_case()
    group = ops.case_group(case)
    client.login(case_manager.email)
    lv = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert f"Lietas {case.number} starpprofesionālā sadarbības grupa" in lv
    client.post("/language", data={"lang": "en", "csrf_token": client.csrf_token("/")})
    en = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert f"Interprofessional group of case {case.number}" in en
    assert "<td>case manager</td>" in en and "gadījuma vadītājs" not in en


def test_case_page_has_an_in_page_menu_of_its_sections(app_ctx, client, make_case,
                                                       case_manager):
    case = make_case()
    client.login(case_manager.email)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    nav = html[html.index('<nav class="section-nav"'):]
    nav = nav[:nav.index("</nav>")]
    anchors = re.findall(r'href="#([\w-]+)"', nav)
    assert anchors[0] == "actions-h" and "history-h" in anchors and "persons-h" in anchors
    for anchor in anchors:  # every link leads to a heading of the page
        assert f'id="{anchor}"' in html, anchor
