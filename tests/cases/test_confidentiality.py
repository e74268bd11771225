"""Who sees which case, note and action (DESIGN.md §2): deny by default, 404 not 403."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from casework.audit.models import AuditEvent
from casework.cases import operations as ops
from casework.cases.models import BreakGlassAccess
from casework.cases.queries import visible_cases
from casework.extensions import db


@pytest.fixture
def world(app_ctx, make_municipality, make_institution, make_user, make_case, case_manager,
          social_service):
    """Two case managers' cases, a second social service, a member specialist, a foreign
    municipality's case, and one user of every other role."""
    school = make_institution("school", name="Skola")
    police = make_institution("state_police", name="Policija")
    other_service = make_institution("social_service", name="Otrais sociālais dienests")
    other_manager = make_user("case_manager", institution=other_service)
    w = {
        "case_manager": case_manager,
        "head_of_service": make_user("head_of_service", institution=social_service),
        "specialist": make_user("specialist", institution=school),
        "police": make_user("specialist", institution=police),
        "coordinator": make_user("coordinator", institution=make_institution("other")),
        "admin": make_user("admin"),
        "auditor": make_user("auditor"),
        "inspector": make_user("inspector"),
        "other_manager": other_manager,
    }
    w["own"] = make_case(risk="yellow")
    w["foreign"] = make_case(risk="green", manager=other_manager)
    elsewhere = make_municipality()
    far_manager = make_user("case_manager",
                            institution=make_institution("social_service", municipality=elsewhere))
    w["elsewhere"] = make_case(manager=far_manager)
    ops.add_group_member(case_manager, w["own"], w["specialist"])
    ops.add_group_member(case_manager, w["own"], w["police"])
    db.session.commit()
    return w


# role -> may see (own, foreign, elsewhere); "own" is the role's own relation to the case.
VISIBILITY = {
    "case_manager": (True, False, False),
    "head_of_service": (True, False, False),
    "specialist": (True, False, False),
    "coordinator": (False, False, False),
    "admin": (False, False, False),
    "auditor": (False, False, False),
    "inspector": (False, False, False),
}
CASES = ("own", "foreign", "elsewhere")


@pytest.mark.parametrize("role", sorted(VISIBILITY))
def test_case_list_shows_only_the_cases_the_role_may_see(client, world, role):
    client.login(world[role].email)
    html = client.get("/cases").get_data(as_text=True)
    for which, allowed in zip(CASES, VISIBILITY[role], strict=True):
        assert (f'href="/cases/{world[which].id}"' in html) == allowed, (role, which)


@pytest.mark.parametrize("role", sorted(VISIBILITY))
@pytest.mark.parametrize("which", CASES)
def test_case_page_is_404_not_403_for_cases_the_role_may_not_see(client, world, role, which):
    client.login(world[role].email)
    expected = 200 if VISIBILITY[role][CASES.index(which)] else 404
    response = client.get(f"/cases/{world[which].id}")
    assert response.status_code == expected
    if expected == 404:
        assert "Anna" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", sorted(VISIBILITY))
def test_visible_cases_query_counts_only_what_the_role_may_see(world, role):
    count = db.session.scalar(select(func.count()).select_from(
        visible_cases(world[role]).subquery()))
    assert count == sum(VISIBILITY[role])


ACTIONS = {
    "transition": ("transition", {"trigger": "start_assessment"}),
    "risk": ("risk", {"trigger": "raise_to_red", "reason": "Policijas ziņojums"}),
    "note": ("notes", {"level": "group", "text": "Piezīme"}),
    "person": ("persons", {"role": "parent", "given_name": "Jānis", "family_name": "Bērziņš"}),
    "participation": ("participation", {"subject": "Lēmums par atbalstu", "person_id": "0"}),
}
# role -> actions allowed on the own case (all are 404 on the others)
MAY_ACT = {
    "case_manager": set(ACTIONS),
    "head_of_service": set(ACTIONS),
    "specialist": {"note"},
}


@pytest.mark.parametrize("role", sorted(VISIBILITY))
@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("which", CASES)
def test_each_case_action_is_allowed_only_to_its_roles(client, world, role, action, which):
    client.login(world[role].email)
    case = world[which]
    path, data = ACTIONS[action]
    data = {**data, "version": str(case.version)}
    response = client.post_form(f"/cases/{case.id}/{path}", data, token_from="/")
    if not VISIBILITY[role][CASES.index(which)]:
        assert response.status_code == 404
    elif action in MAY_ACT.get(role, set()):
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    else:
        assert response.status_code == 403


def _notes(world):
    case, manager, school, police = (world["own"], world["case_manager"], world["specialist"],
                                     world["police"])
    written = {}
    for author_key, author in (("manager", manager), ("school", school), ("police", police)):
        for level in ("group", "institution", "restricted"):
            text = f"{author_key}-{level}-piezīme"
            ops.add_note(author, case, level=level, text=text)
            written[(author_key, level)] = text
    db.session.commit()
    return written


# reader -> the (author, level) notes they may read
NOTE_ACCESS = {
    "case_manager": {(a, lv) for a in ("manager", "school", "police")
                     for lv in ("group", "institution", "restricted")},
    "specialist": {("manager", "group"), ("school", "group"), ("police", "group"),
                   ("school", "institution"), ("school", "restricted")},
    "police": {("manager", "group"), ("school", "group"), ("police", "group"),
               ("police", "institution"), ("police", "restricted")},
    "head_of_service": {("manager", "group"), ("school", "group"), ("police", "group"),
                        ("manager", "institution")},
}


@pytest.mark.parametrize("reader", sorted(NOTE_ACCESS))
def test_each_note_level_is_read_only_by_those_it_is_meant_for(client, world, reader):
    written = _notes(world)
    client.login(world[reader].email)
    html = client.get(f"/cases/{world['own'].id}").get_data(as_text=True)
    for key, text in written.items():
        assert (text in html) == (key in NOTE_ACCESS[reader]), (reader, key)


def test_every_read_of_a_case_page_is_audited(client, world):
    client.login(world["case_manager"].email)
    client.get(f"/cases/{world['own'].id}")
    client.get(f"/cases/{world['own'].id}")
    reads = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "case_viewed", AuditEvent.object_id == str(world["own"].id)))
    assert reads == 2


def test_removing_a_member_revokes_access_and_adding_grants_it(client, world, app):
    specialist, case = world["specialist"], world["own"]
    other = app.test_client()
    other.login(specialist.email)
    assert other.get(f"/cases/{case.id}").status_code == 200
    client.login(world["case_manager"].email)
    member = next(m for m in ops.case_group(case).members if m.user_id == specialist.id)
    client.post_form(f"/cases/{case.id}/members/{member.id}/remove", {}, token_from="/")
    assert other.get(f"/cases/{case.id}").status_code == 404
    client.post_form(f"/cases/{case.id}/members", {"user_id": str(specialist.id)},
                     token_from="/")
    assert other.get(f"/cases/{case.id}").status_code == 200


def test_break_glass_needs_a_reason_and_is_flagged_in_the_audit_log(client, world):
    head, foreign = world["head_of_service"], world["foreign"]
    client.login(head.email)
    assert client.get(f"/cases/{foreign.id}").status_code == 404
    response = client.post_form("/cases/break-glass", {"number": foreign.number, "reason": ""},
                                token_from="/cases/break-glass")
    assert response.status_code == 400
    response = client.post_form("/cases/break-glass", {
        "number": foreign.number, "reason": "Policija ziņo par bērna pazušanu naktī"},
        token_from="/cases/break-glass")
    assert response.status_code == 302
    assert client.get(f"/cases/{foreign.id}").status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case_break_glass"))
    # The reason is kept with the access, not in the audit log (which holds no case content).
    access = db.session.get(BreakGlassAccess, event.details["access_id"])
    assert event.flagged and "pazušanu" in access.reason
    assert "pazušanu" not in str(event.details)


def test_break_glass_cannot_reach_another_municipality(client, world, make_case):
    far_manager = world["elsewhere"].case_manager
    for _ in range(2):
        only_elsewhere = make_case(manager=far_manager)  # 2026/0003 exists only there
    client.login(world["head_of_service"].email)
    response = client.post_form("/cases/break-glass", {
        "number": only_elsewhere.number, "reason": "Mēģinājums piekļūt svešai lietai"},
        token_from="/cases/break-glass")
    assert response.status_code == 400
    assert "Pašvaldībā nav lietas" in response.get_data(as_text=True) or \
        "no case with this number" in response.get_data(as_text=True)
    assert client.get(f"/cases/{only_elsewhere.id}").status_code == 404


@pytest.mark.parametrize("role", ["case_manager", "specialist", "admin"])
def test_only_heads_of_service_may_break_glass(client, world, role):
    client.login(world[role].email)
    assert client.get("/cases/break-glass").status_code == 403


def _overview_counts(html: str, caption: str) -> dict[str, str]:
    table = html.split(caption)[1].split("</table>")[0]
    rows = {}
    for row in table.split("<tr>")[2:]:
        cells = [c.split("</td>")[0] for c in row.split("<td>")[1:]]
        label = re.sub(r"<[^>]+>", "", cells[0]).strip()
        rows[label] = cells[1].strip()
    return rows


def test_coordinator_overview_shows_aggregates_and_no_case_number(client, world, make_case):
    for _ in range(3):
        make_case(risk="red", categories=("violence",))
    client.login(world["coordinator"].email)
    response = client.get("/cases/overview")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for which in ("own", "foreign", "elsewhere"):
        assert world[which].number not in html
    assert "/cases/" + str(world["own"].id) not in html
    assert "Anna" not in html and "Bērziņa" not in html
    by_risk = _overview_counts(html, "Neslēgtās lietas pēc riska")
    # Red would be the open cases (from the status table) less the two "<3": hidden as well.
    assert by_risk == {"sarkans": "x", "dzeltens": "&lt;3", "zaļš": "&lt;3"}
    by_category = _overview_counts(html, "pēc problēmas kategorijas")
    assert by_category["vardarbība"] == "3" and by_category["nolaidība"] == "&lt;3"
    assert by_category["atkarības"] == "0"  # nothing to hide in an empty cell
    by_kind = _overview_counts(html, "pēc iesaistīto iestāžu veida")
    assert by_kind["Izglītības iestāde (skola)"] == "&lt;3"  # the school in one case
    assert by_kind["Sociālais dienests"] == "5"


def test_coordinator_case_statistics_suppress_counts_below_3_like_the_annual_report(
        world, make_case):
    from casework.cases.queries import case_statistics
    from casework.reports.schemas import HIDDEN, SMALL

    stats = case_statistics(world["coordinator"])
    # 1 and 1: with both "<3" their sum (the open cases, which the status table gives) would
    # tell each; one is hidden instead.
    assert stats["risk"] == {"red": 0, "yellow": SMALL, "green": HIDDEN}
    assert stats["status"]["registered"] == SMALL and stats["status"]["closed"] == 0
    for _ in range(2):
        make_case(risk="green")
    # Green 3 next to a yellow "<3" would give the yellow back from the open total: hidden.
    assert case_statistics(world["coordinator"])["risk"]["green"] == "x"
    for _ in range(3):
        make_case(risk="yellow")
    assert case_statistics(world["coordinator"])["risk"]["green"] == 3


def test_duplicate_person_is_flagged_with_a_link_only_when_allowed(client, world):
    manager, own, foreign = world["case_manager"], world["own"], world["foreign"]
    code = "120415-20001"
    ops.add_person(manager, own, role="child", given_name="Pēteris", family_name="Ozols",
                   personal_code=code, birth_date=None)
    ops.add_person(world["other_manager"], foreign, role="child", given_name="Pēteris",
                   family_name="Ozols", personal_code=code, birth_date=None)
    db.session.commit()
    client.login(manager.email)
    html = client.get(f"/cases/{own.id}").get_data(as_text=True)
    assert "(no access)" in html or "nav piekļuves" in html
    assert f'href="/cases/{foreign.id}"' not in html
    client.post_form("/logout", token_from="/")
    client.login(world["head_of_service"].email)
    ops.break_glass(world["head_of_service"], foreign.number, "Pārbaude dublikātam")
    db.session.commit()
    html = client.get(f"/cases/{own.id}").get_data(as_text=True)
    assert f'href="/cases/{foreign.id}"' in html


def test_caseload_shows_active_cases_and_children_under_12(client, world, make_case):
    make_case(risk="green", child={"given_name": "Liene", "family_name": "Kalna",
                                   "personal_code": None, "birth_date": date(2005, 1, 1)})
    client.login(world["head_of_service"].email)
    html = client.get("/cases/caseload").get_data(as_text=True)
    row = html.split(world["case_manager"].full_name)[1].split("</tr>")[0]
    cells = [c.split("</td>")[0].strip() for c in row.split("<td>")[1:]]
    assert cells[:2] == ["2", "1"]  # two active cases, one child under 12
