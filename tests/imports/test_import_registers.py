"""Importing a municipality's case register and decision table from real spreadsheets: a dry
run lists every row's errors in Latvian, nothing is written on any error, a summary after."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from stdnum.lv.pvn import calc_check_digit_pers

from casework.cases.models import Case, CaseEvent, CasePerson
from casework.extensions import db
from casework.groups.models import CooperationGroup, Decision, DecisionProgress, GroupMember
from casework.imports.registers import import_cases, import_decisions
from tests.conftest import audit_actions

CASE_HEADER = ["Lietas numurs", "Bērna vārds", "Bērna uzvārds", "Bērna personas kods",
               "Personas", "Riska profils", "Statuss", "Gadījuma vadītājs", "Atvērta",
               "Slēgta", "Slēgšanas iemesls", "Kategorijas"]


def code(first_ten: str) -> str:
    digits = first_ten + calc_check_digit_pers(first_ten)
    return f"{digits[:6]}-{digits[6:]}"


def xlsx(header, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Lietu reģistrs"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def manager(make_user):
    return make_user("case_manager", email="anna.liepa@parauga-novads.lv")


def good_rows(manager_email):
    return [
        ["2024/0012", "Laura", "Strazdiņa", code("1503121234"),
         "Ieva Strazdiņa (vecāks); Pēteris Strazdiņš (aizbildnis)", "dzeltens",
         "intervence (aktīva sadarbība)", manager_email, datetime(2024, 3, 4), None, None,
         "nolaidība, neapmeklē izglītības iestādi"],
        ["2024/0013", "Marta", "Kalniņa", None, None, "zaļš", "slēgta", manager_email,
         "05.02.2024", "30.06.2025", "Mērķi sasniegti", "uzvedības problēmas"],
        ["2025/0001", "Jānis", "Ozols", None, None, "sarkans", "krīze", manager_email,
         "2025-01-10", None, None, "vardarbība"],
    ]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_register_with_bad_rows_writes_nothing_and_lists_every_rows_error(manager):
    rows = good_rows(manager.email) + [
        ["2024/0014", "Ilze", "Bērziņa", "010199-12340", None, "zaļš", "izvērtēšana",
         manager.email, "01.03.2024", None, None, None],                     # bad checksum
        ["2024/0015", "Kārlis", "Liepa", None, None, "sarkans", "slēgta", manager.email,
         "01.03.2024", "01.04.2024", "Mērķi sasniegti", None],                # red and closed
        ["2024/0016", "Rita", "Vītola", None, None, "zils", "izvērtēšana",
         "nav.tads@example.lv", "32.13.2024", None, None, "kaut kas"],         # four errors
        ["2024/0012", "Dubults", "Numurs", None, None, "zaļš", "reģistrēta", None,
         "01.03.2024", None, None, None],                                    # number twice
        ["24-17", None, "Bez vārda", None, "Viens (vecāks)", "zaļš", "izvērtēšana",
         manager.email, "01.03.2024", None, None, None],                     # number, name
    ]
    result = import_cases(None, manager.municipality_id, "lietas.xlsx",
                          xlsx(CASE_HEADER, rows), dry_run=False)

    assert not result.written and result.rows == 8
    where = {(e.row, e.column) for e in result.errors}
    assert (5, "Bērna personas kods") in where
    assert (6, "Riska profils") in where
    assert {(7, "Riska profils"), (7, "Gadījuma vadītājs"), (7, "Atvērta"),
            (7, "Kategorijas")} <= where
    assert (8, "Lietas numurs") in where
    assert {(9, "Lietas numurs"), (9, "Bērna vārds"), (9, "Personas")} <= where
    assert not any(e.row in (2, 3, 4) for e in result.errors)
    messages = " ".join(e.message for e in result.errors)
    assert "Sarkanu lietu nevar slēgt" in messages
    assert "zils" in messages and "zaļš" in messages
    assert "rindā 2" in messages  # the duplicate number names the first row
    db.session.rollback()
    assert count(Case) == 0 and count(CasePerson) == 0 and count(CooperationGroup) == 0


def test_a_clean_register_imports_cases_persons_groups_and_history(manager):
    result = import_cases(manager, manager.municipality_id, "lietas.xlsx",
                          xlsx(CASE_HEADER, good_rows(manager.email)), dry_run=False)
    db.session.commit()

    assert result.ok and result.written and (result.created, result.persons) == (3, 5)
    cases = {c.number: c for c in db.session.scalars(select(Case))}
    assert set(cases) == {"2024/0012", "2024/0013", "2025/0001"}
    laura = cases["2024/0012"]
    assert (laura.status, laura.risk, laura.case_manager_id) == (
        "intervention", "yellow", manager.id)
    assert laura.categories == ["neglect", "school_absence"]
    assert laura.owner_institution_id == manager.institution_id
    assert laura.next_review_due is not None
    persons = {(p.role, p.given_name, p.family_name, p.personal_code) for p in laura.persons}
    assert persons == {("child", "Laura", "Strazdiņa", code("1503121234")),
                       ("parent", "Ieva", "Strazdiņa", None),
                       ("guardian", "Pēteris", "Strazdiņš", None)}
    closed = cases["2024/0013"]
    assert (closed.status, closed.closure_reason, closed.next_review_due) == (
        "closed", "goals_achieved", None)
    assert closed.closed_at.astimezone().date() == date(2025, 6, 30)
    assert cases["2025/0001"].crisis_started_at is not None
    first = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == laura.id)
                               .order_by(CaseEvent.id)).first()
    assert (first.trigger, first.to_state) == ("imported", "intervention")
    group = db.session.scalar(select(CooperationGroup).where(
        CooperationGroup.case_id == laura.id))
    assert group.lead_id == manager.id
    assert db.session.scalar(select(GroupMember.user_id).where(
        GroupMember.group_id == group.id)) == manager.id
    assert "cases_imported" in audit_actions()


def test_the_dry_run_writes_nothing_even_for_a_clean_register(manager):
    result = import_cases(manager, manager.municipality_id, "lietas.xlsx",
                          xlsx(CASE_HEADER, good_rows(manager.email)), dry_run=True)
    assert result.ok and not result.written and result.rows == 3
    db.session.rollback()
    assert count(Case) == 0


def test_an_imported_number_is_never_given_again_to_a_new_case(manager):
    from casework.cases.operations import next_case_number

    rows = [["2026/0041", "Laura", "Strazdiņa", None, None, "zaļš", "izvērtēšana",
             manager.email, "01.10.2026", None, None, None]]
    import_cases(manager, manager.municipality_id, "lietas.xlsx", xlsx(CASE_HEADER, rows),
                 dry_run=False)
    db.session.commit()
    assert next_case_number(manager.municipality_id, 2026) == (42, "2026/0042")


def test_a_case_number_the_municipality_already_has_is_refused(manager):
    rows = [["2026/0041", "Laura", "Strazdiņa", None, None, "zaļš", "izvērtēšana",
             manager.email, "01.10.2026", None, None, None]]
    import_cases(manager, manager.municipality_id, "a.xlsx", xlsx(CASE_HEADER, rows),
                 dry_run=False)
    db.session.commit()
    again = import_cases(manager, manager.municipality_id, "a.xlsx", xlsx(CASE_HEADER, rows),
                         dry_run=True)
    assert [e.message for e in again.errors] == ["Pašvaldībā jau ir lieta 2026/0041."]


def test_a_csv_with_semicolons_a_bom_or_the_baltic_code_page_is_read(manager):
    header = ";".join(CASE_HEADER)
    line = (f"2024/0100;Līga;Ābele;;;zaļš;izvērtēšana;{manager.email};04.03.2024;;;"
            "vardarbība")
    for data in ((header + "\n" + line).encode("utf-8-sig"),
                 (header + "\r\n" + line).encode("cp1257")):
        result = import_cases(manager, manager.municipality_id, "lietas.csv", data,
                              dry_run=True)
        assert result.ok, result.errors
        assert result.rows == 1


def test_missing_columns_and_unreadable_files_are_messages(manager):
    missing = import_cases(manager, manager.municipality_id, "a.xlsx",
                           xlsx(["Lietas numurs", "Bērna vārds"], [["2024/0001", "A"]]),
                           dry_run=True)
    assert "Trūkst kolonnu" in missing.errors[0].message
    assert "Riska profils" in missing.errors[0].message
    for name, data in (("a.xlsx", b"PK\x03\x04 not a workbook"), ("a.pdf", b"%PDF-1.7"),
                       ("a.csv", b"")):
        result = import_cases(manager, manager.municipality_id, name, data, dry_run=True)
        assert result.errors and result.errors[0].row is None


def test_the_command_line_import_checks_then_imports(app, manager, tmp_path):
    path = tmp_path / "lietas.xlsx"
    bad = good_rows(manager.email) + [["2024/0099", "A", "B", None, None, "sarkans", "slēgta",
                                       manager.email, "01.01.2024", "02.01.2024",
                                       "Mērķi sasniegti", None]]
    path.write_bytes(xlsx(CASE_HEADER, bad))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["import", "cases", str(path)])
    assert refused.exit_code == 1
    assert "rinda 5, Riska profils: Sarkanu lietu nevar slēgt" in refused.output
    assert "nekas netika ierakstīts" in refused.output
    assert count(Case) == 0

    path.write_bytes(xlsx(CASE_HEADER, good_rows(manager.email)))
    checked = runner.invoke(args=["import", "cases", str(path), "--dry-run"])
    assert checked.exit_code == 0 and "3 rindas bez kļūdām" in checked.output
    assert count(Case) == 0
    done = runner.invoke(args=["import", "cases", str(path)])
    assert done.exit_code == 0, done.output
    assert "Importētas lietas: 3, personas: 5." in done.output
    db.session.expire_all()
    assert count(Case) == 3


DECISION_HEADER = ["Nr.", "Tēma", "Vienošanās", "Izpildes gaita", "Statuss",
                   "Atbildīgā iestāde", "Termiņš", "Datums"]


@pytest.fixture
def strategic(app_ctx, municipality):
    group = CooperationGroup(municipality_id=municipality.id, kind="strategic",
                             name="Stratēģiskā sadarbības grupa")
    db.session.add(group)
    db.session.commit()
    return group


def test_a_decision_table_imports_topic_agreement_and_progress(make_user, make_institution,
                                                                strategic):
    court = make_institution("orphans_court", name="Parauga novada bāriņtiesa")
    coordinator = make_user("coordinator")
    rows = [
        ["SG-2025/03", "Skolu kavējumi", "Izglītības pārvalde katru mēnesi ziņo par kavējumiem.",
         "Ziņojumi saņemti par 1. pusgadu.", "izpildē", None, "31.12.2025", "12.03.2025"],
        ["1/2024", "Krīzes dzīvoklis", "Bāriņtiesa sagatavo priekšlikumu.", None, None,
         "Parauga novada bāriņtiesa", None, "10.10.2024"],
    ]
    result = import_decisions(coordinator, strategic, "lemumi.xlsx",
                              xlsx(DECISION_HEADER, rows), dry_run=False)
    db.session.commit()
    assert result.ok and result.created == 2
    first, second = db.session.scalars(select(Decision).order_by(Decision.id)).all()
    assert (first.number, first.topic, first.status, first.year, first.seq) == (
        "SG-2025/03", "Skolu kavējumi", "in_progress", 2025, 3)
    assert first.due_date == date(2025, 12, 31) and first.published_at is not None
    progress = db.session.scalars(select(DecisionProgress)).all()
    assert [(p.decision_id, p.text) for p in progress] == [
        (first.id, "Ziņojumi saņemti par 1. pusgadu.")]
    assert (second.status, second.responsible_institution_id, second.seq) == (
        "pending", court.id, None)

    from casework.groups.operations import next_decision_seq

    assert next_decision_seq(strategic.id, 2025) == 4  # the imported SG-2025/03 is skipped


def test_a_decision_table_with_bad_rows_writes_nothing(make_user, strategic):
    coordinator = make_user("coordinator")
    rows = [["1", "Tēma", "Vienošanās", None, None, None, None, None],
            ["1", "Tēma", None, None, "nav izpildīts", "Nav tādas iestādes", "rīt", None]]
    result = import_decisions(coordinator, strategic, "lemumi.xlsx",
                              xlsx(DECISION_HEADER, rows), dry_run=False)
    where = {(e.row, e.column) for e in result.errors}
    assert {(3, "Nr."), (3, "Vienošanās"), (3, "Izpildes gaita"), (3, "Atbildīgā iestāde"),
            (3, "Termiņš")} <= where
    db.session.rollback()
    assert count(Decision) == 0


def upload(client, data: bytes, name="lietas.xlsx", **fields):
    return client.post_form("/admin/import", {"file": (io.BytesIO(data), name), **fields},
                            token_from="/admin/import", content_type="multipart/form-data")


def test_the_import_page_checks_first_and_imports_only_a_clean_file(client, login_as,
                                                                    make_user):
    admin = login_as("admin")
    manager = make_user("case_manager", institution=admin.institution)
    page = client.get("/admin/import")
    assert page.status_code == 200 and "Lietas numurs" in page.get_data(as_text=True)

    bad = good_rows(manager.email) + [["x", "A", "B", None, None, "zaļš", "izvērtēšana",
                                       manager.email, "01.01.2024", None, None, None]]
    refused = upload(client, xlsx(CASE_HEADER, bad), kind="cases", run="1")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "nekas netika ierakstīts" in text and "2024/0042" in text  # the format's example
    assert count(Case) == 0

    checked = upload(client, xlsx(CASE_HEADER, good_rows(manager.email)), kind="cases",
                     check="1")
    assert checked.status_code == 200 and "3 rindas bez kļūdām" in checked.get_data(
        as_text=True)
    assert count(Case) == 0
    done = upload(client, xlsx(CASE_HEADER, good_rows(manager.email)), kind="cases", run="1")
    assert done.status_code == 200
    assert "Importētas 3 lietas ar 5 personām." in done.get_data(as_text=True)
    assert count(Case) == 3


def test_the_import_page_without_a_file_is_a_form_message(client, login_as):
    login_as("admin")
    response = client.post_form("/admin/import", {"kind": "cases", "check": "1"},
                                token_from="/admin/import", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Izvēlieties datni" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["case_manager", "coordinator", "auditor", "head_of_service"])
def test_only_an_administrator_may_import(client, login_as, role):
    login_as(role)
    assert client.get("/admin/import").status_code == 403
