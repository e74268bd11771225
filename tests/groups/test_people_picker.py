"""Choosing people (issue 18.1): a list of checkboxes with their names, grouped in a fieldset,
which static/casework.js gives a search box; without JS the list simply works."""

import lxml.html

from casework.extensions import db


def _tree(response):
    return lxml.html.fromstring(response.get_data(as_text=True))


def test_invited_people_are_a_checkbox_list_with_a_search_box(client, coordinator, make_group,
                                                             make_user):
    members = [make_user("specialist", full_name=f"Loceklis {n}") for n in range(3)]
    group = make_group(members=members)
    client.login(coordinator.email)
    tree = _tree(client.get(f"/groups/{group.id}/meetings/new"))
    assert not tree.xpath("//select[@multiple]")
    (fieldset,) = tree.xpath("//fieldset[.//input[@name='invite_ids']]")
    assert fieldset.get("data-filter-list") is not None
    assert fieldset.xpath("legend[normalize-space()]")
    names = fieldset.xpath(".//input[@type='checkbox'][@name='invite_ids']/following-sibling::"
                           "label/text()")
    assert all(any(name.startswith(f"Loceklis {n}") for name in names) for n in range(3))


def test_the_checkbox_list_sends_the_chosen_people(client, coordinator, make_group, make_user,
                                                  make_meeting):
    members = [make_user("specialist", full_name=f"Loceklis {n}") for n in range(2)]
    group = make_group(members=members)
    meeting = make_meeting(group)
    client.login(coordinator.email)
    page = _tree(client.get(f"/meetings/{meeting.id}"))
    assert page.xpath("//fieldset[@data-filter-list]//input[@name='invite_ids']")
    response = client.post_form(f"/meetings/{meeting.id}/invite",
                                {"invite_ids": [members[0].id, members[1].id]},
                                token_from=f"/meetings/{meeting.id}")
    assert response.status_code == 302
    db.session.refresh(meeting)
    assert {a.user_id for a in meeting.attendance} >= {members[0].id, members[1].id}


def test_inviting_nobody_is_an_error_next_to_the_list(client, coordinator, make_group, make_user,
                                                     make_meeting):
    group = make_group(members=[make_user("specialist")])
    meeting = make_meeting(group)
    client.login(coordinator.email)
    response = client.post_form(f"/meetings/{meeting.id}/invite", {},
                                token_from=f"/meetings/{meeting.id}")
    assert response.status_code == 400
    tree = _tree(response)
    assert tree.xpath("//fieldset[.//input[@name='invite_ids']]//*[@id='invite_ids-error']")
    assert tree.xpath("//*[@data-error-summary]//a[@href='#invite_ids-0']")
