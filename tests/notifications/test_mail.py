"""E-mail of notifications: logged without a mail server, sent through SMTP with one, retried
after a failure without losing the in-app notification, and the daily digest."""

import logging
import smtplib
from datetime import timedelta

import pytest

from casework.extensions import db
from casework.notifications import mail
from casework.notifications.models import DigestRun, Notification
from casework.notifications.operations import notify
from tests.jobs.conftest import notifications, riga


class FakeSMTP:
    """Stands in for ``smtplib.SMTP``; ``fail`` makes the next sends raise."""

    sent: list = []
    fail = 0

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context=None):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        if FakeSMTP.fail:
            FakeSMTP.fail -= 1
            raise smtplib.SMTPServerDisconnected("connection lost")
        FakeSMTP.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent, FakeSMTP.fail = [], 0
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.lv")
    monkeypatch.setitem(app.config, "BASE_URL", "https://casework.example.lv")
    monkeypatch.setattr(mail, "SMTP", FakeSMTP)
    return FakeSMTP


def _notify(user, key="k1", text="Lietas 2026/0001 pārskatīšanas termiņš", link="/cases/1"):
    assert notify(user.id, "review_due", text, link, key)
    db.session.commit()


def test_without_a_mail_server_e_mails_are_logged_not_sent(app, make_user, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    user = make_user("case_manager")
    _notify(user)
    with caplog.at_level(logging.INFO, logger="casework.mail"):
        assert mail.deliver_pending(riga(2026, 11, 2, 9)) == 1
    db.session.commit()
    note = notifications()[0]
    assert note.email_state == "logged" and note.emailed_at is not None
    assert "2026/0001" in caplog.text and user.email in caplog.text


def test_without_a_mail_server_the_log_has_the_text_and_no_message_is_built(
        app, make_user, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "BASE_URL", "https://casework.example.lv")

    def build(user, notification):
        raise AssertionError("a MIME message built for the log")

    monkeypatch.setattr(mail, "notification_message", build)
    users = [make_user("case_manager") for _ in range(3)]
    for n, user in enumerate(users):
        _notify(user, f"k{n}")
    with caplog.at_level(logging.INFO, logger="casework.mail"):
        assert mail.deliver_pending(riga(2026, 11, 2, 9)) == 3
    db.session.commit()
    assert {n.email_state for n in notifications()} == {"logged"}
    assert all(user.email in caplog.text for user in users)
    assert "casework: " in caplog.text and "https://casework.example.lv/" in caplog.text
    assert mail.deliver_pending(riga(2026, 11, 2, 9, 1)) == 0


def test_immediate_e_mail_is_sent_once_with_an_absolute_link(smtp, make_user):
    user = make_user("case_manager")
    _notify(user)
    now = riga(2026, 11, 2, 9)
    assert mail.deliver_pending(now) == 1
    assert mail.deliver_pending(now + timedelta(minutes=1)) == 0
    assert len(smtp.sent) == 1
    message = smtp.sent[0]
    assert message["To"] == user.email
    assert "https://casework.example.lv/cases/1" in message.get_content()
    assert notifications()[0].email_state == "sent"


def test_failed_e_mail_is_retried_later_and_the_notification_stays(smtp, make_user):
    user = make_user("case_manager")
    _notify(user)
    smtp.fail = 1
    now = riga(2026, 11, 2, 9)
    assert mail.deliver_pending(now) == 0
    note = notifications()[0]
    assert (note.email_state, note.email_attempts) == ("failed", 1)
    assert note.email_next_attempt_at == now + mail.retry_delay(1)
    assert note.read_at is None and note.text  # still in the app
    assert mail.deliver_pending(now + timedelta(minutes=1)) == 0  # not before the backoff
    assert mail.deliver_pending(now + timedelta(minutes=6)) == 1
    db.session.expire_all()
    note = notifications()[0]
    assert (note.email_state, note.email_attempts) == ("sent", 2)
    assert len(smtp.sent) == 1


def test_e_mail_is_given_up_after_the_last_attempt_but_stays_in_the_app(smtp, make_user):
    user = make_user("case_manager")
    _notify(user)
    smtp.fail = mail.MAX_ATTEMPTS
    now = riga(2026, 11, 2, 9)
    for _ in range(mail.MAX_ATTEMPTS + 2):
        mail.deliver_pending(now)
        now += timedelta(hours=7)
    db.session.expire_all()
    note = notifications()[0]
    assert (note.email_state, note.email_attempts, note.email_next_attempt_at) == (
        "failed", mail.MAX_ATTEMPTS, None)
    assert smtp.sent == []
    assert db.session.get(Notification, note.id) is not None


def test_digest_users_get_one_e_mail_a_day_listing_their_notifications(smtp, make_user, frozen):
    frozen(riga(2026, 11, 2, 7))
    user = make_user("case_manager")
    user.notify_by = "digest"
    db.session.commit()
    _notify(user, "k1", "Lietas 2026/0001 pārskatīšana")
    _notify(user, "k2", "Lietas 2026/0002 uzdevums nokavēts", "/cases/2")
    now = riga(2026, 11, 2, 7, 30)
    assert mail.deliver_pending(now) == 0  # not sent one by one
    assert mail.send_digests(now) == 1
    assert mail.send_digests(now + timedelta(hours=1)) == 0
    assert len(smtp.sent) == 1
    body = smtp.sent[0].get_content()
    assert "2026/0001" in body and "2026/0002" in body and "/cases/2" in body
    assert {n.email_state for n in notifications()} == {"sent"}
    frozen(riga(2026, 11, 2, 10))
    _notify(user, "k3", "Lietas 2026/0003 pārskatīšana")
    assert mail.send_digests(now + timedelta(hours=2)) == 0  # tomorrow's digest
    assert mail.send_digests(now + timedelta(days=1)) == 1
    assert "2026/0003" in smtp.sent[1].get_content()
    assert db.session.query(DigestRun).count() == 2


def test_failed_digest_is_retried_and_loses_nothing(smtp, make_user, frozen):
    frozen(riga(2026, 11, 2, 7))
    user = make_user("case_manager")
    user.notify_by = "digest"
    db.session.commit()
    _notify(user)
    smtp.fail = 1
    now = riga(2026, 11, 2, 7, 30)
    assert mail.send_digests(now) == 0
    assert db.session.query(DigestRun).count() == 0
    assert notifications()[0].email_state == "digest"
    assert mail.send_digests(now + timedelta(minutes=5)) == 1
    assert len(smtp.sent) == 1


def test_e_mail_is_in_the_users_language(smtp, make_user):
    user = make_user("case_manager")
    user.locale = "en"
    db.session.commit()
    _notify(user)
    mail.deliver_pending(riga(2026, 11, 2, 9))
    assert smtp.sent[0].get_content().startswith("Hello,")


# -- a hung server, bad messages, and e-mails given up (issue 10.7, 17.5) ---------------------
def _give_up(user, key):
    """A notification whose e-mail was given up after the last attempt."""
    _notify(user, key)
    note = db.session.scalar(db.select(Notification).where(Notification.dedup_key == key))
    note.email_state, note.email_attempts, note.email_next_attempt_at = (
        "failed", mail.MAX_ATTEMPTS, None)
    db.session.commit()
    return note.id


def test_a_hung_smtp_server_fails_after_the_timeout_and_ends_the_run(app, make_user,
                                                                     monkeypatch):
    import socket
    import time

    # Accepts connections (the kernel completes them) and never says a word.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", server.getsockname()[1])
        monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 0.5)
        user = make_user("case_manager")
        for key in ("k1", "k2", "k3"):
            _notify(user, key)
        started = time.monotonic()
        assert mail.deliver_pending(riga(2026, 11, 2, 9)) == 0
        assert time.monotonic() - started < 5
    finally:
        server.close()
    db.session.expire_all()
    states = [(n.email_state, n.email_attempts) for n in
              db.session.scalars(db.select(Notification).order_by(Notification.id))]
    # The first one failed and will be retried; the others were not even tried this run.
    assert states == [("failed", 1), ("pending", 0), ("pending", 0)]


def test_smtp_timeout_is_a_few_seconds_by_default_and_a_setting(tmp_path, monkeypatch):
    from casework.config import load_config

    monkeypatch.delenv("CASEWORK_MAIL_TIMEOUT", raising=False)
    assert 0 < load_config(str(tmp_path))["MAIL_TIMEOUT"] <= 10
    monkeypatch.setenv("CASEWORK_MAIL_TIMEOUT", "3")
    assert load_config(str(tmp_path))["MAIL_TIMEOUT"] == 3


def test_a_notification_text_with_cr_lf_cannot_stop_delivery(smtp, make_user):
    bad, good = make_user("case_manager"), make_user("case_manager")
    _notify(bad, "k1", text="Lieta 2026/0001\r\nBcc: visi@example.com\nX: y")
    _notify(good, "k2")
    assert mail.deliver_pending(riga(2026, 11, 2, 9)) == 2
    subjects = {m["To"]: m["Subject"] for m in smtp.sent}
    assert "\n" not in subjects[bad.email] and "\r" not in subjects[bad.email]
    assert "2026/0001 Bcc: visi@example.com X: y" in subjects[bad.email]
    assert all(m["Bcc"] is None for m in smtp.sent)
    assert good.email in subjects


def test_one_bad_message_never_blocks_the_queue(smtp, make_user, monkeypatch):
    first, second, third = (make_user("case_manager") for _ in range(3))
    real = mail.notification_message

    def build(user, notification):
        if user.id == first.id:
            raise ValueError("cannot build")
        return real(user, notification)

    def send(self, message):
        if message["To"] == second.email:
            raise smtplib.SMTPRecipientsRefused({second.email: (550, b"no such user")})
        FakeSMTP.sent.append(message)

    monkeypatch.setattr(mail, "notification_message", build)
    monkeypatch.setattr(FakeSMTP, "send_message", send)
    for n, user in enumerate((first, second, third)):
        _notify(user, f"k{n}")
    now = riga(2026, 11, 2, 9)
    assert mail.deliver_pending(now) == 1
    assert [m["To"] for m in smtp.sent] == [third.email]
    db.session.expire_all()
    by_user = {n.user_id: n for n in notifications()}
    # A message that cannot be built is given up at once; a refused one is retried later.
    assert (by_user[first.id].email_state, by_user[first.id].email_next_attempt_at) == (
        "failed", None)
    assert by_user[second.id].email_state == "failed"
    assert by_user[second.id].email_next_attempt_at == now + mail.retry_delay(1)


def test_given_up_e_mails_are_listed_and_requeued_from_the_command_line(smtp, make_user,
                                                                         runner):
    user = make_user("case_manager")
    first, second = _give_up(user, "k1"), _give_up(user, "k2")
    listing = runner.invoke(args=["mail", "requeue"])
    assert listing.exit_code == 0 and f"{first}\t" in listing.output
    assert "2 e-mail(s) given up" in listing.output
    assert mail.deliver_pending(riga(2026, 11, 2, 9)) == 0  # given up: not retried by itself
    result = runner.invoke(args=["mail", "requeue", "--id", str(first)])
    assert result.exit_code == 0 and "1 e-mail(s) queued" in result.output
    assert mail.deliver_pending(riga(2026, 11, 2, 9)) == 1
    result = runner.invoke(args=["mail", "requeue", "--all"])
    assert "1 e-mail(s) queued" in result.output
    assert mail.deliver_pending(riga(2026, 11, 2, 9)) == 1
    db.session.expire_all()
    assert {n.email_state for n in notifications()} == {"sent"}
    assert db.session.get(Notification, second).email_attempts == 1
    assert runner.invoke(args=["mail", "requeue", "--all", "--id", "1"]).exit_code == 2


def test_user_sees_and_requeues_only_their_own_failed_e_mails(client, login_as, make_user):
    other = make_user("case_manager")
    theirs = _give_up(other, "k-other")
    user = login_as("case_manager")
    mine = _give_up(user, "k-mine")
    html = client.get("/notifications/settings").get_data(as_text=True)
    assert "2026/0001" in html and "Sūtīt vēlreiz" in html
    response = client.post_form("/notifications/emails/requeue", {"scope": "own"},
                                token_from="/notifications/settings")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, mine).email_state == "pending"
    assert db.session.get(Notification, theirs).email_state == "failed"
    response = client.post_form("/notifications/emails/requeue", {"scope": "municipality"},
                                token_from="/notifications/settings")
    assert response.status_code == 404


def test_municipal_admin_requeues_the_municipalitys_failed_e_mails(client, login_as,
                                                                  make_user, make_institution,
                                                                  make_municipality):
    local = make_user("case_manager")
    foreign = make_user("case_manager",
                        institution=make_institution("other", municipality=make_municipality()))
    local_id, foreign_id = _give_up(local, "k-local"), _give_up(foreign, "k-foreign")
    login_as("admin")
    html = client.get("/notifications/settings").get_data(as_text=True)
    assert "2026/0001" not in html  # an administrator sees a count, not case numbers
    response = client.post_form("/notifications/emails/requeue", {"scope": "municipality"},
                                token_from="/notifications/settings")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, local_id).email_state == "pending"
    assert db.session.get(Notification, foreign_id).email_state == "failed"


def test_a_claim_leaves_alone_an_e_mail_another_process_tried_meanwhile(smtp, make_user):
    user = make_user("case_manager")
    _notify(user)
    note = notifications()[0]
    now = riga(2026, 11, 2, 9)
    # Read with 0 attempts; another process has tried it since (1 attempt, due again now).
    note.email_attempts, note.email_state, note.email_next_attempt_at = 1, "failed", now
    db.session.commit()
    assert mail._claim_batch([(note.id, 0)], now) == []
    db.session.expire_all()
    note = notifications()[0]
    # Neither leased nor counted by this process: the next run sends it.
    assert (note.email_attempts, note.email_next_attempt_at) == (1, now)
    assert mail.deliver_pending(now) == 1 and len(smtp.sent) == 1


def test_claimed_e_mails_go_back_to_the_queue_whatever_ends_the_batch(smtp, make_user,
                                                                      monkeypatch):
    user = make_user("case_manager")
    _notify(user, "k1")
    _notify(user, "k2")
    now = riga(2026, 11, 2, 9)
    real = mail.joinedload

    def broken(*args):
        raise RuntimeError("the claimed rows cannot be read")

    monkeypatch.setattr(mail, "joinedload", broken)
    with pytest.raises(RuntimeError):
        mail.deliver_pending(now)
    db.session.expire_all()
    assert [(n.email_state, n.email_attempts, n.email_next_attempt_at)
            for n in notifications()] == [("pending", 0, None)] * 2
    monkeypatch.setattr(mail, "joinedload", real)
    assert mail.deliver_pending(now) == 2 and len(smtp.sent) == 2
