"""Issue 18.4: the minutes are structured per agenda item (what was discussed and concluded on
each item, with its decisions and tasks inline); the meeting's own minutes are the general part.
The same lock, version check and audit as the general minutes; the stepper, the page, the
document (PDF/DOCX) and the subject-access export show the items' minutes."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.auth.operations import OperationRefused
from casework.concurrency import Stale
from casework.extensions import db
from casework.groups import operations as ops
from casework.groups.models import AgendaItem, Meeting
from tests.groups.conftest import at, hold


@pytest.fixture
def member(make_user, make_institution):
    return make_user("specialist", institution=make_institution("state_police"),
                     full_name="Juris Policists")


@pytest.fixture
def group(make_group, member):
    return make_group(members=[member])


@pytest.fixture
def meeting(coordinator, group, member, make_meeting):
    """A held meeting with a goal and an item on its agenda and no minutes yet."""
    found = make_meeting(group, invite=[member], started=True)
    ops.add_agenda_item(coordinator, found, kind="item", text="Skolu kavējumi")
    db.session.commit()
    hold(coordinator, found, minutes=None)
    return found


def _items(meeting) -> list[AgendaItem]:
    return list(meeting.agenda)


def _version(html: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)


# -- the service --------------------------------------------------------------------------------
def test_item_minutes_are_saved_per_item_and_blank_is_none(coordinator, meeting):
    goal, item = _items(meeting)
    ops.save_minutes(coordinator, meeting, minutes="Vispārīgi.",
                     item_minutes={goal.id: "  Izvērtēta sadarbība.  ", item.id: "   "})
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(AgendaItem, goal.id).minutes == "Izvērtēta sadarbība."
    assert db.session.get(AgendaItem, item.id).minutes is None
    assert db.session.get(Meeting, meeting.id).minutes == "Vispārīgi."


def test_items_not_named_keep_their_minutes(coordinator, meeting):
    goal, item = _items(meeting)
    ops.save_minutes(coordinator, meeting, minutes=None,
                     item_minutes={goal.id: "Pirmais", item.id: "Otrais"})
    ops.save_minutes(coordinator, meeting, minutes="Tikai vispārīgi.")
    ops.save_minutes(coordinator, meeting, minutes="Tikai vispārīgi.",
                     item_minutes={item.id: "Otrais, labots"})
    db.session.commit()
    db.session.expire_all()
    assert [i.minutes for i in db.session.get(Meeting, meeting.id).agenda] == [
        "Pirmais", "Otrais, labots"]


def test_minutes_of_another_meetings_item_are_refused(coordinator, group, meeting,
                                                      make_meeting):
    other = make_meeting(group)
    [foreign] = other.agenda
    goal, _item = _items(meeting)
    with pytest.raises(OperationRefused):
        ops.save_minutes(coordinator, meeting, minutes="x",
                         item_minutes={goal.id: "Mans", foreign.id: "Svešs"})
    db.session.rollback()
    assert db.session.get(AgendaItem, foreign.id).minutes is None
    assert db.session.get(AgendaItem, goal.id).minutes is None


def test_item_minutes_longer_than_the_minutes_limit_are_refused(coordinator, meeting):
    goal, _item = _items(meeting)
    with pytest.raises(OperationRefused):
        ops.save_minutes(coordinator, meeting, minutes=None,
                         item_minutes={goal.id: "x" * 50001})
    db.session.rollback()
    ops.save_minutes(coordinator, meeting, minutes=None, item_minutes={goal.id: "x" * 50000})


def test_item_minutes_are_locked_once_the_minutes_are_approved(coordinator, meeting):
    goal, _item = _items(meeting)
    ops.save_minutes(coordinator, meeting, minutes="Protokols.")
    ops.approve_minutes(coordinator, meeting)
    db.session.commit()
    with pytest.raises(OperationRefused):
        ops.save_minutes(coordinator, meeting, minutes="Protokols.",
                         item_minutes={goal.id: "Vēlāk"})
    db.session.rollback()
    assert db.session.get(AgendaItem, goal.id).minutes is None


def test_changing_only_an_items_minutes_bumps_the_meetings_version(coordinator, meeting):
    goal, _item = _items(meeting)
    version = meeting.version
    ops.save_minutes(coordinator, meeting, minutes=None, item_minutes={goal.id: "Jauns"},
                     expected_version=version)
    db.session.commit()
    assert meeting.version == version + 1
    with pytest.raises(Stale):
        ops.save_minutes(coordinator, meeting, minutes=None, item_minutes={goal.id: "Vecs"},
                         expected_version=version)
    db.session.rollback()
    assert db.session.get(AgendaItem, goal.id).minutes == "Jauns"


def test_saving_item_minutes_is_audited_without_their_text(coordinator, meeting):
    goal, _item = _items(meeting)
    ops.save_minutes(coordinator, meeting, minutes=None,
                     item_minutes={goal.id: "Slepens teksts par bērnu"})
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "meeting_minutes_saved").order_by(AuditEvent.id.desc())).first()
    assert event is not None
    assert event.details == {"agenda_items": [goal.id]}
    assert "Slepens" not in str(event.details)


def test_the_stepper_counts_an_items_minutes_as_minutes_written(coordinator, meeting):
    assert ops.meeting_facts(meeting).minutes_written is False
    goal, _item = _items(meeting)
    ops.save_minutes(coordinator, meeting, minutes=None, item_minutes={goal.id: "Vienojāmies."})
    db.session.commit()
    assert ops.meeting_facts(meeting).minutes_written is True
    minutes_step = [s for s in ops.meeting_steps(meeting, ops.meeting_facts(meeting), "lv")
                    if s.key == "minutes"]
    assert minutes_step[0].done
    # Approving needs written minutes: an item's minutes are enough.
    ops.approve_minutes(coordinator, meeting)
    db.session.commit()
    assert meeting.status == "minutes_approved"


# -- the meeting page ---------------------------------------------------------------------------
def test_the_minutes_section_has_a_text_per_item_with_its_decisions_and_tasks(
        client, coordinator, member, meeting):
    goal, item = _items(meeting)
    ops.add_decision(coordinator, meeting, kind="decision", text="Izveidot darba grupu",
                     agenda_item_id=item.id)
    ops.add_task(coordinator, meeting, title="Apkopot kavējumus", assignee=member,
                 due_date=date(2026, 9, 1), agenda_item_id=item.id)
    db.session.commit()
    client.login(coordinator.email)
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    minutes = html[html.index('id="minutes-h"'):html.index('id="decisions-h"')]
    for agenda_item in (goal, item):
        assert f'id="item-minutes-{agenda_item.id}"' in minutes
        assert f'name="item_minutes-{agenda_item.id}"' in minutes
        assert f'for="item-minutes-{agenda_item.id}"' in minutes
    assert minutes.index(goal.text) < minutes.index(item.text) < minutes.index(
        "Izveidot darba grupu")
    assert "Apkopot kavējumus" in minutes and "melnraksts" in minutes
    # A way to add a decision or a task for this very item.
    assert f"add_decision={item.id}" in minutes and f"add_task={item.id}" in minutes
    assert 'id="minutes"' in minutes  # the general part stays
    for field_id in (f"item-minutes-{goal.id}", f"item-minutes-{item.id}", "minutes"):
        assert html.count(f'id="{field_id}"') == 1, field_id


def test_add_a_decision_for_an_item_opens_the_form_with_the_item_chosen(
        client, coordinator, meeting):
    _goal, item = _items(meeting)
    client.login(coordinator.email)
    html = client.get(f"/meetings/{meeting.id}?add_decision={item.id}").get_data(as_text=True)
    assert 'id="add-decision" open' in html
    form = html[html.index('id="add-decision"'):]
    assert re.search(rf'<option selected value="{item.id}"|<option value="{item.id}" selected',
                     form)
    html = client.get(f"/meetings/{meeting.id}?add_task={item.id}").get_data(as_text=True)
    assert 'id="add-task" open' in html
    form = html[html.index('id="add-task"'):]
    assert re.search(rf'<option selected value="{item.id}"|<option value="{item.id}" selected',
                     form)
    # An item of no agenda of this meeting is simply not chosen.
    assert client.get(f"/meetings/{meeting.id}?add_decision=999999").status_code == 200


def test_item_minutes_are_saved_through_the_page_and_shown_again(client, coordinator, meeting):
    goal, item = _items(meeting)
    client.login(coordinator.email)
    url = f"/meetings/{meeting.id}"
    version = _version(client.get(url).get_data(as_text=True))
    response = client.post_form(f"{url}/minutes", {
        "minutes": "Citi jautājumi.", f"item_minutes-{goal.id}": "Par sadarbību vienojāmies.",
        f"item_minutes-{item.id}": "Kavējumi pieauguši.", "version": version}, token_from=url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{url}#minutes-h")
    db.session.expire_all()
    assert [i.minutes for i in db.session.get(Meeting, meeting.id).agenda] == [
        "Par sadarbību vienojāmies.", "Kavējumi pieauguši."]
    html = client.get(url).get_data(as_text=True)
    assert "Par sadarbību vienojāmies." in html and "Kavējumi pieauguši." in html


def test_a_page_save_naming_another_meetings_item_is_refused_with_the_text_kept(
        client, coordinator, group, meeting, make_meeting):
    other = make_meeting(group)
    [foreign] = other.agenda
    goal, _item = _items(meeting)
    client.login(coordinator.email)
    url = f"/meetings/{meeting.id}"
    response = client.post_form(f"{url}/minutes", {
        "minutes": "", f"item_minutes-{goal.id}": "Mans teksts par mērķi",
        f"item_minutes-{foreign.id}": "Svešs", "version": meeting.version}, token_from=url)
    assert response.status_code == 400
    assert "Mans teksts par mērķi" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AgendaItem, foreign.id).minutes is None
    assert db.session.get(AgendaItem, goal.id).minutes is None


def test_a_too_long_item_text_is_a_form_error_with_the_text_kept(client, coordinator, meeting):
    goal, item = _items(meeting)
    client.login(coordinator.email)
    url = f"/meetings/{meeting.id}"
    response = client.post_form(f"{url}/minutes", {
        f"item_minutes-{goal.id}": "x" * 50001, f"item_minutes-{item.id}": "Saglabājas ekrānā",
        "version": meeting.version}, token_from=url)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Saglabājas ekrānā" in html and f'href="#item-minutes-{goal.id}"' in html


def test_a_stale_save_of_item_minutes_is_409_with_every_typed_text_shown_back(
        client, coordinator, meeting):
    goal, item = _items(meeting)
    client.login(coordinator.email)
    url = f"/meetings/{meeting.id}"
    old = _version(client.get(url).get_data(as_text=True))
    ops.save_minutes(coordinator, meeting, minutes=None, item_minutes={goal.id: "Kolēģa teksts"})
    db.session.commit()
    response = client.post_form(f"{url}/minutes", {
        "minutes": "Mans vispārīgais", f"item_minutes-{goal.id}": "Mans par mērķi",
        f"item_minutes-{item.id}": "Mans par kavējumiem", "version": old}, token_from=url)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    kept = html[html.index('id="kept-input-h"'):]
    for typed in ("Mans vispārīgais", "Mans par mērķi", "Mans par kavējumiem"):
        assert typed in kept
    assert f'name="item_minutes-{goal.id}"' in kept
    db.session.expire_all()
    assert db.session.get(AgendaItem, goal.id).minutes == "Kolēģa teksts"


def test_the_autosave_of_item_minutes_gets_the_new_version(client, coordinator, meeting):
    goal, _item = _items(meeting)
    client.login(coordinator.email)
    url = f"/meetings/{meeting.id}"
    token = client.csrf_token(url)
    first = client.post(f"{url}/minutes", data={
        "csrf_token": token, "minutes": "", f"item_minutes-{goal.id}": "Melnraksts",
        "version": meeting.version}, headers={"Accept": "application/json"})
    assert first.status_code == 200 and int(first.json["version"]) == meeting.version + 1
    stale = client.post(f"{url}/minutes", data={
        "csrf_token": token, "minutes": "", f"item_minutes-{goal.id}": "Cits",
        "version": meeting.version}, headers={"Accept": "application/json"})
    assert stale.status_code == 409


def test_the_read_only_minutes_show_the_same_structure(client, coordinator, member, meeting):
    goal, item = _items(meeting)
    ops.save_minutes(coordinator, meeting, minutes="Vispārīgā gaita.",
                     item_minutes={goal.id: "Par mērķi.", item.id: "Par kavējumiem."})
    ops.add_decision(coordinator, meeting, kind="decision", text="Izveidot darba grupu",
                     agenda_item_id=item.id)
    ops.approve_minutes(coordinator, meeting)
    db.session.commit()
    client.login(member.email)
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    minutes = html[html.index('id="minutes-h"'):html.index('id="decisions-h"')]
    assert "<textarea" not in minutes
    assert (minutes.index(goal.text) < minutes.index("Par mērķi.") < minutes.index(item.text)
            < minutes.index("Par kavējumiem.") < minutes.index("Izveidot darba grupu")
            < minutes.index("Vispārīgā gaita."))
    year = meeting.starts_at.year
    assert re.search(rf'<a href="/decisions/\d+">SG-({year}|{year + 1})/01</a>', minutes)


# -- the document -------------------------------------------------------------------------------
@pytest.fixture
def approved(coordinator, group, member, make_meeting):
    found = make_meeting(group, starts=at(2026, 3, 3, 10), invite=[member])
    item = ops.add_agenda_item(coordinator, found, kind="item", text="Skolu kavējumi")
    ops.record_attendance(coordinator, found, {member.id: "attended"})
    ops.mark_held(coordinator, found)
    goal = found.agenda[0]
    ops.save_minutes(coordinator, found, minutes="Citi jautājumi netika skatīti.",
                     item_minutes={goal.id: "Sadarbība izvērtēta kā laba.",
                                   item.id: "Kavējumu skaits pieaudzis divkārt."})
    ops.add_decision(coordinator, found, kind="decision", text="Izveidot darba grupu",
                     agenda_item_id=item.id, due_date=date(2026, 6, 1))
    ops.approve_minutes(coordinator, found)
    db.session.commit()
    return found


def test_the_pdf_shows_each_items_minutes_before_its_decisions(client, coordinator, approved):
    client.login(coordinator.email)
    body = client.get(f"/meetings/{approved.id}/minutes.pdf").get_data()
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
                    .split())
    assert (text.index("Sadarbība izvērtēta kā laba.") < text.index("Skolu kavējumi",
            text.index("Sadarbība izvērtēta kā laba.")) < text.index(
        "Kavējumu skaits pieaudzis divkārt.") < text.index("Izveidot darba grupu"))
    assert "Citi jautājumi netika skatīti." in text


def test_the_docx_shows_each_items_minutes_before_its_decisions(client, coordinator, approved):
    client.login(coordinator.email)
    body = client.get(f"/meetings/{approved.id}/minutes.docx").get_data()
    paragraphs = [p.text for p in Document(io.BytesIO(body)).paragraphs]
    text = "\n".join(paragraphs)
    first = text.index("Sadarbība izvērtēta kā laba.")
    second = text.index("Kavējumu skaits pieaudzis divkārt.")
    assert first < text.index("Skolu kavējumi", first) < second
    assert second < text.index("Izveidot darba grupu", second)
    assert "Citi jautājumi netika skatīti." in text
