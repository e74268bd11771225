"""The scheduler process, ``run-due-jobs``, and sending nothing twice: a double run on any
database, two concurrent sweeps on PostgreSQL."""

import os
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from casework.cases import operations as ops
from casework.extensions import db
from casework.jobs import sweeps
from casework.jobs.scheduler import build_scheduler
from casework.notifications import mail
from casework.notifications.models import Notification
from tests.jobs.conftest import CHILD, notifications, riga
from tests.notifications.test_mail import FakeSMTP

on_postgresql = pytest.mark.skipif(not os.environ.get("CASEWORK_TEST_DATABASE_URL"),
                                   reason="concurrent sweeps are checked on PostgreSQL")


def test_scheduler_has_every_job_with_a_stable_id_on_riga_cron_triggers(app):
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {job.id for job in sweeps.JOBS}
    assert {"task_due", "task_overdue", "review_due", "red_no_meeting", "triage_late",
            "minutes_late", "client_not_informed", "annual_report", "anonymise",
            "deliver_email", "daily_digest"} <= set(jobs)
    assert str(scheduler.timezone) == "Europe/Riga"
    for job in jobs.values():
        assert type(job.trigger).__name__ == "CronTrigger"
        assert str(job.trigger.timezone) == "Europe/Riga"
        assert job.coalesce is True and job.max_instances == 1
        assert job.name  # the sweep's docstring
    assert "hour='7'" in str(jobs["task_due"].trigger)
    assert not scheduler.running


def test_building_the_app_starts_no_scheduler(app):
    # Web workers create the app; only the scheduler command starts jobs.
    assert not any(t.name.startswith("APScheduler") for t in threading.enumerate())


def test_run_due_jobs_runs_every_sweep_once_and_exits(runner, app, make_user, frozen):
    coordinator = make_user("coordinator")
    result = runner.invoke(args=["run-due-jobs", "--now", "2027-03-01T08:00"])
    assert result.exit_code == 0, result.output
    for job in sweeps.JOBS:
        assert f"{job.id}:" in result.output
    assert "annual_report: 1" in result.output
    with app.app_context():
        note = notifications()[0]
        assert note.user_id == coordinator.id and note.email_state == "logged"
    again = runner.invoke(args=["run-due-jobs", "--now", "2027-03-01T08:05"])
    assert "annual_report: 0" in again.output


def test_run_due_jobs_can_run_one_job_and_refuses_unknown_ones(runner):
    result = runner.invoke(args=["run-due-jobs", "--job", "review_due"])
    assert result.exit_code == 0 and result.output.strip() == "review_due: 0"
    assert runner.invoke(args=["run-due-jobs", "--job", "nope"]).exit_code != 0


def _scenario(frozen, case_manager, head_of_service, specialist, make_case, make_task):
    frozen(riga(2026, 11, 2, 9))
    case = make_case(risk="yellow", child=CHILD)
    ops.add_group_member(case_manager, case, specialist)
    ops.change_risk(case_manager, case, "raise_to_red", reason="Vardarbība")
    db.session.commit()
    for day in (3, 4, 5, 19):
        make_task(specialist, date(2026, 11, day), case=case)
    frozen(riga(2026, 11, 17, 7))


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent, FakeSMTP.fail = [], 0
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.lv")
    monkeypatch.setattr(mail, "SMTP", FakeSMTP)
    return FakeSMTP


def test_running_all_jobs_twice_sends_nothing_twice(frozen, smtp, case_manager, head_of_service,
                                                   specialist, make_case, make_task):
    _scenario(frozen, case_manager, head_of_service, specialist, make_case, make_task)
    first = sweeps.run_all(riga(2026, 11, 17, 7))
    count = db.session.scalar(select(func.count()).select_from(Notification))
    sent = len(smtp.sent)
    assert first["deliver_email"] == count == sent > 0
    second = sweeps.run_all(riga(2026, 11, 17, 7, 1))
    assert sum(second.values()) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == count
    assert len(smtp.sent) == sent
    for message in smtp.sent:
        assert "Anna" not in message.get_content() and "Bērziņa" not in message.get_content()


@on_postgresql
def test_two_concurrent_sweeps_on_postgresql_send_nothing_twice(
        app, frozen, smtp, case_manager, head_of_service, specialist, make_case, make_task):
    _scenario(frozen, case_manager, head_of_service, specialist, make_case, make_task)
    before = db.session.scalar(select(func.count()).select_from(Notification))  # turned red
    db.session.remove()
    now = riga(2026, 11, 17, 7)
    errors, results = [], []
    barrier = threading.Barrier(2)

    def scheduler_process():
        with app.app_context():
            try:
                barrier.wait()
                results.append(sweeps.run_all(now))
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scheduler_process) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    count = db.session.scalar(select(func.count()).select_from(Notification))
    assert count > 0
    created = sum(r[job.id] for r in results for job in sweeps.JOBS
                  if job.id not in ("deliver_email", "daily_digest"))
    assert created == count - before  # each notification was created by exactly one process
    assert sum(r["deliver_email"] for r in results) == count
    recipients = sorted((m["To"], m["Subject"]) for m in smtp.sent)
    assert len(recipients) == len(set(recipients)) == count
    assert {n.email_state for n in notifications()} == {"sent"}


@on_postgresql
def test_two_concurrent_e_mail_deliveries_on_postgresql_send_each_once(app, smtp, make_user):
    from casework.notifications.operations import notify

    user = make_user("case_manager")
    for n in range(20):
        notify(user.id, "review_due", f"Lietas 2026/{n:04d} pārskatīšana", "/cases/1", f"k{n}")
    db.session.commit()
    db.session.remove()
    barrier = threading.Barrier(2)
    errors = []

    def deliver():
        with app.app_context():
            try:
                barrier.wait()
                mail.deliver_pending(riga(2026, 11, 17, 7))
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    subjects = [m["Subject"] for m in smtp.sent]
    assert len(subjects) == len(set(subjects)) == 20


def test_a_scheduled_job_runs_in_an_app_context_and_commits(app, make_user, frozen):
    from casework.jobs.scheduler import _run_in_app

    make_user("coordinator")
    frozen(riga(2027, 3, 1, 8))
    db.session.remove()
    _run_in_app(app, "annual_report")
    with app.app_context():
        assert len(notifications(kind="annual_report")) == 1


def test_a_failing_job_is_logged_and_does_not_stop_the_scheduler(app, monkeypatch, caplog):
    from casework.jobs.scheduler import _run_in_app

    def broken(now):
        raise RuntimeError("database away")

    monkeypatch.setitem(sweeps.JOBS_BY_ID, "review_due",
                        sweeps.Job("review_due", broken, {"hour": 7}))
    _run_in_app(app, "review_due")
    assert "Job review_due failed" in caplog.text
