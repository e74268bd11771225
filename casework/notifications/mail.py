"""E-mail for notifications: sent through SMTP when ``CASEWORK_MAIL_SERVER`` is set, logged
otherwise (DESIGN.md §7). The in-app notification is the record; e-mail is delivered after the
commit that created it, by the scheduler's ``deliver_email`` and ``daily_digest`` jobs, never by
a web request.

Two scheduler processes must never send the same e-mail twice, and the check constraint allows
no "sending" state, so a notification is *claimed* before it is sent: one UPDATE per batch of
``SEND_BATCH`` raises ``email_attempts`` of each row guarded by its old value and the due
condition and puts ``email_next_attempt_at`` a lease into the future, and is committed at once;
the outcomes of the batch's sends are stored with one more commit. A second process's UPDATE
finds the attempts changed (on PostgreSQL it waits for the first one's row lock, then matches
nothing), and its next select
skips the row until the lease has passed. A failed send sets ``failed`` and a later attempt time
with backoff; a process that dies mid-send leaves the lease to expire and the e-mail is retried.
After ``MAX_ATTEMPTS`` the e-mail is given up: it stays ``failed`` without a retry time, shown
on the notification settings page, until it is re-queued (``requeue_failed``: the button there,
or ``flask --app casework mail requeue``).
The daily digest is claimed by inserting the unique ``DigestRun`` row of the user and day.

One e-mail never stops the others: a message that cannot be built or that the server refuses
fails alone and the batch goes on. A server that does not answer fails after
``CASEWORK_MAIL_TIMEOUT`` seconds and ends the run (the rest stay due for the next one), so a
hung server cannot hold the job for minutes.

Bodies carry what the notification says (a case number, what is due) and a link; never a
child's name or details.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from smtplib import SMTP, SMTP_SSL

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import and_, delete, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from casework.auth.models import User
from casework.extensions import db
from casework.notifications.models import DigestRun, Notification
from workflows.policy import local_date

log = logging.getLogger("casework.mail")

#: How long a claimed e-mail is reserved for the process sending it.
CLAIM_LEASE = timedelta(minutes=10)
#: After this many failed attempts an e-mail is given up (the in-app notification stays).
MAX_ATTEMPTS = 8
BATCH = 200
#: Refusals of one message; any other SMTP or network error means the server is unusable now.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                  smtplib.SMTPDataError, smtplib.SMTPNotSupportedError)


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the ``attempts``-th failure: 5, 10, 20 minutes... at most 6 hours."""
    return min(timedelta(minutes=5) * 2 ** max(attempts - 1, 0), timedelta(hours=6))


# -- transport --------------------------------------------------------------------------------
def send_message(message: EmailMessage) -> str:
    """Send ``message`` through SMTP, or log it when no mail server is configured.

    Returns the e-mail state to store: ``sent`` or ``logged``. SMTP and network errors are
    raised to the caller, which records the failure and retries later.
    """
    config = current_app.config
    server = config.get("MAIL_SERVER")
    if not server:
        return _log_unsent(message["To"], message["Subject"], message.get_content())
    port = int(config.get("MAIL_PORT") or 25)
    # The timeout bounds the connect and every read: a server that accepts and never answers
    # fails after it instead of holding the job.
    timeout = float(config.get("MAIL_TIMEOUT") or 10)
    if config.get("MAIL_USE_SSL"):
        connection = SMTP_SSL(server, port, timeout=timeout,
                              context=ssl.create_default_context())
    else:
        connection = SMTP(server, port, timeout=timeout)
    with connection as smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
    return "sent"


def _absolute(link: str | None) -> str:
    base = current_app.config.get("BASE_URL") or ""
    if not link or not link.startswith("/") or link.startswith("//"):
        return base + "/notifications"
    return base + link


def _locale_of(user: User) -> str:
    languages = current_app.config.get("LANGUAGES", ("lv",))
    return user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _footer() -> str:
    base = current_app.config.get("BASE_URL") or ""
    return gettext("This is an automatic message from casework. Choose immediate e-mails or "
                   "a daily digest at %(url)s", url=f"{base}/notifications/settings")


def single_line(text: str) -> str:
    """``text`` on one line: a header with CR or LF would be refused (or, worse, split)."""
    return " ".join((text or "").split())


def notification_parts(user: User, notification: Notification) -> tuple[str, str]:
    """The subject and the body of one notification's e-mail, in the user's language (Latvian
    by default)."""
    with force_locale(_locale_of(user)):
        text = notification.display_text()
        subject = single_line(gettext("casework: %(text)s", text=text))[:200]
        body = "\n\n".join([gettext("Hello,"), text, _absolute(notification.link), _footer()])
    return subject, body


def notification_message(user: User, notification: Notification) -> EmailMessage:
    """The e-mail of one notification, in the user's language (Latvian by default)."""
    subject, body = notification_parts(user, notification)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = user.email
    message.set_content(body)
    return message


def _log_unsent(to: str, subject: str, body: str) -> str:
    log.info("E-mail not sent (CASEWORK_MAIL_SERVER is not set): to=%s subject=%s\n%s",
             to, subject, body)
    return "logged"


def digest_message(user: User, notifications: list[Notification], day) -> EmailMessage:
    """One e-mail listing the user's notifications of the day."""
    with force_locale(_locale_of(user)):
        message = EmailMessage()
        message["Subject"] = single_line(gettext(
            "casework: %(count)s notifications of %(day)s", count=len(notifications),
            day=day.strftime("%d.%m.%Y")))
        message["From"] = current_app.config["MAIL_FROM"]
        message["To"] = user.email
        lines = [f"- {n.display_text()}\n  {_absolute(n.link)}" for n in notifications]
        message.set_content("\n\n".join([gettext("Hello,"), "\n".join(lines), _footer()]))
    return message


# -- immediate e-mails ------------------------------------------------------------------------
def _due_condition(now: datetime):
    """An immediate e-mail is due: new, or failed and its retry time has come (a failure
    given up has no retry time)."""
    return or_(and_(Notification.email_state == "pending",
                    or_(Notification.email_next_attempt_at.is_(None),
                        Notification.email_next_attempt_at <= now)),
               and_(Notification.email_state == "failed",
                    Notification.email_next_attempt_at <= now))


def due_emails(now: datetime):
    """Notifications whose immediate e-mail is due: new ones, and failed ones whose retry time
    has come (a failure given up has no retry time). Read in id order from the partial index
    of the queue (``Notification.queued``): the batch is the first rows of the index, however
    many e-mails went out before."""
    return (select(Notification.id, Notification.email_attempts,
                   Notification.email_next_attempt_at)
            .where(Notification.queued(), _due_condition(now))
            .order_by(Notification.id).limit(BATCH))


#: E-mails claimed, sent and recorded per commit (``deliver_pending``).
SEND_BATCH = 50


def _claim_batch(rows, now: datetime) -> list[int]:
    """Claim due e-mails in one UPDATE and commit it; returns the ids claimed.

    The UPDATE repeats the due condition and moves the retry time a lease into the future, so a
    second process's claim matches none of these rows (on PostgreSQL it waits for the first
    one's row locks, then re-reads the condition), and each row is guarded by its old count of
    attempts as before."""
    if not rows:
        return []
    attempts = dict(rows)
    # Only rows whose attempts are still those read: a row another process claimed (or tried)
    # meanwhile is left as it is, never leased by this process without being sent or released.
    claimed = db.session.execute(
        update(Notification)
        .where(tuple_(Notification.id, Notification.email_attempts).in_(list(attempts.items())),
               _due_condition(now))
        .values(email_attempts=Notification.email_attempts + 1,
                email_next_attempt_at=now + CLAIM_LEASE)
        .returning(Notification.id, Notification.email_attempts)).all()
    db.session.commit()
    return sorted(i for i, n in claimed if n == attempts[i] + 1)


def _release(claims: dict[int, tuple[int, datetime | None]]) -> None:
    """Give claimed e-mails that were not tried back to the queue as they were."""
    for notification_id, (attempts, next_at) in claims.items():
        db.session.execute(update(Notification).where(Notification.id == notification_id)
                           .values(email_attempts=attempts, email_next_attempt_at=next_at))


def deliver_pending(now: datetime) -> int:
    """Send (or log) every due immediate e-mail (at most ``BATCH`` a run); returns how many
    went out.

    In batches of ``SEND_BATCH``: one committed UPDATE claims a batch (the claims must be
    visible to other processes before the slow sends), the batch's messages are built and
    sent, and their outcomes are stored with one commit. A message that cannot be built (a bug
    or bad data) is given up at once and the others go on; one the server refuses is retried
    later and the others go on; a server that fails or does not answer ends the run, and the
    batch's e-mails not yet tried go back to the queue untouched. Nothing is lost: an e-mail
    is marked sent only after the server took it, and a process that dies mid-batch leaves the
    lease to expire, so its e-mails are retried (at most the one being sent may go twice).
    """
    delivered = 0
    # Without a mail server the e-mails are only logged: their text is written to the log
    # without building the MIME message (its headers cost a millisecond each), and with no
    # slow sends to wait for the run is one batch (one claim, one record).
    logged_only = not current_app.config.get("MAIL_SERVER")
    rows = db.session.execute(due_emails(now)).all()
    per_batch = max(len(rows), 1) if logged_only else SEND_BATCH
    for i in range(0, len(rows), per_batch):
        chunk = rows[i:i + per_batch]
        before = {r.id: (r.email_attempts, r.email_next_attempt_at) for r in chunk}
        claimed = _claim_batch([(r.id, r.email_attempts) for r in chunk], now)
        sent: dict[str, list[int]] = {}
        failed: list[tuple[int, bool]] = []  # (id, retry)
        server_down = False
        untried = {nid: before[nid] for nid in claimed}
        # Whatever ends the loop (a server gone, or an error nobody foresaw, even in reading
        # the claimed rows), what was sent is recorded as sent and what was not tried goes
        # back to the queue: every claimed e-mail is sent or released, and no e-mail is sent
        # twice because the record of a whole batch was lost.
        try:
            notes = {n.id: n for n in db.session.scalars(
                select(Notification).where(Notification.id.in_(claimed or [0]))
                .options(joinedload(Notification.user)))}
            for notification_id in claimed:
                notification = notes.get(notification_id)
                tries = before[notification_id][0] + 1
                untried.pop(notification_id)
                if notification is None:  # deleted since it was claimed: nothing to send
                    continue
                try:
                    if logged_only:
                        parts = notification_parts(notification.user, notification)
                    else:
                        message = notification_message(notification.user, notification)
                except Exception:  # noqa: BLE001 - one bad message must not stop the queue
                    log.exception("E-mail of notification %s cannot be built; given up",
                                  notification_id)
                    failed.append((notification_id, False))
                    continue
                if logged_only:
                    state = _log_unsent(notification.user.email, *parts)
                    sent.setdefault(state, []).append(notification_id)
                    delivered += 1
                    continue
                try:
                    state = send_message(message)
                except MESSAGE_ERRORS as error:
                    log.warning("E-mail of notification %s refused (attempt %s): %s",
                                notification_id, tries, error)
                    failed.append((notification_id, True))
                    continue
                except (OSError, smtplib.SMTPException) as error:
                    log.warning("E-mail of notification %s failed (attempt %s), mail server "
                                "unusable, the rest wait for the next run: %s",
                                notification_id, tries, error)
                    failed.append((notification_id, True))
                    server_down = True
                    break
                sent.setdefault(state, []).append(notification_id)
                delivered += 1
        finally:
            db.session.rollback()  # nothing of the building is kept; the outcomes follow
            for state, ids in sent.items():
                db.session.execute(update(Notification).where(Notification.id.in_(ids)).values(
                    email_state=state, emailed_at=now, email_next_attempt_at=None))
            for notification_id, retry in failed:
                tries = before[notification_id][0] + 1
                db.session.execute(update(Notification).where(Notification.id == notification_id)
                                   .values(email_state="failed", email_next_attempt_at=(
                                       now + retry_delay(tries)
                                       if retry and tries < MAX_ATTEMPTS else None)))
            _release(untried)
            db.session.commit()
        if server_down:
            break
    return delivered


def failed_emails(user_ids=None):
    """Given-up e-mails (failed, no retry time), optionally of ``user_ids`` (a select)."""
    stmt = select(Notification).where(Notification.email_state == "failed",
                                      Notification.email_next_attempt_at.is_(None))
    if user_ids is not None:
        stmt = stmt.where(Notification.user_id.in_(user_ids))
    return stmt.order_by(Notification.id)


def requeue_failed(*, user_ids=None, notification_ids=None) -> int:
    """Put given-up e-mails back in the queue with a fresh count of attempts; returns how many.

    Only given-up ones: an e-mail still being retried (or claimed right now) keeps its turn,
    so nothing is sent twice. Only flushes; the caller commits.
    """
    stmt = (update(Notification)
            .where(Notification.email_state == "failed",
                   Notification.email_next_attempt_at.is_(None))
            .values(email_state="pending", email_attempts=0, email_next_attempt_at=None))
    if user_ids is not None:
        stmt = stmt.where(Notification.user_id.in_(user_ids))
    if notification_ids is not None:
        stmt = stmt.where(Notification.id.in_(list(notification_ids)))
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount


# -- the daily digest -------------------------------------------------------------------------
def _claim_digest(user_id: int, day, now: datetime) -> bool:
    values = {"user_id": user_id, "day": day, "created_at": now}
    dialect = db.session.get_bind().dialect.name
    ins = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    added = db.session.execute(ins(DigestRun).values(**values).on_conflict_do_nothing(
        index_elements=["user_id", "day"]).returning(DigestRun.id)).first()
    db.session.commit()
    return added is not None


def send_digests(now: datetime) -> int:
    """One e-mail per digest user and day with their notifications not yet e-mailed.

    The day is claimed first (unique ``DigestRun`` row), so a second run or process sends
    nothing. If sending fails the claim is removed: the next run tries again, and the
    notifications stay waiting for it meanwhile.
    """
    day = local_date(now)
    waiting = (select(Notification.user_id).where(Notification.email_state == "digest",
                                                  Notification.emailed_at.is_(None),
                                                  Notification.created_at <= now))
    users = db.session.scalars(
        select(User).where(User.id.in_(waiting), User.active.is_(True)).order_by(User.id)).all()
    sent = 0
    for user in users:
        if not _claim_digest(user.id, day, now):
            continue
        rows = db.session.scalars(
            select(Notification).where(Notification.user_id == user.id,
                                       Notification.email_state == "digest",
                                       Notification.emailed_at.is_(None),
                                       Notification.created_at <= now)
            .order_by(Notification.created_at, Notification.id)).all()
        try:
            state = send_message(digest_message(user, rows, day))
        except Exception as error:  # noqa: BLE001 - one user's digest must not stop the others
            log.warning("Digest of user %s for %s failed: %s", user.id, day, error)
            db.session.rollback()
            db.session.execute(delete(DigestRun).where(DigestRun.user_id == user.id,
                                                       DigestRun.day == day))
            db.session.commit()
            continue
        db.session.execute(
            update(Notification).where(Notification.id.in_([n.id for n in rows]))
            .values(email_state=state, emailed_at=now))
        db.session.execute(update(DigestRun).where(DigestRun.user_id == user.id,
                                                   DigestRun.day == day).values(sent_at=now))
        db.session.commit()
        sent += 1
    return sent
