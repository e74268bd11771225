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
