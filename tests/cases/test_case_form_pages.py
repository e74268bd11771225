"""The forms that choose among the municipality's people have pages of their own (issue 16:
the case page would write a thousand options and more into every view of the case): adding a
member (the case manager and the head of service) and reassigning the case (the head only)."""

from __future__ import annotations

from casework.cases import operations as ops
from casework.extensions import db


def _as(client, user):
    """A client of its own, logged in as ``user``."""
    other = client.application.test_client()
    other.login(user.email)
    return other


def test_the_case_page_links_to_the_forms_and_writes_no_list_of_people(
        client, make_user, make_case, case_manager, social_service):
    head = make_user("head_of_service", institution=social_service, full_name="Vadītāja Ieva")
    make_user("specialist", full_name="Skolotāja Māra")
    case = make_case()
    client.login(head.email)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}/members"' in page
    assert f'href="/cases/{case.id}/reassign"' in page
    assert "Skolotāja Māra" not in page
    page = _as(client, case_manager).get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}/members"' in page
    assert f'href="/cases/{case.id}/reassign"' not in page


def test_adding_a_member_on_its_page(client, make_user, make_case, case_manager):
    specialist = make_user("specialist", full_name="Skolotāja Māra")
    case = make_case()
    client.login(case_manager.email)
    page = client.get(f"/cases/{case.id}/members")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f'<option value="{specialist.id}">Skolotāja Māra (' in body
    # The case manager is a member already: not offered.
    assert f'<option value="{case_manager.id}">' not in body
    response = client.post_form(f"/cases/{case.id}/members", {"user_id": "0"},
                                token_from=f"/cases/{case.id}/members")
    assert response.status_code == 400
    assert "Skolotāja Māra" in response.get_data(as_text=True)
    response = client.post_form(f"/cases/{case.id}/members",
                                {"user_id": str(specialist.id), "role_in_group": "skolotāja"},
                                token_from=f"/cases/{case.id}/members")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}#group-h")
    db.session.expire_all()
    assert specialist.id in {m.user_id for m in ops.case_group(case).members}


def test_reassigning_on_its_page_is_for_the_head_of_service(
        client, make_user, make_case, case_manager, social_service):
    head = make_user("head_of_service", institution=social_service)
    other = make_user("case_manager", institution=social_service, full_name="Cita Vadītāja")
    specialist = make_user("specialist", full_name="Skolotāja Māra")
    case = make_case()
    ops.add_group_member(case_manager, case, specialist)
    db.session.commit()
    assert _as(client, case_manager).get(f"/cases/{case.id}/reassign").status_code == 403
    member = _as(client, specialist)
    assert member.get(f"/cases/{case.id}/members").status_code == 403
    assert member.get(f"/cases/{case.id}/reassign").status_code == 403
    client.login(head.email)
    body = client.get(f"/cases/{case.id}/reassign").get_data(as_text=True)
    assert f'<option value="{other.id}">Cita Vadītāja</option>' in body
    assert "Skolotāja Māra" not in body  # case managers only
    version = db.session.get(type(case), case.id).version
    response = client.post_form(f"/cases/{case.id}/reassign",
                                {"case_manager_id": str(other.id), "version": str(version - 1)},
                                token_from=f"/cases/{case.id}/reassign")
    assert response.status_code == 409  # the page was made from another version
    assert f'value="{version}"' in response.get_data(as_text=True)
    response = client.post_form(f"/cases/{case.id}/reassign",
                                {"case_manager_id": str(other.id), "version": str(version)},
                                token_from=f"/cases/{case.id}/reassign")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(case), case.id).case_manager_id == other.id


def test_the_form_pages_of_a_case_one_may_not_see_are_not_found(
        client, make_user, make_case, make_institution):
    outsider = make_user("head_of_service", institution=make_institution("social_service"))
    case = make_case()
    client.login(outsider.email)
    assert client.get(f"/cases/{case.id}/members").status_code == 404
    assert client.get(f"/cases/{case.id}/reassign").status_code == 404
