"""Each sweep with a frozen clock around working days and Latvian holidays (DESIGN.md §5).

Calendar facts used below: Wednesday 18 November 2026 is a holiday; in June 2026 Monday 22 is a
day off (moved from Saturday 27, which is worked), 23 and 24 are Midsummer; 24–26 December are
Christmas.
"""

from datetime import date, timedelta

from sqlalchemy import func, select

from casework.cases import operations as ops
from casework.cases.models import Case, CaseEvent, CasePerson, Note, Referral
from casework.extensions import db
from casework.groups.models import CooperationGroup, Decision, Meeting
from casework.jobs import sweeps
from casework.notifications.models import Notification
from casework.reports.models import AnnualReport
from tests.conftest import audit_actions
from tests.jobs.conftest import CHILD, CHILD_WORDS, notifications, recipients, riga


def _run(sweep, now) -> int:
    count = sweep(now)
    db.session.commit()
    return count


def _group(case) -> CooperationGroup:
    return db.session.scalar(select(CooperationGroup).where(CooperationGroup.case_id == case.id))


def _no_child_details():
    for n in notifications():
        for word in CHILD_WORDS:
            assert word not in n.text


# -- tasks due --------------------------------------------------------------------------------
def test_task_due_reminds_the_working_day_before_skipping_a_holiday(frozen, specialist,
                                                                    make_task):
    frozen(riga(2026, 11, 16, 9))
    on_holiday = make_task(specialist, date(2026, 11, 18))
    thursday = make_task(specialist, date(2026, 11, 19))
    friday = make_task(specialist, date(2026, 11, 20))
    # Monday: the next working day is Tuesday, nothing is due then.
    assert _run(sweeps.task_due, riga(2026, 11, 16, 7)) == 0
    # Tuesday: the next working day is Thursday (Wednesday is a holiday).
    assert _run(sweeps.task_due, riga(2026, 11, 17, 7)) == 2
    keys = {n.dedup_key for n in notifications(kind="task_due")}
    assert keys == {f"task_due:t{on_holiday.id}:2026-11-18", f"task_due:t{thursday.id}:2026-11-19"}
    assert all(n.user_id == specialist.id for n in notifications())
    # Thursday: Friday's task.
    assert _run(sweeps.task_due, riga(2026, 11, 19, 7)) == 1
    assert notifications()[-1].dedup_key == f"task_due:t{friday.id}:2026-11-20"


def test_task_due_before_midsummer_reminds_of_everything_up_to_the_next_working_day(
        frozen, specialist, make_task):
    frozen(riga(2026, 6, 18, 9))
    for day in (22, 23, 24, 25, 26):
        make_task(specialist, date(2026, 6, day))
    # Friday 19 June: the next working day is Thursday 25 June.
    assert _run(sweeps.task_due, riga(2026, 6, 19, 7)) == 4
    assert {n.dedup_key.rsplit(":", 1)[1] for n in notifications()} == {
        "2026-06-22", "2026-06-23", "2026-06-24", "2026-06-25"}


def test_task_due_is_reminded_once_and_again_for_a_new_due_date(frozen, specialist, make_task):
    frozen(riga(2026, 11, 19, 9))
    task = make_task(specialist, date(2026, 11, 20))
    assert _run(sweeps.task_due, riga(2026, 11, 19, 7)) == 1
    assert _run(sweeps.task_due, riga(2026, 11, 19, 8)) == 0
    task.due_date = date(2026, 11, 23)  # postponed to Monday
    db.session.commit()
    assert _run(sweeps.task_due, riga(2026, 11, 20, 7)) == 1
    assert len(notifications(kind="task_due")) == 2


def test_draft_and_closed_tasks_are_not_chased(frozen, specialist, make_task):
    frozen(riga(2026, 11, 19, 9))
    make_task(specialist, date(2026, 11, 20), issued=False)
    make_task(specialist, date(2026, 11, 20), status="done")
    make_task(specialist, date(2026, 11, 10), status="cancelled")
    assert _run(sweeps.task_due, riga(2026, 11, 19, 7)) == 0
    assert _run(sweeps.task_overdue, riga(2026, 11, 19, 7)) == 0


# -- overdue tasks ----------------------------------------------------------------------------
def test_overdue_task_tells_the_assignee_then_the_case_manager_the_next_working_day(
        frozen, case_manager, specialist, make_case, make_task):
    frozen(riga(2026, 6, 15, 9))
    case = make_case(risk="green", child=CHILD)
    ops.add_group_member(case_manager, case, specialist)
    db.session.commit()
    task = make_task(specialist, date(2026, 6, 19), case=case)  # due Friday 19 June
    assert _run(sweeps.task_overdue, riga(2026, 6, 19, 20)) == 0  # the due day is in time
    assert _run(sweeps.task_overdue, riga(2026, 6, 20, 7)) == 1
    assert recipients("task_overdue") == {specialist.id}
    assert notifications(kind="task_overdue")[0].link == f"/cases/{case.id}"
    assert case.number in notifications(kind="task_overdue")[0].text
    # 22–24 June are days off; Thursday 25 is the first working day overdue, so the case
    # manager hears of it on Friday 26.
    for day in (22, 23, 24, 25):
        assert _run(sweeps.task_overdue, riga(2026, 6, day, 7)) == 0
    assert _run(sweeps.task_overdue, riga(2026, 6, 26, 7)) == 1
    lead = notifications(kind="task_overdue_lead")
    assert [n.user_id for n in lead] == [case_manager.id]
    assert lead[0].dedup_key == f"task_overdue_lead:t{task.id}:2026-06-19"
    assert _run(sweeps.task_overdue, riga(2026, 6, 29, 7)) == 0
    _no_child_details()


def test_overdue_task_of_the_case_manager_is_not_escalated_to_themselves(
        frozen, case_manager, make_case, make_task):
    frozen(riga(2026, 11, 2, 9))
    case = make_case(risk="green")
    make_task(case_manager, date(2026, 11, 3), case=case)
    assert _run(sweeps.task_overdue, riga(2026, 11, 10, 7)) == 1
    assert notifications()[0].kind == "task_overdue"


def test_overdue_task_of_someone_outside_the_case_names_no_case(frozen, case_manager, outsider,
                                                                 make_case, make_task):
    frozen(riga(2026, 11, 2, 9))
    case = make_case(risk="green", child=CHILD)
    make_task(outsider, date(2026, 11, 3), case=case)
    assert _run(sweeps.task_overdue, riga(2026, 11, 4, 7)) == 1
    note = notifications()[0]
    assert note.user_id == outsider.id
    assert case.number not in note.text
    assert note.link == "/tasks"


# -- reviews ----------------------------------------------------------------------------------
def test_review_due_tells_the_case_manager_once_per_review_date(frozen, case_manager, outsider,
                                                               head_of_service, make_case):
    frozen(riga(2026, 11, 2, 9))
    case = make_case(risk="red", child=CHILD)  # review in 14 days: 16 November
    assert case.next_review_due == date(2026, 11, 16)
    assert _run(sweeps.review_due, riga(2026, 11, 15, 7)) == 0
    assert _run(sweeps.review_due, riga(2026, 11, 16, 7)) == 1
    assert _run(sweeps.review_due, riga(2026, 11, 17, 7)) == 0
    assert recipients("review_due") == {case_manager.id}
    note = notifications(kind="review_due")[0]
    assert note.dedup_key == f"review_due:c{case.id}:2026-11-16:u{case_manager.id}"
    assert note.link == f"/cases/{case.id}" and case.number in note.text
    case.next_review_due = date(2026, 11, 30)
    db.session.commit()
    assert _run(sweeps.review_due, riga(2026, 11, 30, 7)) == 1
    _no_child_details()


def test_closed_cases_need_no_review(frozen, make_case):
    frozen(riga(2026, 11, 2, 9))
    case = make_case(risk="green", status="closed")
    case.next_review_due = date(2026, 11, 3)
    db.session.commit()
    assert _run(sweeps.review_due, riga(2026, 11, 5, 7)) == 0


# -- turning red and the convening deadline ---------------------------------------------------
def test_turning_red_notifies_the_group_and_the_head_of_service_at_once(
        frozen, case_manager, head_of_service, specialist, outsider, make_case):
    frozen(riga(2026, 12, 22, 9))
    case = make_case(risk="yellow", child=CHILD)
    ops.add_group_member(case_manager, case, specialist)
    db.session.commit()
    frozen(riga(2026, 12, 23, 10))
    ops.change_risk(case_manager, case, "raise_to_red", reason="Vardarbība")
    db.session.commit()
    turned = notifications(kind="turned_red")
    # The case manager made the change; the group's other members and the head are told.
    assert {n.user_id for n in turned} == {specialist.id, head_of_service.id}
    assert all(n.link == f"/cases/{case.id}" and case.number in n.text for n in turned)
    _no_child_details()


def test_red_case_without_a_meeting_after_christmas_tells_manager_and_head(
        frozen, case_manager, head_of_service, outsider, make_case):
    frozen(riga(2026, 12, 22, 9))
    case = make_case(risk="yellow", child=CHILD)
    frozen(riga(2026, 12, 23, 10))
    ops.change_risk(case_manager, case, "raise_to_red", reason="Vardarbība")
    db.session.commit()
    turned_at = case.risk_changed_at
    # Two working days after Wednesday 23 December: 24–27 are off, so Tuesday 29.
    assert _run(sweeps.red_no_meeting, riga(2026, 12, 29, 23)) == 0
    assert _run(sweeps.red_no_meeting, riga(2026, 12, 30, 0, 30)) == 2
    assert recipients("red_no_meeting") == {case_manager.id, head_of_service.id}
    assert notifications(kind="red_no_meeting")[0].dedup_key.startswith(
        f"red_no_meeting:c{case.id}:{turned_at.isoformat()}")
    assert _run(sweeps.red_no_meeting, riga(2026, 12, 30, 1, 30)) == 0
    _no_child_details()


def test_red_case_whose_group_met_is_not_chased(frozen, case_manager, make_case):
    frozen(riga(2026, 12, 22, 9))
    case = make_case(risk="yellow")
    frozen(riga(2026, 12, 23, 10))
    ops.change_risk(case_manager, case, "raise_to_red", reason="Vardarbība")
    db.session.add(Meeting(group_id=_group(case).id, starts_at=riga(2026, 12, 28, 10),
                           ends_at=riga(2026, 12, 28, 11), status="held",
                           held_at=riga(2026, 12, 28, 11)))
    db.session.commit()
    assert _run(sweeps.red_no_meeting, riga(2026, 12, 30, 0, 30)) == 0


# -- referrals --------------------------------------------------------------------------------
def test_referral_past_triage_tells_the_case_managers(frozen, case_manager, specialist,
                                                       head_of_service):
    frozen(riga(2026, 6, 19, 15))
    red = ops.file_referral(specialist, child_given_name="Anna", child_family_name="Bērziņa",
                            child_personal_code=None, child_birth_date=None,
                            categories=["violence"], description="Zilumi",
                            proposed_urgency="red")
    yellow = ops.file_referral(specialist, child_given_name="Anna", child_family_name="Bērziņa",
                               child_personal_code=None, child_birth_date=None,
                               categories=["neglect"], description="Bads",
                               proposed_urgency="yellow")
    db.session.commit()
    assert _run(sweeps.triage_late, riga(2026, 6, 19, 23)) == 0
    # Red: the same working day; yellow: the next working day, Thursday 25 June.
    assert _run(sweeps.triage_late, riga(2026, 6, 20, 8)) == 1
    assert notifications(kind="triage_late")[0].dedup_key == \
        f"triage_late:r{red.id}:u{case_manager.id}"
    assert _run(sweeps.triage_late, riga(2026, 6, 25, 20)) == 0
    assert _run(sweeps.triage_late, riga(2026, 6, 26, 8)) == 1
    assert notifications(kind="triage_late")[-1].link == f"/referrals/{yellow.id}/triage"
    assert recipients("triage_late") == {case_manager.id}
    _no_child_details()


# -- minutes ----------------------------------------------------------------------------------
def test_minutes_not_approved_within_three_working_days_tell_the_lead(
        frozen, case_manager, outsider, make_case):
    frozen(riga(2026, 6, 17, 9))
    case = make_case(risk="yellow", child=CHILD)
    meeting = Meeting(group_id=_group(case).id, starts_at=riga(2026, 6, 18, 10),
                      ends_at=riga(2026, 6, 18, 11), status="held",
                      held_at=riga(2026, 6, 18, 11), minute_taker_id=outsider.id)
    db.session.add(meeting)
    db.session.commit()
    # Held Thursday 18 June: 19, then 25 and 26 (22–24 are off) → by Friday 26.
    assert _run(sweeps.minutes_late, riga(2026, 6, 26, 12)) == 0
    assert _run(sweeps.minutes_late, riga(2026, 6, 27, 9)) == 1
    assert _run(sweeps.minutes_late, riga(2026, 6, 28, 9)) == 0
    # The minute-taker is not in the case's group: only the case manager is told.
    assert recipients("minutes_late") == {case_manager.id}
    assert notifications()[-1].link == f"/cases/{case.id}"
    _no_child_details()


def test_approved_minutes_are_not_chased(frozen, case_manager, make_case):
    frozen(riga(2026, 6, 17, 9))
    case = make_case(risk="yellow")
    db.session.add(Meeting(group_id=_group(case).id, starts_at=riga(2026, 6, 18, 10),
                           ends_at=riga(2026, 6, 18, 11), status="minutes_approved",
                           held_at=riga(2026, 6, 18, 11)))
    db.session.commit()
    assert _run(sweeps.minutes_late, riga(2026, 7, 10, 9)) == 0


# -- informing the client ---------------------------------------------------------------------
def _decision(case, published_at) -> Decision:
    decision = Decision(group_id=_group(case).id, year=2026, seq=1, number="SPG-2026/01",
                        text="Nodrošināt atbalstu", status="pending", published_at=published_at)
    db.session.add(decision)
    db.session.commit()
    return decision


def test_client_not_informed_within_five_working_days_tells_the_case_manager(
        frozen, case_manager, head_of_service, make_case):
    frozen(riga(2026, 11, 16, 9))
    case = make_case(risk="yellow", child=CHILD)
    decision = _decision(case, riga(2026, 11, 17, 12))
    # Tuesday 17 November; the 18th is a holiday → 19, 20, 23, 24, 25.
    assert _run(sweeps.client_not_informed, riga(2026, 11, 25, 18)) == 0
    assert _run(sweeps.client_not_informed, riga(2026, 11, 26, 8)) == 1
    assert _run(sweeps.client_not_informed, riga(2026, 11, 27, 8)) == 0
    note = notifications()[0]
    assert note.user_id == case_manager.id
    assert note.dedup_key == f"client_not_informed:d{decision.id}:u{case_manager.id}"
    assert "SPG-2026/01" in note.text and case.number in note.text
    _no_child_details()


def test_informed_client_is_not_chased(frozen, case_manager, make_case):
    frozen(riga(2026, 11, 16, 9))
    case = make_case(risk="yellow")
    decision = _decision(case, riga(2026, 11, 17, 12))
    ops.add_participation(case_manager, case, subject="Lēmums", person_id=None,
                          decision_id=decision.id, informed=True, informed_on=date(2026, 11, 16),
                          method="in_person", opinion=None, attended=False)
    db.session.commit()
    assert _run(sweeps.client_not_informed, riga(2026, 11, 30, 8)) == 0


# -- the annual report ------------------------------------------------------------------------
def test_annual_report_reminders_on_1_15_25_march_and_overdue_from_1_april(
        frozen, make_user, municipality, specialist):
    coordinator = make_user("coordinator")
    head = make_user("head_of_service")
    frozen(riga(2027, 2, 28, 9))
    assert _run(sweeps.annual_report, riga(2027, 2, 28, 8)) == 0
    assert _run(sweeps.annual_report, riga(2027, 3, 1, 8)) == 2
    assert _run(sweeps.annual_report, riga(2027, 3, 2, 8)) == 0
    assert _run(sweeps.annual_report, riga(2027, 3, 15, 8)) == 2
    assert _run(sweeps.annual_report, riga(2027, 3, 25, 8)) == 2
    assert _run(sweeps.annual_report, riga(2027, 3, 31, 8)) == 0
    assert _run(sweeps.annual_report, riga(2027, 4, 1, 8)) == 2
    assert _run(sweeps.annual_report, riga(2027, 4, 2, 8)) == 0
    keys = sorted({n.dedup_key.rsplit(":u", 1)[0] for n in notifications()})
    assert keys == [f"annual_report:{municipality.id}:2026:2027-03-01",
                    f"annual_report:{municipality.id}:2026:2027-03-15",
                    f"annual_report:{municipality.id}:2026:2027-03-25",
                    f"annual_report_overdue:{municipality.id}:2026"]
    assert recipients("annual_report") == {coordinator.id, head.id}


def test_submitted_annual_report_needs_no_reminder(frozen, make_user, municipality):
    make_user("coordinator")
    frozen(riga(2027, 3, 10, 9))
    report = AnnualReport(municipality_id=municipality.id, year=2026, status="draft")
    db.session.add(report)
    db.session.commit()
    assert _run(sweeps.annual_report, riga(2027, 3, 15, 8)) == 1  # a draft is not done
    report.status = "submitted"
    db.session.commit()
    assert _run(sweeps.annual_report, riga(2027, 3, 25, 8)) == 0
    assert _run(sweeps.annual_report, riga(2027, 4, 1, 8)) == 0


# -- anonymisation ----------------------------------------------------------------------------
def test_closed_case_past_retention_is_anonymised_and_statistics_are_kept(
        frozen, case_manager, make_case, specialist):
    frozen(riga(2015, 1, 10, 9))
    referral = ops.file_referral(specialist, child_given_name="Anna", child_family_name="Bērziņa",
                                 child_personal_code=None, child_birth_date=date(2010, 3, 4),
                                 categories=["violence"], description="Anna Bērziņa zilumi",
                                 proposed_urgency="yellow")
    case = ops.triage_referral(case_manager, referral, outcome="new_case", risk="yellow")
    db.session.commit()
    ops.add_person(case_manager, case, role="parent", given_name="Jānis",
                   family_name="Bērziņš", personal_code=None, birth_date=date(1985, 12, 2))
    ops.add_note(case_manager, case, level="group", text="Anna stāsta par tēvu")
    db.session.commit()
    ops.transition_case(case_manager, case, "start_assessment")
    for task in case_tasks(case):
        from casework.tasks.operations import cancel_task

        cancel_task(case_manager, task, "Nav vajadzīgs")
    ops.transition_case(case_manager, case, "close", closure_reason="goals_achieved")
    db.session.commit()
    second = make_case(risk="green", status="closed")  # closed the same day
    events_before = db.session.scalar(select(func.count()).select_from(CaseEvent)
                                      .where(CaseEvent.case_id == case.id))
    # Ten years after closing (10 January 2025) it is still kept.
    assert _run(sweeps.anonymise, riga(2025, 1, 10, 1)) == 0
    assert _run(sweeps.anonymise, riga(2025, 1, 11, 2, 30)) == 2
    assert _run(sweeps.anonymise, riga(2025, 1, 12, 2, 30)) == 0
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.anonymised_at is not None
    persons = db.session.scalars(select(CasePerson).where(CasePerson.case_id == case.id)).all()
    assert {p.given_name for p in persons} == {"Anonimizēts"}
    assert {p.personal_code for p in persons} == {None}
    assert sorted(p.birth_date for p in persons) == [date(1985, 7, 1), date(2010, 7, 1)]
    assert {n.text for n in db.session.scalars(select(Note).where(Note.case_id == case.id))} \
        == {"Anonimizēts"}
    referral = db.session.get(Referral, referral.id)
    assert (referral.child_given_name, referral.child_personal_code, referral.description) == (
        "Anonimizēts", None, "Anonimizēts")
    assert referral.child_birth_date == date(2010, 7, 1)
    # Statistics stay: the case, its colour, categories, closure and the whole history.
    assert (case.number, case.risk, case.categories, case.closure_reason) == (
        case.number, "yellow", ["violence"], "goals_achieved")
    assert db.session.scalar(select(func.count()).select_from(CaseEvent)
                             .where(CaseEvent.case_id == case.id)) == events_before
    assert audit_actions().count("cases_anonymised") == 1  # one event per municipality a run
    assert db.session.get(Case, second.id).anonymised_at is not None


def case_tasks(case):
    from casework.tasks.models import Task

    return db.session.scalars(select(Task).where(Task.case_id == case.id,
                                                 Task.status == "open")).all()


def test_case_closed_within_retention_or_open_is_kept(frozen, case_manager, make_case):
    frozen(riga(2020, 5, 5, 9))
    closed = make_case(risk="green", status="closed", child=CHILD)
    open_case = make_case(risk="green", status="intervention", child=CHILD)
    assert _run(sweeps.anonymise, riga(2030, 5, 5, 2)) == 0
    assert _run(sweeps.anonymise, riga(2030, 5, 6, 2)) == 1
    db.session.expire_all()
    assert db.session.get(Case, closed.id).anonymised_at is not None
    assert db.session.get(Case, open_case.id).anonymised_at is None
    names = db.session.scalars(select(CasePerson.given_name)
                               .where(CasePerson.case_id == open_case.id)).all()
    assert names == ["Anna"]


def test_retention_period_follows_the_municipality_policy(frozen, case_manager, make_case):
    from casework.policies.models import PolicySetting

    frozen(riga(2020, 5, 5, 9))
    case = make_case(risk="green", status="closed", child=CHILD)
    db.session.add(PolicySetting(municipality_id=case.municipality_id, key="retention_years",
                                 value=3))
    db.session.commit()
    assert _run(sweeps.anonymise, riga(2023, 5, 6, 2)) == 1


# -- idempotence of all sweeps together -------------------------------------------------------
def test_running_every_sweep_twice_adds_nothing_the_second_time(
        frozen, case_manager, head_of_service, specialist, make_case, make_task):
    frozen(riga(2026, 11, 2, 9))
    case = make_case(risk="yellow", child=CHILD)
    ops.change_risk(case_manager, case, "raise_to_red", reason="Vardarbība")
    make_task(specialist, date(2026, 11, 3), case=case)
    make_task(specialist, date(2026, 11, 19), case=case)
    _decision(case, riga(2026, 11, 3, 12))
    db.session.commit()
    now = riga(2026, 11, 17, 7)
    first = {job.id: _run(job.func, now) for job in sweeps.JOBS}
    count = db.session.scalar(select(func.count()).select_from(Notification))
    assert count > 0 and sum(first.values()) > 0
    second = {job.id: _run(job.func, now + timedelta(minutes=1)) for job in sweeps.JOBS}
    assert {k: v for k, v in second.items() if k not in ("deliver_email", "daily_digest")} == {
        k: 0 for k in second if k not in ("deliver_email", "daily_digest")}
    assert second["deliver_email"] == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == count
    _no_child_details()
