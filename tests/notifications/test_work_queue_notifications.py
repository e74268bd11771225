"""Issue 11: the most time-critical events are told at once, in the reader's language, and the
group is convened by one task per case."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from casework.cases import operations as ops
from casework.extensions import db
from casework.groups import operations as group_ops
from casework.notifications.mail import notification_message
from casework.notifications.models import Notification
from casework.notifications.texts import deferred
from casework.tasks.models import Task


def _notes(kind=None):
    stmt = select(Notification).order_by(Notification.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


def _referral_form(urgency):
    return {"child_given_name": "Anna", "child_family_name": "Bērziņa",
            "child_personal_code": "", "child_birth_date": "", "categories": ["violence"],
            "description": "Zilumi uz rokām", "proposed_urgency": urgency}


def test_red_referral_notifies_case_managers_and_head_of_service_in_the_same_request(
        client, specialist, case_manager, head_of_service, make_user, social_service):
    second = make_user("case_manager", institution=social_service)
    client.login(specialist.email)
    response = client.post_form("/referrals/new", _referral_form("red"),
                                token_from="/referrals/new")
    assert response.status_code == 302
    rows = _notes("referral_new")
    assert {n.user_id for n in rows} == {case_manager.id, second.id, head_of_service.id}
    assert all(n.link.endswith("/triage") for n in rows)
    # No child's name, no description: only the urgency and the deadline.
    assert not any("Anna" in n.text or "Bērziņa" in n.text or "Zilumi" in n.text for n in rows)
    assert all("sarkan" in n.text for n in rows)


def test_yellow_referral_notifies_case_managers_only_and_green_waits_for_the_sweep(
        app_ctx, specialist, case_manager, head_of_service):
    for urgency in ("yellow", "green"):
        ops.file_referral(specialist, child_given_name="A", child_family_name="B",
                          child_personal_code=None, child_birth_date=None,
                          categories=["neglect"], description="x", proposed_urgency=urgency)
    db.session.commit()
    assert {n.user_id for n in _notes("referral_new")} == {case_manager.id}


def test_notification_text_is_rendered_in_the_readers_language(
        app_ctx, case_manager, make_case, head_of_service):
    head_of_service.locale = "en"
    db.session.commit()
    case = make_case("yellow")
    ops.change_risk(case_manager, case, "raise_to_red", reason="Vardarbība")
    db.session.commit()
    note = _notes("turned_red")[0]
    assert note.user_id == head_of_service.id
    assert note.params["msgid"] == "Case %(number)s has turned red."
    assert note.display_text("en") == f"Case {case.number} has turned red."
    assert case.number in note.display_text("lv") and note.display_text("lv") != \
        note.display_text("en")
    message = notification_message(head_of_service, note)
    assert message.get_content().count(f"Case {case.number} has turned red.") == 1


def test_nested_parts_are_rendered_in_the_same_language(app_ctx):
    text = deferred("New task due on %(date)s (%(subject)s).", date="01.02.2027",
                    subject=deferred("case %(number)s", number="2027/0001"))
    assert text.render("en") == "New task due on 01.02.2027 (case 2027/0001)."
    assert "2027/0001" in text.render("lv") and "case " not in text.render("lv")


def test_a_notification_with_an_unknown_stored_message_falls_back_to_its_text(app_ctx):
    note = Notification(text="Saglabāts teksts", params={"msgid": "%(gone)s",
                                                                  "args": {"other": 1}})
    assert note.display_text("en") == "Saglabāts teksts"


def test_late_triage_text_names_no_internal_id(app_ctx, specialist, case_manager, frozen):
    from casework.jobs import sweeps
    from workflows.policy import RIGA

    frozen(datetime(2026, 6, 19, 15, tzinfo=RIGA))
    referral = ops.file_referral(specialist, child_given_name="A", child_family_name="B",
                                 child_personal_code=None, child_birth_date=None,
                                 categories=["neglect"], description="x",
                                 proposed_urgency="green")
    db.session.commit()
    sweeps.triage_late(datetime(2026, 6, 30, 8, tzinfo=RIGA))
    db.session.commit()
    (late,) = _notes("triage_late")
    assert f"{referral.id}" not in late.display_text("en").replace("19.06.2026", "")
    assert "19.06.2026" in late.display_text("en")


def _convene_tasks(case):
    return list(db.session.scalars(select(Task).where(Task.case_id == case.id,
                                                      Task.kind == ops.CONVENE_TASK_KIND)))


def test_turning_red_updates_the_open_convening_task_instead_of_adding_a_second(
        app_ctx, case_manager, make_case):
    case = make_case("yellow")
    (task,) = _convene_tasks(case)
    yellow_due = task.due_date
    ops.change_risk(case_manager, case, "raise_to_red", reason="Vardarbība")
    db.session.commit()
    (task,) = _convene_tasks(case)
    assert task.status == "open" and task.due_date < yellow_due


def test_holding_a_meeting_of_the_cases_group_closes_the_convening_task(
        app_ctx, case_manager, make_case):
    case = make_case("red")
    group = ops.case_group(case)
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    meeting = group_ops.plan_meeting(case_manager, group, starts_at=starts,
                                     ends_at=starts + timedelta(hours=1),
                                     invite_ids=[case_manager.id])
    group_ops.add_agenda_item(case_manager, meeting, kind="goal", text="Drošības plāns")
    group_ops.record_attendance(case_manager, meeting, {case_manager.id: "attended"})
    group_ops.mark_held(case_manager, meeting)
    db.session.commit()
    (task,) = _convene_tasks(case)
    assert task.status == "done" and task.closed_at is not None
