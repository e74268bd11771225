"""The case page costs the same statements however much its case holds, and at most 15
(issue 16: the case page at national scale), the audit chain of the read included.

The read is one audit row; a page that also shows the case manager that a person's personal
code is in a case they may not see records that hint in a row of its own (DESIGN.md §2), each
row costing the chain's statements (lock on PostgreSQL, last hash, insert)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from casework.auth.models import User
from casework.cases import operations as cases
from casework.cases.models import Case
from casework.cases.personal_code import InvalidPersonalCode, validate_personal_code
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups import operations as groups
from casework.plans import operations as plans
from casework.tasks import operations as tasks
from workflows.support_plan import AREAS

#: The most statements one GET of the case page may cost with one audit row (issue 16).
MOST = 15


def _code(day: int) -> str:
    """A valid personal code of a child born on ``day`` January 2015."""
    for last in range(10):
        candidate = f"{day:02d}0115-1234{last}"
        try:
            return validate_personal_code(candidate).code
        except InvalidPersonalCode:
            continue
    raise AssertionError("no check digit fits")


def _grow_case(world: dict, rounds: int, start: int) -> None:
    """More of every panel of the world's case, through the service layer: persons whose
    personal code is also in a case the case manager sees and in one they do not, meetings of
    the group held with published decisions, members added and removed, reassignments there
    and back (history lines naming users), assessment versions, plan goals and tasks."""
    def user(role: str) -> User:
        return db.session.scalar(select(User).where(User.email == world["logins"][role]))

    manager, head, specialist = user("case_manager"), user("head_of_service"), user("specialist")
    other_manager = db.session.scalar(select(User).where(User.email == "other.manager@example.lv"))
    if other_manager is None:
        other_manager = User(email="other.manager@example.lv", full_name="Cita vadītāja",
                             institution_id=manager.institution_id, active=True)
        other_manager.roles = ["case_manager"]
        other_manager.set_password("test-parole-123")
        db.session.add(other_manager)
        db.session.flush()
    case = db.session.get(Case, world["ids"]["case_id"])
    group = cases.case_group(case)
    now = utcnow().replace(microsecond=0)
    for i in range(start, start + rounds):
        code = _code(i + 1)
        cases.add_person(manager, case, role="child", given_name=f"Bērns {i}",
                         family_name="Kociņa", personal_code=code, birth_date=None)
        for owner in (manager, other_manager):  # one case the manager sees, one they do not
            other = cases.open_case(head, municipality_id=case.municipality_id, risk="green",
                                    categories=("neglect",), case_manager=owner,
                                    owner_institution_id=manager.institution_id,
                                    child={"given_name": f"Bērns {i}", "family_name": "Kociņa",
                                           "personal_code": code, "birth_date": None})
            assert other.id != case.id
        meeting = groups.plan_meeting(manager, group, starts_at=now - timedelta(days=3 + i),
                                      ends_at=now - timedelta(days=3 + i, hours=-1),
                                      invite_ids=[specialist.id])
        groups.add_agenda_item(manager, meeting, kind="goal", text=f"Mērķis {i}")
        groups.add_decision(manager, meeting, kind="decision", text=f"Lēmums {i}")
        groups.record_attendance(manager, meeting, {specialist.id: "attended"})
        groups.mark_held(manager, meeting)
        groups.save_minutes(manager, meeting, minutes="Protokols.")
        groups.approve_minutes(manager, meeting)
        member = cases.add_group_member(manager, case, head, "vadītāja")
        cases.remove_group_member(manager, case, member.id)
        cases.reassign_case_manager(head, case, other_manager)
        cases.reassign_case_manager(head, case, manager)
        plans.save_assessment(manager, case, ratings={a: 2 for a in AREAS},
                              texts={a: f"Vērtējums {i}." for a in AREAS})
        task = tasks.create_task(manager, title=f"Plāna uzdevums {i}", description=None,
                                 assignee=specialist, due_date=now.date() + timedelta(days=9),
                                 case=case)
        plans.add_goal(manager, case, goal=f"Mērķis {i}", actions="Darbības.",
                       responsible_institution_id=specialist.institution_id,
                       responsible_user_id=specialist.id, deadline=now.date() + timedelta(days=60),
                       review_on=None,
                       task_ids=[task.id])
    db.session.commit()


def _count(app, client, path: str) -> tuple[int, int, int]:
    """(status, statements, audit rows written) of one GET of ``path``."""
    seen = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement.lstrip().upper().startswith("INSERT INTO AUDIT_EVENT"))

    client.get(path)  # warm-up: per-process caches are not the page's cost
    event.listen(engine, "before_cursor_execute", count)
    try:
        status = client.get(path).status_code
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return status, len(seen), sum(seen)


@pytest.mark.parametrize("role", ("case_manager", "head_of_service", "specialist"))
def test_the_case_page_costs_the_same_statements_at_two_sizes_and_at_most_15(app, client, role):
    from tests.world import PASSWORD, build_world, grow_world

    with app.app_context():
        world = build_world("0990001", "a")
        grow_world(world, 1)
        _grow_case(world, 1, 0)
        db.session.remove()
        chain = 3 if db.engine.dialect.name == "postgresql" else 2
    path = f"/cases/{world['ids']['case_id']}"
    client.login(world["logins"][role], PASSWORD)
    small = _count(app, client, path)
    with app.app_context():
        grow_world(world, 3)
        _grow_case(world, 3, 1)
        db.session.remove()
    large = _count(app, client, path)
    assert small[0] == 200
    assert large == small
    status, statements, audit_rows = small
    # Only the case manager is told of a match in a case they may not see (a second row).
    assert audit_rows == (2 if role == "case_manager" else 1)
    assert statements - (audit_rows - 1) * chain <= MOST
