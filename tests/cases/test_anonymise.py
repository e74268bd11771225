"""Anonymisation leaves no name behind (issue 14, part 4).

The main test finds the free-text columns generically: every string column of every table whose
rows belong to a case (the tables that point at ``case`` through foreign keys, directly or
through each other), and of the rows that point at a case only by a link (notifications,
kept forms, used form tokens). It seeds one made-up name into each, runs the anonymise job,
and scans every text and JSON column of every table of the database for the name. A column
added later fails it unless the anonymisation handles it (``TEXT_COLUMNS``) or declares it a
code (``KEPT_COLUMNS``); a table added later fails it until the fixture gives it a row.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import (
    JSON,
    CheckConstraint,
    String,
    Text,
    UniqueConstraint,
    cast,
    event,
    func,
    literal,
    select,
    update,
)

from casework.audit.models import AuditEvent
from casework.audit.operations import DETAIL_KEYS, record, verify_chain
from casework.auth.models import KeptForm
from casework.cases import anonymise as anon
from casework.cases.models import (
    BreakGlassAccess,
    Case,
    CaseEvent,
    CasePerson,
    ClientParticipation,
    Note,
    Referral,
)
from casework.concurrency import UsedFormToken
from casework.db_types import utcnow
from casework.documents import storage as storage_mod
from casework.documents.models import Document
from casework.extensions import db
from casework.groups.models import (
    AgendaItem,
    Attendance,
    CooperationGroup,
    Decision,
    DecisionProgress,
    GroupMember,
    Meeting,
)
from casework.jobs import sweeps
from casework.notifications.models import Notification
from casework.plans.models import Assessment, GoalProgress, PlanGoal, PlanGoalTask, SupportPlan
from casework.tasks.models import Task
from tests.conftest import audit_actions

#: A name that appears nowhere else (ASCII, so JSON keeps it as it is on every database).
NAME = "Zqxvbnmlk"
#: Columns through which the link tables point at the case: seeded as a page below the link.
LINK_COLUMNS = {"notification": {"link"}, "kept_form": {"action", "back"},
                "used_form_token": {"url"}}


@pytest.fixture
def storage_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "documents"
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(folder))
    monkeypatch.delitem(app.extensions, "document_storage", raising=False)
    yield folder
    app.extensions.pop("document_storage", None)


def case_tables() -> list:
    """Every table whose rows belong to a case: ``case`` and the tables that point at one of
    these through a foreign key (found in the metadata, not listed by hand)."""
    reached = {"case"}
    changed = True
    while changed:
        changed = False
        for table in db.metadata.sorted_tables:
            if table.name not in reached and any(
                    fk.column.table.name in reached for fk in table.foreign_keys):
                reached.add(table.name)
                changed = True
    return [t for t in db.metadata.sorted_tables if t.name in reached]


def _is_text(column) -> bool:
    return isinstance(column.type, String | Text)


def _checked_columns(table) -> set[str]:
    """Columns that a CHECK constraint limits to fixed values (codes by construction)."""
    names = set()
    for constraint in table.constraints:
        if isinstance(constraint, CheckConstraint):
            sql = str(constraint.sqltext)
            names |= {c.name for c in table.columns if re.search(rf"\b{c.name}\b", sql)}
    return names


def seeded_columns(table) -> list:
    """The string columns of ``table`` that the test fills with the name: all but the declared
    codes, the keys and the columns a CHECK constraint limits to fixed values."""
    kept = anon.KEPT_COLUMNS.get(table.name, frozenset()) | _checked_columns(table)
    return [c for c in table.columns if _is_text(c) and c.name not in kept
            and not c.foreign_keys and not c.primary_key]


def _unique_columns(table) -> set[str]:
    names = {c.name for c in table.columns if c.unique}
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            names |= {c.name for c in constraint.columns}
    return names


def _seed_value(column, row_id) -> str:
    length = getattr(column.type, "length", None) or 1000
    return f"{NAME} {column.name} {row_id}"[:length]


def make_closed_case(municipality, manager, specialist, closed_years_ago=11) -> Case:
    """A closed case with a row in every table of a case, each with some text."""
    now = utcnow()
    closed = now - timedelta(days=365 * closed_years_ago + 10)
    inst = manager.institution_id
    seq = db.session.scalar(select(func.count()).select_from(Case)) + 1
    case = Case(municipality_id=municipality.id, year=closed.year, seq=seq,
                number=f"{closed.year}/{seq:04d}", status="closed", risk="green",
                case_manager_id=manager.id,
                owner_institution_id=inst, opened_at=closed - timedelta(days=90),
                closed_at=closed, closure_reason="other", closure_reason_text="text")
    case.categories = ["neglect"]
    db.session.add(case)
    db.session.flush()
    child = CasePerson(case_id=case.id, role="child", given_name="A", family_name="B",
                       personal_code="010115-12345", birth_date=date(2015, 1, 1),
                       contact="c", school="s", ended_at=closed, end_reason="r")
    db.session.add(child)
    db.session.add(Referral(
        municipality_id=municipality.id, reporting_institution_id=specialist.institution_id,
        reported_by_id=specialist.id, received_at=closed, child_given_name="A",
        child_family_name="B", child_personal_code="x", child_birth_date=date(2015, 1, 1),
        description="d", proposed_urgency="green", triage_due_at=closed, triaged_at=closed,
        triaged_by_id=manager.id, outcome="attached", outcome_reason="r",
        assigned_risk="green", case_id=case.id, categories=["neglect"]))
    db.session.add_all([
        CaseEvent(case_id=case.id, at=closed, actor_id=manager.id, machine="lifecycle",
                  trigger="close", from_state="intervention", to_state="closed", reason="r"),
        Note(case_id=case.id, author_id=manager.id, author_institution_id=inst, level="group",
             text="t"),
        BreakGlassAccess(user_id=manager.id, case_id=case.id, reason="r", expires_at=closed),
    ])
    db.session.flush()
    group = CooperationGroup(municipality_id=municipality.id, kind="interprofessional",
                             name="g", description="d", case_id=case.id, lead_id=manager.id)
    db.session.add(group)
    db.session.flush()
    meeting = Meeting(group_id=group.id, title="t", starts_at=closed,
                      ends_at=closed + timedelta(hours=1),
                      place="p", online_link="https://x.example.lv", status="minutes_approved",
                      minutes="m", cancel_reason="c", client_opinion="o", child_opinion="o")
    db.session.add_all([meeting, GroupMember(group_id=group.id, user_id=specialist.id,
                                             institution_id=specialist.institution_id,
                                             role_in_group="r")])
    db.session.flush()
    item = AgendaItem(meeting_id=meeting.id, text="t", case_id=case.id, minutes="m")
    db.session.add_all([item, Attendance(meeting_id=meeting.id, user_id=specialist.id,
                                         institution_id=specialist.institution_id)])
    db.session.flush()
    decision = Decision(group_id=group.id, meeting_id=meeting.id, agenda_item_id=item.id,
                        number="1", seq=1, year=closed.year, text="t",
                        not_executed_reason="r", published_at=closed)
    db.session.add(decision)
    db.session.flush()
    task = Task(municipality_id=municipality.id, title="t", description="d",
                assignee_id=specialist.id, assignee_institution_id=specialist.institution_id,
                due_date=closed.date(), status="done", completion_note="n", cancel_reason="c",
                case_id=case.id, meeting_id=meeting.id, issued_at=closed, closed_at=closed)
    db.session.add_all([task, DecisionProgress(decision_id=decision.id, on=closed.date(),
                                               text="t", status_after="executed"),
                        ClientParticipation(case_id=case.id, person_id=child.id,
                                            decision_id=decision.id, subject="s",
                                            informed=True, method="phone", opinion="o")])
    plan = SupportPlan(case_id=case.id, status="agreed", agreement_decision_id=decision.id)
    db.session.add_all([plan, Assessment(
        case_id=case.id, version=1, assessed_on=closed.date(), assessed_by_id=manager.id,
        needs_rating=1, needs_text="t", family_rating=1, family_text="t",
        environment_rating=1, environment_text="t", risk_factors_rating=1,
        risk_factors_text="t", strengths_rating=1, strengths_text="t", proposed_risk="green",
        proposal_rule="all_low")])
    db.session.flush()
    goal = PlanGoal(plan_id=plan.id, goal="g", actions="a", responsible_institution_id=inst,
                    deadline=closed.date())
    db.session.add(goal)
    db.session.flush()
    db.session.add_all([PlanGoalTask(goal_id=goal.id, task_id=task.id),
                        GoalProgress(goal_id=goal.id, status="reached")])
    key = storage_mod.new_key()
    storage_mod.get_storage().save(key, io.BytesIO(b"%PDF-1.4 A B"))
    db.session.add(Document(
        municipality_id=municipality.id, group_id=group.id, case_id=case.id, level="group",
        filename="f.pdf", content_type="application/pdf", size=10, sha256="0" * 64,
        storage_key=key, uploaded_by_id=manager.id, uploader_institution_id=inst))
    # Rows that point at the case only by a link.
    for n, link in enumerate((f"/cases/{case.id}", f"/meetings/{meeting.id}",
                              f"/tasks/{task.id}", f"/decisions/{decision.id}")):
        db.session.add(Notification(user_id=specialist.id, kind="k", text="t",
                                    params={"msgid": "t"}, link=link,
                                    dedup_key=f"k:{case.id}:{n}",
                                    municipality_id=municipality.id))
    db.session.add(KeptForm(key_hash=f"{case.id:064d}", user_id=manager.id, expires_at=now,
                            action=f"/cases/{case.id}/notes", back=f"/cases/{case.id}",
                            fields="[]"))
    db.session.add(UsedFormToken(token=f"t{case.id:063d}", user_id=manager.id,
                                 url=f"/cases/{case.id}"))
    db.session.commit()
    return case


def seed_name_everywhere() -> dict[str, list[str]]:
    """Write the name into every seeded column of every row of the case's tables and of the
    link tables; returns what was seeded, per table."""
    seeded = {}
    link_tables = [db.metadata.tables[name] for name in LINK_COLUMNS]
    for table in case_tables() + link_tables:
        columns = seeded_columns(table)
        if not columns:
            continue
        count = db.session.scalar(select(func.count()).select_from(table))
        assert count, f"the fixture has no row in {table.name}: add one to make_closed_case"
        unique = _unique_columns(table)
        values = {c.name: _seed_value(c, "") for c in columns}
        for column in columns:
            if column.name in unique:  # the name, then as much of the old value as fits
                room = (column.type.length or 1000) - len(NAME)
                values[column.name] = literal(NAME).op("||")(func.substr(column, 1, room))
        for name in LINK_COLUMNS.get(table.name, ()):
            values[name] = table.c[name] + f"/{NAME}"
        db.session.execute(update(table).values(values))
        seeded[table.name] = sorted(values)
    notification = db.metadata.tables["notification"]
    db.session.execute(update(notification).values(params={"msgid": NAME, "name": NAME}))
    db.session.commit()
    return seeded


def tables_holding(name: str) -> list[str]:
    """Every ``table.column`` of the whole database whose text (or JSON) holds ``name``."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not (_is_text(column) or isinstance(column.type, JSON)):
                continue
            hits = db.session.scalar(select(func.count()).select_from(table).where(
                func.lower(cast(column, Text)).contains(name.lower())))
            if hits:
                found.append(f"{table.name}.{column.name}")
    return found


def test_anonymisation_leaves_no_seeded_name_in_any_column_of_the_database(
        app_ctx, municipality, make_user, storage_dir):
    manager = make_user("case_manager")
    specialist = make_user("specialist")
    case = make_closed_case(municipality, manager, specialist)
    seeded = seed_name_everywhere()
    # The fixture really put the name in every free-text column it found.
    assert set(tables_holding(NAME)) >= {f"{t}.{c}" for t, cols in seeded.items()
                                         for c in cols}
    assert "case_person.given_name" in tables_holding(NAME)
    assert "agenda_item.minutes" in tables_holding(NAME)  # issue 18.4: per-item minutes
    assert len(list(storage_dir.rglob("*"))) > 0
    assert sweeps.run_job("anonymise") == 1
    assert tables_holding(NAME) == []
    assert [p for p in storage_dir.rglob("*") if p.is_file()] == []
    # Statistics stay: the case, its colour, closure reason, categories, history, tasks.
    db.session.expire_all()
    kept = db.session.get(Case, case.id)
    assert (kept.status, kept.risk, kept.closure_reason, kept.categories) == (
        "closed", "green", "other", ["neglect"])
    assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == 1
    assert db.session.scalar(select(Task.status)) == "done"
    assert db.session.scalar(select(CasePerson.birth_date)) == date(2015, 7, 1)
    assert db.session.scalar(select(Referral.child_birth_date)) == date(2015, 7, 1)
    assert db.session.scalar(select(ClientParticipation.opinion)) == anon.ANONYMISED
    assert db.session.scalar(select(CasePerson.personal_code)) is None
    assert audit_actions() == ["cases_anonymised"]
    assert verify_chain() is None


def test_kept_columns_name_only_existing_string_columns():
    for table_name, columns in anon.KEPT_COLUMNS.items():
        table = db.metadata.tables[table_name]
        for name in columns:
            assert name in table.c, f"{table_name}.{name} no longer exists"
            assert _is_text(table.c[name]) or isinstance(table.c[name].type, JSON)
    for table_name, columns in anon.TEXT_COLUMNS.items():
        assert set(columns) <= set(db.metadata.tables[table_name].c.keys()), table_name


def test_case_within_retention_keeps_its_names(app_ctx, municipality, make_user, storage_dir):
    manager, specialist = make_user("case_manager"), make_user("specialist")
    case = make_closed_case(municipality, manager, specialist, closed_years_ago=9)
    assert sweeps.run_job("anonymise") == 0
    assert db.session.scalar(select(CasePerson.given_name)
                             .where(CasePerson.case_id == case.id)) == "A"
    assert db.session.scalar(select(func.count()).select_from(Document)) == 1


def test_anonymise_run_takes_at_most_a_batch_of_cases(app_ctx, municipality, make_user,
                                                      storage_dir, monkeypatch):
    manager, specialist = make_user("case_manager"), make_user("specialist")
    for _ in range(3):
        make_closed_case(municipality, manager, specialist)
    monkeypatch.setattr(anon, "BATCH", 2)
    assert sweeps.run_job("anonymise") == 2
    assert sweeps.run_job("anonymise") == 1
    assert sweeps.run_job("anonymise") == 0
    assert db.session.scalars(select(CasePerson.given_name).distinct()).all() == [
        anon.ANONYMISED]


def _statements_of_a_run(app) -> int:
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("UPDATE", "DELETE")):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        sweeps.run_job("anonymise")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_anonymise_run_uses_one_statement_per_table_whatever_the_number_of_cases(
        app, app_ctx, municipality, make_user, storage_dir):
    manager, specialist = make_user("case_manager"), make_user("specialist")
    make_closed_case(municipality, manager, specialist)
    one = _statements_of_a_run(app)
    for _ in range(4):
        make_closed_case(municipality, manager, specialist)
    many = _statements_of_a_run(app)
    assert one == many
    assert db.session.scalar(select(func.count()).select_from(Case)
                             .where(Case.anonymised_at.is_(None))) == 0


def test_a_case_anonymised_by_another_run_is_not_anonymised_again(
        app_ctx, municipality, make_user, storage_dir):
    manager, specialist = make_user("case_manager"), make_user("specialist")
    case = make_closed_case(municipality, manager, specialist)
    assert anon.anonymise_cases([case.id], utcnow()) == [case.id]
    assert anon.anonymise_cases([case.id], utcnow()) == []
    db.session.commit()
    assert audit_actions().count("cases_anonymised") == 1


# -- the audit log ------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [
    "Anna Bērziņa", "Bērziņa", "Jānis", "Kalniņš-Ozola", "ANNA", "O'Brien", "Zqxvbnmlk",
])
def test_audit_details_cannot_hold_a_name_under_any_key(app_ctx, municipality, value):
    event = record("probe", None, municipality_id=municipality.id,
                   details={key: value for key in DETAIL_KEYS}
                   | {"ids": [value], "statuses": {"1": value}})
    db.session.commit()
    stored = db.session.scalar(select(AuditEvent.details).where(AuditEvent.id == event.id))
    assert value.lower() not in str(stored).lower()


def test_audit_details_keep_ids_codes_numbers_dates_and_e_mails(app_ctx, municipality):
    event = record("probe", None, municipality_id=municipality.id, details={
        "case_id": 5, "trigger": "close", "number": "2026/0042", "on": "2026-12-02",
        "starts_at": "2026-12-02T10:00:00+00:00", "email": "anna.user@example.lv",
        "ids": [1, 2], "reason": "wrong_password", "fields": ["given_name"]})
    assert event.details == {
        "case_id": 5, "trigger": "close", "number": "2026/0042", "on": "2026-12-02",
        "starts_at": "2026-12-02T10:00:00+00:00", "email": "anna.user@example.lv",
        "ids": [1, 2], "reason": "wrong_password", "fields": ["given_name"]}


def test_referral_closed_without_a_case_is_anonymised_after_the_retention_period(
        app_ctx, municipality, make_user):
    manager, specialist = make_user("case_manager"), make_user("specialist")
    now = utcnow()

    def referral(years_ago):
        at = now - timedelta(days=365 * years_ago + 10)
        row = Referral(
            municipality_id=municipality.id, reporting_institution_id=specialist.institution_id,
            reported_by_id=specialist.id, received_at=at, child_given_name=NAME,
            child_family_name=NAME, child_personal_code="040515-21112",
            child_birth_date=date(2015, 5, 4), description=f"{NAME} kavē skolu",
            proposed_urgency="green", triage_due_at=at, triaged_at=at,
            triaged_by_id=manager.id, outcome="no_action", outcome_reason=f"{NAME} atgriezās",
            categories=["school_absence"])
        db.session.add(row)
        return row

    old, recent = referral(11), referral(2)
    db.session.commit()
    sweeps.run_job("anonymise")
    db.session.expire_all()
    assert (old.child_given_name, old.child_personal_code, old.description,
            old.outcome_reason, old.child_birth_date) == (
        anon.ANONYMISED, None, anon.ANONYMISED, anon.ANONYMISED, date(2015, 7, 1))
    assert old.categories == ["school_absence"] and old.outcome == "no_action"
    assert recent.child_given_name == NAME
    assert audit_actions() == ["referrals_anonymised"]
    sweeps.run_job("anonymise")
    assert audit_actions() == ["referrals_anonymised"]
