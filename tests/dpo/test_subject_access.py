"""The data protection officer's subject-access export (issue 14, part 3): who may use it, what
it holds (and withholds), its PDF and JSON, and its audit trail."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.auth.models import User
from casework.cases import operations as cases
from casework.cases.models import Case, CasePerson
from casework.db_types import utcnow
from casework.extensions import db
from casework.jobs import sweeps
from tests.world import PASSWORD, build_world


@pytest.fixture
def world(app_ctx):
    built = build_world("0990001", "a")
    db.session.remove()
    return built


def _login(client, world, role="auditor"):
    response = client.login(world["logins"][role], PASSWORD)
    assert response.status_code == 302


def _urls(world, person_id=None) -> list[str]:
    ids = world["ids"]
    base = f"/dpo/subject-access/cases/{ids['case_id']}"
    person = f"{base}/persons/{person_id or ids['person_id']}"
    return [base, person, f"{person}/export.pdf", f"{person}/export.json"]


def _export(client, world, fmt="json", person_id=None):
    response = client.get(_urls(world, person_id)[3 if fmt == "json" else 2])
    assert response.status_code == 200, response.status_code
    return response


def _pdf_text(body: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
                    .split())


def _user(world, role) -> User:
    return db.session.get(User, world["user_ids"][role])


def test_officer_downloads_everything_the_municipality_holds_about_the_person_as_json(
        client, world):
    _login(client, world)
    response = _export(client, world)
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert (data["schema"], data["schema_version"]) == ("casework.subject_access", "1.1")
    assert data["subject"]["given_name"] == "Inese"
    [record] = data["records"]
    assert record["person"]["family_name"] == "Bērziņa"
    assert record["case"]["categories"] == ["neglect"]
    assert [n["text"] for n in record["notes"]] == ["Piezīme."]
    assert [(p["subject"], p["opinion"]) for p in record["participation"]] == [
        ("Plāns", "Piekrīt.")]
    assert {a["text"] for a in record["assessments"][0]["areas"]} == {"Vērtējums."}
    assert [d["filename"] for d in record["documents"]] == ["atzinums.pdf"]
    assert record["history"] and all("at" in e for e in record["history"])
    # Staff are named by their institution, never by name.
    assert "case_manager a" not in response.get_data(as_text=True)


def test_officer_downloads_the_same_export_as_pdf(client, world):
    _login(client, world)
    response = _export(client, world, "pdf")
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = _pdf_text(response.data)
    assert "Inese Bērziņa" in text and "Piezīme." in text and "Piekrīt." in text
    assert "Vērtējums." in text and "atzinums.pdf" in text


def test_restricted_notes_are_withheld_and_the_export_does_not_reveal_them(client, world):
    case = db.session.get(Case, world["ids"]["case_id"])
    cases.add_note(_user(world, "case_manager"), case, level="restricted",
                   text="Policija izmeklē tēvu")
    cases.add_note(_user(world, "specialist"), case, level="institution", text="Skolas ziņa")
    db.session.commit()
    _login(client, world)
    page = client.get(_urls(world)[1]).get_data(as_text=True)
    assert "Policija" not in page
    assert "Ierobežotas piezīmes: 1; ierobežoti dokumenti: 0." in page
    body = _export(client, world).get_data(as_text=True)
    assert "Policija izmeklē" not in body and "Skolas ziņa" in body
    assert "restricted" not in body
    assert "Policija izmeklē" not in _pdf_text(_export(client, world, "pdf").data)


def test_meetings_are_given_once_held_and_their_minutes_once_approved(client, world):
    from casework.groups import operations as groups
    from casework.groups.models import Meeting
    from tests.groups.conftest import hold

    manager = _user(world, "case_manager")
    meeting = db.session.get(Meeting, world["ids"]["case_meeting_id"])
    _login(client, world)
    assert _export_json(client, world)["records"][0]["meetings"] == []
    hold(manager, meeting, minutes="Vienojās par drošības plānu.")  # it has begun by then
    [held] = _export_json(client, world)["records"][0]["meetings"]
    assert held["agenda"] == ["Drošības plāns"] and held["minutes"] is None
    groups.approve_minutes(manager, db.session.get(Meeting, meeting.id))
    db.session.commit()
    [approved] = _export_json(client, world)["records"][0]["meetings"]
    assert approved["minutes"] == "Vienojās par drošības plānu."


def test_the_minutes_of_each_agenda_item_are_given_once_approved(client, world):
    """Issue 18.4: the minutes written per agenda item are part of the meeting's record."""
    from casework.groups import operations as groups
    from casework.groups.models import Meeting
    from tests.groups.conftest import hold

    manager = _user(world, "case_manager")
    meeting = db.session.get(Meeting, world["ids"]["case_meeting_id"])
    hold(manager, meeting, minutes=None)
    [item] = meeting.agenda
    groups.save_minutes(manager, meeting, minutes=None,
                        item_minutes={item.id: "Drošības plāns saskaņots ar māti."})
    db.session.commit()
    _login(client, world)
    [held] = _export_json(client, world)["records"][0]["meetings"]
    assert held["agenda_minutes"] == []
    assert "Drošības plāns saskaņots" not in _pdf_text(_export(client, world, "pdf").data)
    groups.approve_minutes(manager, db.session.get(Meeting, meeting.id))
    db.session.commit()
    [approved] = _export_json(client, world)["records"][0]["meetings"]
    assert approved["agenda_minutes"] == [{"item": "Drošības plāns",
                                           "minutes": "Drošības plāns saskaņots ar māti."}]
    assert "Drošības plāns saskaņots ar māti." in _pdf_text(_export(client, world, "pdf").data)


def _export_json(client, world, person_id=None) -> dict:
    return json.loads(_export(client, world, person_id=person_id).get_data(as_text=True))


def test_the_same_personal_code_in_another_case_of_the_municipality_is_included(
        client, world):
    manager = _user(world, "case_manager")
    first = db.session.get(Case, world["ids"]["case_id"])
    code = "150515-10003"
    person = cases.add_person(manager, first, role="guardian", given_name="Dace",
                              family_name="Ozola", personal_code=code, birth_date=None)
    other = cases.open_case(manager, municipality_id=first.municipality_id, risk="green",
                            categories=("other",), case_manager=manager,
                            owner_institution_id=manager.institution_id)
    cases.add_person(manager, other, role="parent", given_name="Dace", family_name="Ozola",
                     personal_code=code, birth_date=None)
    db.session.commit()
    _login(client, world)
    data = _export_json(client, world, person.id)
    assert sorted(r["case"]["number"] for r in data["records"]) == sorted(
        [first.number, other.number])


@pytest.mark.parametrize("role", ["admin", "coordinator", "head_of_service", "case_manager",
                                  "specialist"])
def test_every_role_but_the_officer_gets_404(client, world, role):
    _login(client, world, role)
    for url in ["/dpo/subject-access", *_urls(world)]:
        assert client.get(url).status_code == 404, url


def test_anonymous_users_are_sent_to_the_login_page(client, world):
    for url in ["/dpo/subject-access", *_urls(world)]:
        assert client.get(url).status_code in (302, 401), url


def test_officer_of_another_municipality_gets_404(client, world):
    other = build_world("0990002", "b")
    db.session.remove()
    _login(client, other)
    for url in _urls(world):
        assert client.get(url).status_code == 404, url
    number = db.session.get(Case, world["ids"]["case_id"]).number
    # The other municipality has a case with the same number: the lookup finds its own.
    response = client.get("/dpo/subject-access", query_string={"number": number})
    assert response.headers["Location"].endswith(
        f"/dpo/subject-access/cases/{other['ids']['case_id']}")


def test_a_person_of_another_case_gets_404(client, world):
    manager = _user(world, "case_manager")
    other = cases.open_case(manager, municipality_id=manager.municipality_id, risk="green",
                            categories=("other",), case_manager=manager,
                            owner_institution_id=manager.institution_id,
                            child={"given_name": "Cits", "family_name": "Bērns",
                                   "personal_code": None, "birth_date": None})
    db.session.commit()
    stranger = db.session.scalar(select(CasePerson.id).where(CasePerson.case_id == other.id))
    _login(client, world)
    for url in _urls(world, stranger)[1:]:
        assert client.get(url).status_code == 404, url
    assert client.get(_urls(world)[1] + "/export.xlsx").status_code == 404


def test_officer_finds_the_case_by_its_number_and_chooses_the_person(client, world):
    _login(client, world)
    assert 'href="/dpo/subject-access"' in client.get("/").get_data(as_text=True)
    number = db.session.get(Case, world["ids"]["case_id"]).number
    response = client.get("/dpo/subject-access", query_string={"number": number})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Anna Bērziņa" in page and "Inese Bērziņa" in page
    assert f"/persons/{world['ids']['person_id']}" in page
    missing = client.get("/dpo/subject-access", query_string={"number": "1999/9999"})
    assert missing.status_code == 200
    assert "Pašvaldībā nav lietas ar šādu numuru." in missing.get_data(as_text=True)
    assert client.get("/dpo/subject-access",
                      query_string={"number": "x" * 5000}).status_code == 200


def test_opening_a_case_and_every_export_are_audited_with_ids_only(client, world):
    _login(client, world)
    client.get(_urls(world)[0])
    _export(client, world)
    _export(client, world, "pdf")
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("subject_access%")).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["subject_access_case_opened",
                                          "subject_access_exported", "subject_access_exported"]
    ids = world["ids"]
    assert all(e.user_id == world["user_ids"]["auditor"] for e in events)
    assert all(e.object_type == "Case" and e.object_id == str(ids["case_id"]) for e in events)
    assert events[1].details == {"person_id": ids["person_id"], "format": "json",
                                 "persons": [ids["person_id"]], "ids": [ids["case_id"]]}
    assert events[2].details["format"] == "pdf"
    assert "Bērziņa" not in " ".join(str(e.details) for e in events)


def test_export_of_an_anonymised_case_holds_no_name(client, world):
    case = db.session.get(Case, world["ids"]["case_id"])
    case.status, case.closed_at = "closed", utcnow() - timedelta(days=365 * 11)
    db.session.commit()
    assert sweeps.run_job("anonymise") == 1
    _login(client, world)
    body = _export(client, world).get_data(as_text=True)
    assert "Bērziņa" not in body and "Inese" not in body and "Piezīme" not in body
    assert "Anonimizēts" in body
