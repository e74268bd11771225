"""The sweeps at scale (issue 16): what was told and who may see a case are decided in SQL, so a
steady run (nothing new to tell) costs the same few statements however many rows are due, and
the keys and the visibility SQL writes are those Python writes."""

from datetime import date, timedelta

from sqlalchemy import event, func, select

from casework.auth.models import User
from casework.cases import operations as ops
from casework.cases.models import Case
from casework.cases.queries import case_visibility, case_visible_to
from casework.extensions import db
from casework.groups.models import GroupMember, Meeting
from casework.jobs import sweeps
from casework.notifications.models import Notification
from casework.tasks.models import Task
from tests.jobs.conftest import CHILD, riga
from tests.jobs.test_sweeps import _decision, _group, _run


def test_dedup_keys_written_in_sql_equal_those_written_in_python(frozen, specialist,
                                                                 make_task):
    frozen(riga(2026, 11, 2, 9))
    task = make_task(specialist, date(2026, 1, 9))
    in_sql = db.session.scalar(select(sweeps._key_of(
        "task_overdue:t", Task.id, ":", Task.due_date, ":u", Task.assignee_id))
        .where(Task.id == task.id))
    assert in_sql == sweeps._key("task_overdue:t", task.id, ":", date(2026, 1, 9), ":u",
                                 specialist.id)
    assert in_sql == f"task_overdue:t{task.id}:2026-01-09:u{specialist.id}"


def test_case_visible_to_agrees_with_case_visibility_for_every_user_and_case(
        frozen, case_manager, head_of_service, specialist, outsider, make_user, make_case):
    frozen(riga(2026, 11, 2, 9))
    mine, other = make_case(), make_case(manager=make_user("case_manager"))
    now = riga(2026, 11, 2, 10)
    db.session.add(GroupMember(group_id=_group(mine).id, user_id=specialist.id,
                               institution_id=specialist.institution_id,
                               member_from=riga(2026, 11, 1, 9)))
    db.session.add(GroupMember(group_id=_group(other).id, user_id=outsider.id,
                               institution_id=outsider.institution_id,
                               member_from=riga(2026, 10, 1, 9), member_to=riga(2026, 11, 1)))
    gone = make_user("case_manager")
    gone.active = False
    db.session.commit()
    for user in db.session.scalars(select(User)):
        expected = set(db.session.scalars(select(Case.id).where(case_visibility(user, now))))
        assert set(db.session.scalars(select(Case.id).where(
            case_visible_to(User.id, now)).where(User.id == user.id))) == expected, user
    assert db.session.scalars(select(Case.id).where(
        case_visible_to(User.id, now), User.id == specialist.id)).all() == [mine.id]


def _grow(case_manager, specialist, make_case, make_task, rounds: int) -> None:
    """Something due for every sweep, ``rounds`` times: a red case without a meeting, its
    overdue and due tasks, a decision the client was not told of, minutes not approved of a
    meeting held before the case turned red, a referral past triage."""
    for _ in range(rounds):
        case = make_case(risk="yellow", child=CHILD)
        ops.change_risk(case_manager, case, "raise_to_red", reason="Vardarbība")
        make_task(specialist, date(2026, 11, 3), case=case)
        make_task(case_manager, date(2026, 11, 4))
        make_task(specialist, date(2026, 11, 19), case=case)
        _decision(case, riga(2026, 11, 3, 12))
        db.session.add(Meeting(group_id=_group(case).id, starts_at=riga(2026, 10, 30, 10),
                               ends_at=riga(2026, 10, 30, 11), status="held",
                               held_at=riga(2026, 10, 30, 11), minute_taker_id=specialist.id))
        ops.file_referral(specialist, child_given_name="Anna", child_family_name="Bērziņa",
                          child_personal_code=None, child_birth_date=None,
                          categories=["neglect"], description="Bads", proposed_urgency="red")
        db.session.commit()


def _steady_statements(now) -> dict[str, int]:
    """Run every job (the first run tells everything), then count each job's statements in a
    second run right after it."""
    for job in sweeps.JOBS:
        _run(job.func, now)
    counts = {}
    for job in sweeps.JOBS:
        seen = []

        def count(*_args, **_kwargs):
            seen.append(1)  # noqa: B023 - listened to only during this job

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert _run(job.func, now + timedelta(minutes=1)) == 0, job.id
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        counts[job.id] = len(seen)
    return counts


def test_a_steady_run_adds_nothing_and_its_queries_do_not_grow_with_the_due_rows(
        frozen, case_manager, head_of_service, specialist, make_case, make_task):
    frozen(riga(2026, 11, 2, 9))
    now = riga(2026, 11, 18, 7)
    _grow(case_manager, specialist, make_case, make_task, 1)
    small = _steady_statements(now)
    told = db.session.scalar(select(func.count()).select_from(Notification))
    _grow(case_manager, specialist, make_case, make_task, 3)
    large = _steady_statements(now)
    # The larger world had more to tell, and every sweep found something...
    kinds = set(db.session.scalars(select(Notification.kind).distinct()))
    assert {"task_due", "task_overdue", "task_overdue_lead", "review_due", "red_no_meeting",
            "triage_late", "minutes_late", "client_not_informed"} <= kinds
    assert db.session.scalar(select(func.count()).select_from(Notification)) > told
    # ...yet its steady run costs the same statements: a few per job.
    assert large == small
    assert max(large.values()) <= 6, large
