"""Group and meeting pages: access by membership (404, never 403, for what one may not see),
pseudonymous agenda, overlap warning, bad input and stale forms, pages for every role."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from casework.extensions import db
from casework.groups import operations as ops
from casework.groups import queries
from casework.groups.models import AgendaItem, GroupMember, Meeting
from tests.conftest import TEST_PASSWORD
from tests.groups.conftest import at, hold


@pytest.fixture
def member(make_user, make_institution):
    return make_user("specialist", institution=make_institution("state_police"))


@pytest.fixture
def group(make_group, member):
    return make_group(members=[member])


def _version(html: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)


def test_member_sees_meetings_and_a_removed_member_gets_404(
        client, coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member])
    client.login(member.email)
    assert client.get(f"/groups/{group.id}").status_code == 200
    assert client.get(f"/meetings/{meeting.id}").status_code == 200
    assert group.name in client.get("/groups").get_data(as_text=True)
    membership = db.session.scalar(select(GroupMember).where(GroupMember.user_id == member.id))
    ops.end_member(coordinator, group, membership.id)
    db.session.commit()
    assert client.get(f"/meetings/{meeting.id}").status_code == 404
    assert client.get(f"/groups/{group.id}").status_code == 404
    assert group.name not in client.get("/groups").get_data(as_text=True)


def test_other_municipality_gets_404(client, make_municipality, make_institution, make_user,
                                     group, make_meeting):
    meeting = make_meeting(group)
    other = make_municipality()
    stranger = make_user("coordinator",
                         institution=make_institution("other", municipality=other))
    client.login(stranger.email)
    assert client.get(f"/groups/{group.id}").status_code == 404
    assert client.get(f"/meetings/{meeting.id}").status_code == 404


def test_member_from_another_municipality_is_refused_with_a_message(
        client, coordinator, group, make_municipality, make_institution, make_user):
    other = make_municipality()
    stranger = make_user("specialist",
                         institution=make_institution("school", municipality=other))
    client.login(coordinator.email)
    response = client.post_form(f"/groups/{group.id}/members", {"user_id": stranger.id},
                                token_from=f"/groups/{group.id}")
    assert response.status_code == 400
    assert "citā pašvaldībā" in response.get_data(as_text=True) or \
        "another municipality" in response.get_data(as_text=True)


def test_admin_manages_members_but_gets_404_on_meeting_content(
        client, login_as, group, make_meeting, make_user, make_institution, member):
    meeting = make_meeting(group, invite=[member])
    admin = login_as("admin")
    newcomer = make_user("specialist", institution=make_institution("health_care"))
    page = client.get(f"/groups/{group.id}")
    assert page.status_code == 200 and "Izvērtēt sadarbību" not in page.get_data(as_text=True)
    response = client.post_form(f"/groups/{group.id}/members",
                                {"user_id": newcomer.id, "role_in_group": "ārsts"},
                                token_from=f"/groups/{group.id}")
    assert response.status_code == 302
    assert client.get(f"/meetings/{meeting.id}").status_code == 404
    assert client.get(f"/groups/{group.id}/meetings/new").status_code == 404
    assert admin.id not in {m.user_id for m in group.members}


def test_admin_and_coordinator_create_groups_others_may_not(client, login_as):
    login_as("case_manager")
    assert client.get("/groups/new").status_code == 403
    client.post_form("/logout", token_from="/")
    login_as("coordinator")
    response = client.post_form("/groups/new", {"name": "Jaunā grupa", "lead_id": 0},
                                token_from="/groups/new")
    assert response.status_code == 302


def test_interprofessional_meeting_is_visible_only_to_who_sees_the_case(
        client, make_case, case_manager, make_user, make_institution):
    from casework.cases import operations as case_ops

    case = make_case()
    group = case_ops.case_group(case)
    starts = at(2026, 5, 5)
    meeting = ops.plan_meeting(case_manager, group, starts_at=starts,
                               ends_at=starts + timedelta(hours=1))
    db.session.commit()
    outsider = make_user("specialist", institution=make_institution("school"))
    coordinator = make_user("coordinator", institution=make_institution("other"))
    for user in (outsider, coordinator):
        client.login(user.email)
        assert client.get(f"/meetings/{meeting.id}").status_code == 404
        assert client.get(f"/groups/{group.id}").status_code == 404
        client.post_form("/logout", token_from="/")
    client.login(case_manager.email)
    assert client.get(f"/meetings/{meeting.id}").status_code == 200
    case_page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/groups/{group.id}/meetings/new" in case_page
    assert f"/meetings/{meeting.id}" in case_page


def test_strategic_agenda_shows_the_case_number_only(
        client, coordinator, group, make_meeting, make_case):
    case = make_case()  # the child is Anna Bērziņa
    meeting = make_meeting(group)
    client.login(coordinator.email)
    response = client.post_form(f"/meetings/{meeting.id}/agenda",
                                {"kind": "item", "text": "Kavējumu gadījums",
                                 "case_number": case.number},
                                token_from=f"/meetings/{meeting.id}")
    assert response.status_code == 302
    assert db.session.scalar(select(AgendaItem.case_id).where(
        AgendaItem.meeting_id == meeting.id, AgendaItem.kind == "item")) == case.id
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert case.number in html
    assert "Anna" not in html and "Bērziņa" not in html
    unknown = client.post_form(f"/meetings/{meeting.id}/agenda",
                               {"kind": "item", "text": "X", "case_number": "1999/9999"},
                               token_from=f"/meetings/{meeting.id}")
    assert unknown.status_code == 400


def test_conflicts_finds_overlapping_non_cancelled_meetings_of_invited_users(
        coordinator, make_group, member, make_meeting):
    first, second = make_group("A", members=[member]), make_group("B", members=[member])
    starts = at(2026, 6, 2, 10)
    busy = make_meeting(first, starts=starts, invite=[member])
    gone = make_meeting(second, starts=starts, invite=[member])
    ops.cancel_meeting(coordinator, gone, reason="Nav vajadzīga")
    db.session.commit()
    found = queries.conflicts([member.id], starts + timedelta(hours=1),
                              starts + timedelta(hours=3))
    assert [m.id for m in found[member.id]] == [busy.id]
    assert queries.conflicts([member.id], starts + timedelta(hours=2),
                             starts + timedelta(hours=3)) == {}
    assert queries.conflicts([member.id], starts, starts + timedelta(hours=1),
                             exclude_meeting_id=busy.id) == {}


def test_planning_over_a_members_other_meeting_warns_but_saves(
        client, coordinator, make_group, member, make_meeting):
    first, second = make_group("A", members=[member]), make_group("B", members=[member])
    make_meeting(first, starts=at(2026, 6, 2, 10), invite=[member])
    client.login(coordinator.email)
    response = client.post_form(f"/groups/{second.id}/meetings/new", {
        "kind": "regular", "starts_at": "2026-06-02T11:00", "ends_at": "2026-06-02T12:30",
        "invite_ids": [member.id]}, token_from=f"/groups/{second.id}/meetings/new",
        follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert member.full_name in html and ("jau ir cita sanāksme" in html
                                         or "already has another meeting" in html)
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 2


def test_meeting_that_ends_before_it_starts_gets_400_with_a_message(
        client, coordinator, group):
    client.login(coordinator.email)
    response = client.post_form(f"/groups/{group.id}/meetings/new", {
        "kind": "regular", "title": "Mana sanāksme", "starts_at": "2026-06-02T11:00",
        "ends_at": "2026-06-02T10:00"}, token_from=f"/groups/{group.id}/meetings/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Sanāksmes beigu laikam jābūt pēc tās sākuma laika." in html
    assert "Mana sanāksme" in html
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_stale_minutes_form_gets_409_with_the_input_kept(
        client, coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member])
    client.login(coordinator.email)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    old_version = _version(page)
    ops.save_minutes(coordinator, meeting, minutes="Kāda cita teksts")
    db.session.commit()
    response = client.post_form(f"/meetings/{meeting.id}/minutes",
                                {"minutes": "Mans garais protokols", "version": old_version},
                                token_from=f"/meetings/{meeting.id}")
    assert response.status_code == 409
    assert "Mans garais protokols" in response.get_data(as_text=True)
    db.session.refresh(meeting)
    assert meeting.minutes == "Kāda cita teksts"


def test_editing_approved_minutes_is_refused_with_a_message(
        client, coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member], started=True)
    hold(coordinator, meeting)
    ops.approve_minutes(coordinator, meeting)
    db.session.commit()
    client.login(coordinator.email)
    response = client.post_form(f"/meetings/{meeting.id}/minutes",
                                {"minutes": "Labojums", "version": meeting.version},
                                token_from=f"/meetings/{meeting.id}")
    assert response.status_code == 400
    assert "slēgts" in response.get_data(as_text=True) or "locked" in \
        response.get_data(as_text=True)


def test_task_without_assignee_or_deadline_gets_400(
        client, coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member])
    client.login(coordinator.email)
    response = client.post_form(f"/meetings/{meeting.id}/tasks",
                                {"title": "Sagatavot pārskatu", "assignee_id": 0,
                                 "due_date": "2026-07-01"},
                                token_from=f"/meetings/{meeting.id}")
    assert response.status_code == 400
    assert "Sagatavot pārskatu" in response.get_data(as_text=True)
    response = client.post_form(f"/meetings/{meeting.id}/tasks",
                                {"title": "Sagatavot", "assignee_id": member.id},
                                token_from=f"/meetings/{meeting.id}")
    assert response.status_code == 400


def test_full_meeting_through_the_pages(client, coordinator, group, member, make_meeting):
    meeting = make_meeting(group, invite=[member], started=True)
    client.login(coordinator.email)
    url = f"/meetings/{meeting.id}"
    blocked = client.post_form(f"{url}/transition",
                               {"trigger": "mark_held", "version": meeting.version},
                               token_from=url)
    assert blocked.status_code == 400
    assert client.post_form(f"{url}/attendance", {f"status-{member.id}": "attended"},
        token_from=url).status_code == 302
    version = _version(client.get(url).get_data(as_text=True))
    assert client.post_form(f"{url}/transition", {"trigger": "mark_held", "version": version},
                            token_from=url).status_code == 302
    version = _version(client.get(url).get_data(as_text=True))
    assert client.post_form(f"{url}/minutes", {"minutes": "Vienojāmies", "version": version},
                            token_from=url).status_code == 302
    assert client.post_form(f"{url}/decisions", {
        "kind": "proposal_municipality", "text": "Izveidot krīzes dzīvokli",
        "responsible_institution_id": member.institution_id, "due_date": "2026-09-01",
        "agenda_item_id": 0}, token_from=url).status_code == 302
    assert client.post_form(f"{url}/tasks", {
        "title": "Sagatavot aprēķinu", "assignee_id": member.id, "due_date": "2026-08-01",
        "decision_id": 0, "agenda_item_id": 0}, token_from=url).status_code == 302
    no_reason = client.post_form(f"{url}/transition", {"trigger": "cancel",
                                                       "version": version}, token_from=url)
    assert no_reason.status_code in (400, 409)
    version = _version(client.get(url).get_data(as_text=True))
    assert client.post_form(f"{url}/transition", {"trigger": "approve_minutes",
                                                  "version": version},
                            token_from=url).status_code == 302
    html = client.get(url).get_data(as_text=True)
    year = meeting.starts_at.year
    assert f"SG-{year}/01" in html or f"SG-{year + 1}/01" in html


@pytest.mark.parametrize("role", ["coordinator", "admin", "head_of_service", "case_manager",
                                  "specialist", "auditor", "inspector"])
def test_groups_pages_render_for_each_role(client, make_user, make_institution, role,
                                           make_group, make_meeting):
    institution = None if role == "inspector" else make_institution("other")
    user = make_user(role, institution=institution)
    members = [user] if role in ("head_of_service", "case_manager", "specialist") else []
    group = make_group(members=members)
    meeting = make_meeting(group, invite=members)
    client.login(user.email, TEST_PASSWORD)
    listing = client.get("/groups")
    if role in ("auditor", "inspector"):
        assert listing.status_code == 403
        assert client.get(f"/meetings/{meeting.id}").status_code == 404
        return
    assert listing.status_code == 200 and group.name in listing.get_data(as_text=True)
    assert client.get(f"/groups/{group.id}").status_code == 200
    expected = 404 if role == "admin" else 200
    assert client.get(f"/meetings/{meeting.id}").status_code == expected
    assert "/groups" in client.get("/").get_data(as_text=True)
    _ = date.today()


def test_approving_says_what_happened_and_returns_to_the_section(client, coordinator, group,
                                                                 member, make_meeting, app):
    """Issue 11.7: "Protokols apstiprināts: 2 lēmumi numurēti, ..." instead of "Saglabāts.", and
    the page opens at the section that was edited."""
    from flask_babel import force_locale, gettext

    meeting = make_meeting(group, invite=[member], started=True)
    hold(coordinator, meeting)
    for text in ("Pirmais", "Otrais"):
        ops.add_decision(coordinator, meeting, kind="decision", text=text)
    ops.add_task(coordinator, meeting, title="Sagatavot", assignee=member,
                 due_date=meeting.starts_at.date())
    db.session.commit()
    client.login(coordinator.email)
    url = f"/meetings/{meeting.id}"
    response = client.post_form(f"{url}/transition", {"trigger": "approve_minutes",
                                                      "version": meeting.version},
                                token_from=url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{url}#actions-h")
    html = client.get(url).get_data(as_text=True)
    people = ops.approval_summary(meeting)["people"]
    assert people >= 2
    with app.test_request_context(), force_locale("lv"):
        told = gettext("Minutes approved: %(decisions)s decisions numbered, %(tasks)s tasks "
                       "issued, %(people)s participants informed.", decisions=2, tasks=1,
                       people=people)
    assert told in html
    response = client.post_form(f"{url}/minutes", {"minutes": "x", "version": 99},
                                token_from=url)
    assert response.status_code in (400, 409)


def test_minutes_autosave_gets_the_new_version_as_json_and_409_when_stale(
        client, coordinator, group, member, make_meeting):
    """Issue 11.5: the minutes save answers a JSON client (the page's autosave) with the new
    version, so the next save and the normal submit are not stale; a stale one is a 409."""
    meeting = make_meeting(group, invite=[member], started=True)
    hold(coordinator, meeting, minutes=None)
    client.login(coordinator.email)
    url = f"/meetings/{meeting.id}"
    token = client.csrf_token(url)
    version = meeting.version
    first = client.post(f"{url}/minutes", data={"csrf_token": token, "minutes": "Pirmais",
                                                "version": version},
                        headers={"Accept": "application/json"})
    assert first.status_code == 200 and first.json["saved"]
    assert int(first.json["version"]) == version + 1
    second = client.post(f"{url}/minutes", data={"csrf_token": token,
                                                 "minutes": "Pirmais un otrais",
                                                 "version": first.json["version"]},
                         headers={"Accept": "application/json"})
    assert second.status_code == 200
    stale = client.post(f"{url}/minutes", data={"csrf_token": token, "minutes": "Vecs",
                                                "version": version},
                        headers={"Accept": "application/json"})
    assert stale.status_code == 409 and stale.json["version"] == second.json["version"]
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).minutes == "Pirmais un otrais"
    assert 'data-autosave' in client.get(url).get_data(as_text=True)
