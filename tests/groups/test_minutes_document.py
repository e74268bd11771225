"""Issue 13.1: the minutes of an approved meeting as PDF/A and DOCX with the requisites of an
official document (Cabinet Regulation No. 558); strategic minutes never show a child's name;
a case's minutes only to those who see the case."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from pypdf import PdfReader

from casework.cases import operations as case_ops
from casework.extensions import db
from casework.groups import operations as ops
from tests.conftest import audit_actions
from tests.groups.conftest import at, hold


@pytest.fixture
def members(make_user, make_institution):
    return {"orphans": make_user("specialist", institution=make_institution(
                "orphans_court", name="Bāriņtiesa"), full_name="Ilze Bāriņtiesa"),
            "police": make_user("specialist", institution=make_institution(
                "state_police", name="Valsts policija"), full_name="Juris Policists")}


@pytest.fixture
def approved(coordinator, make_group, make_meeting, members, make_user, make_institution):
    """A strategic meeting whose agenda names a case of the child Anna Bērziņa by number."""
    manager = make_user("case_manager", institution=make_institution("social_service"))
    case = case_ops.open_case(manager, municipality_id=manager.municipality_id, risk="red",
                              categories=["violence"], case_manager=manager,
                              owner_institution_id=manager.institution_id,
                              child={"given_name": "Anna", "family_name": "Bērziņa",
                                     "personal_code": None, "birth_date": date(2015, 5, 4)})
    db.session.commit()
    group = make_group("Stratēģiskā grupa", members=list(members.values()))
    meeting = make_meeting(group, starts=at(2026, 3, 3, 10), invite=list(members.values()),
                           place="Domes zāle", minute_taker_id=members["orphans"].id)
    item = ops.add_agenda_item(coordinator, meeting, kind="item",
                               text="Sadarbība ar skolām", case_number=case.number)
    ops.record_attendance(coordinator, meeting, {members["orphans"].id: "attended",
                                                 members["police"].id: "excused"})
    ops.mark_held(coordinator, meeting)
    ops.save_minutes(coordinator, meeting, minutes="Apsprieda skolu kavējumus.")
    ops.add_decision(coordinator, meeting, kind="decision", text="Izveidot darba grupu",
                     responsible_institution_id=members["police"].institution_id,
                     due_date=date(2026, 6, 1), agenda_item_id=item.id)
    ops.add_task(coordinator, meeting, title="Sagatavot priekšlikumus",
                 assignee=members["orphans"], due_date=date(2026, 4, 1))
    ops.approve_minutes(coordinator, meeting)
    db.session.commit()
    return {"meeting": meeting, "case": case, "manager": manager}


def _pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_minutes_pdf_carries_every_requisite_of_an_official_document(client, coordinator,
                                                                      approved, members):
    client.login(coordinator.email)
    response = client.get(f"/meetings/{approved['meeting'].id}/minutes.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data()
    reader = PdfReader(io.BytesIO(body))
    assert b"pdfaid:part" in reader.trailer["/Root"]["/Metadata"].get_data()  # PDF/A
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    text = " ".join(_pdf_text(body).split())
    for requisite in ("PROTOKOLS", "Stratēģiskā grupa", "03.03.2026", "Nr. 1", "Reģ. Nr.",
                      "Domes zāle", "10:00", coordinator.full_name, "Ilze Bāriņtiesa",
                      "Juris Policists", "Sadarbība ar skolām", approved["case"].number,
                      "Apsprieda skolu kavējumus.", "SG-2026/01", "Izveidot darba grupu",
                      "Valsts policija", "01.06.2026", "Sagatavot priekšlikumus",
                      "01.04.2026", "Protokols apstiprināts", "Sēdes vadītājs",
                      "Protokolētājs", "DROŠU ELEKTRONISKO PARAKSTU"):
        assert requisite in text, requisite
    assert "attaisnoti" in text  # the police member was excused


def test_strategic_minutes_never_show_a_childs_name(client, coordinator, approved):
    client.login(coordinator.email)
    for fmt in ("pdf", "docx"):
        body = client.get(f"/meetings/{approved['meeting'].id}/minutes.{fmt}").get_data()
        text = _pdf_text(body) if fmt == "pdf" else "\n".join(
            p.text for p in Document(io.BytesIO(body)).paragraphs)
        assert "Anna" not in text and "Bērziņa" not in text
        assert approved["case"].number in text


def test_minutes_docx_has_the_same_requisites(client, coordinator, approved):
    client.login(coordinator.email)
    body = client.get(f"/meetings/{approved['meeting'].id}/minutes.docx").get_data()
    text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
    for requisite in ("PROTOKOLS", "Reģ. Nr.", "SG-2026/01", "Sēdes vadītājs", "Protokolētājs"):
        assert requisite in text


def test_minutes_are_a_document_only_once_approved_and_only_for_who_sees_the_meeting(
        client, coordinator, make_group, make_meeting, make_user, approved):
    group = make_group("Cita grupa")
    planned = make_meeting(group, starts=at(2026, 4, 3, 10))
    client.login(coordinator.email)
    assert client.get(f"/meetings/{planned.id}/minutes.pdf").status_code == 404
    assert client.get(f"/meetings/{approved['meeting'].id}/minutes.odt").status_code == 404
    outsider = client.application.test_client()
    outsider.login(make_user("specialist").email)
    assert outsider.get(f"/meetings/{approved['meeting'].id}/minutes.pdf").status_code == 404


def test_a_cases_minutes_are_visible_only_to_those_who_see_the_case(client, make_user,
                                                                    approved):
    from datetime import UTC, datetime, timedelta

    manager, case = approved["manager"], approved["case"]
    group = case_ops.case_group(case)
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    meeting = ops.plan_meeting(manager, group, starts_at=starts,
                               ends_at=starts + timedelta(hours=1), invite_ids=[manager.id])
    ops.add_agenda_item(manager, meeting, kind="goal", text="Drošības plāns")
    hold(manager, meeting)
    ops.approve_minutes(manager, meeting)
    db.session.commit()
    client.login(manager.email)
    response = client.get(f"/meetings/{meeting.id}/minutes.pdf")
    assert response.status_code == 200
    assert "meeting_minutes_exported" in audit_actions()
    other = client.application.test_client()
    other.login(make_user("case_manager").email)
    assert other.get(f"/meetings/{meeting.id}/minutes.pdf").status_code == 404


def test_the_meeting_page_shows_the_approval_trail_and_the_document_links(
        client, coordinator, approved):
    client.login(coordinator.email)
    html = client.get(f"/meetings/{approved['meeting'].id}").get_data(as_text=True)
    assert f"/meetings/{approved['meeting'].id}/minutes.pdf" in html
    assert coordinator.full_name in html
