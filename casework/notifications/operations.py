"""Creating notifications. Every notification has a unique de-duplication key: inserting the
same key twice (a sweep run twice, two scheduler processes at once, a retried request) adds
nothing, so nobody is told anything twice. Texts carry no child's name or details: a case
number, what is due, and a link.
"""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from casework.auth.models import User
from casework.db_types import utcnow
from casework.extensions import db
from casework.notifications.models import Notification
from casework.notifications.texts import N_, Deferred, deferred


def stored_text(text: str | Deferred) -> tuple[str, dict | None]:
    """What a notification row keeps of ``text``: a single line of at most 500 characters
    (rendered in Latvian for a deferred message) and the message id with its parameters."""
    return stored_texts([text])[0]


def stored_texts(texts) -> list[tuple[str, dict | None]]:
    """``stored_text`` of many messages, rendered in Latvian within one switch of the locale
    (a sweep stores thousands)."""
    from flask_babel import force_locale

    from casework.notifications.texts import render

    out = []
    with force_locale("lv"):
        for text in texts:
            params = None
            if isinstance(text, Deferred):
                params = text.as_json()
                text = render(params)
            out.append((" ".join(text.split())[:500], params))
    return out


def notify(user_id: int, kind: str, text: str | Deferred, link: str | None, key: str,
           municipality_id: int | None = None) -> bool:
    """Queue a notification for ``user_id`` unless one with ``key`` exists; True if added.

    ``text`` is a ``deferred(...)`` message, rendered in each reader's language when it is
    read or e-mailed; a plain string is stored as it is.

    The insert is ``ON CONFLICT DO NOTHING`` on the unique key, so concurrent callers cannot
    both add it. Whether it is e-mailed at once or in the daily digest follows the user's
    choice; delivery happens after the commit (``casework.notifications.mail``).
    """
    notify_by = db.session.scalar(select(User.notify_by).where(User.id == user_id))
    text, params = stored_text(text)
    values = {
        "user_id": user_id, "kind": kind, "text": text, "params": params, "link": link,
        "dedup_key": key,
        "municipality_id": municipality_id, "created_at": utcnow(),
        "email_state": "digest" if notify_by == "digest" else "pending", "email_attempts": 0,
    }
    dialect = db.session.get_bind().dialect.name
    ins = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if ins is None:  # pragma: no cover - other databases are not supported
        if db.session.scalar(select(Notification.id).where(Notification.dedup_key == key)):
            return False
        db.session.execute(insert(Notification).values(**values))
        return True
    # RETURNING tells whether a row was added: psycopg reports no rowcount (-1) here.
    added = db.session.execute(
        ins(Notification).values(**values).on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(Notification.id)).first()
    return added is not None


def notify_many(user_ids, kind: str, text: str | Deferred, link: str | None, key: str,
                municipality_id: int | None = None) -> int:
    """``notify`` each user once; the key is made per user (``<key>:u<id>``)."""
    return sum(notify(uid, kind, text, link, f"{key}:u{uid}", municipality_id)
               for uid in sorted(set(user_ids)))


# -- recipients -------------------------------------------------------------------------------
def heads_of_service(institution_id: int) -> list[int]:
    """Active heads of the social service ``institution_id`` (they supervise its cases)."""
    from casework.auth.models import UserRole

    return list(db.session.scalars(
        select(User.id).join(UserRole, UserRole.user_id == User.id)
        .where(User.institution_id == institution_id, User.active.is_(True),
               UserRole.role == "head_of_service").order_by(User.id)))


def users_with_role(municipality_id: int, *roles: str) -> list[int]:
    """Active users of the municipality holding any of ``roles``."""
    from casework.auth.models import UserRole
    from casework.orgs.models import Institution

    return list(db.session.scalars(
        select(User.id).distinct().join(UserRole, UserRole.user_id == User.id)
        .join(Institution, Institution.id == User.institution_id)
        .where(Institution.municipality_id == municipality_id, User.active.is_(True),
               UserRole.role.in_(roles)).order_by(User.id)))


def active_group_members(case_id: int, now) -> list[int]:
    """Users in the case's interprofessional group at ``now``."""
    from casework.groups.models import CooperationGroup, GroupMember

    members = db.session.execute(
        select(GroupMember.user_id, GroupMember.member_from, GroupMember.member_to)
        .join(CooperationGroup, CooperationGroup.id == GroupMember.group_id)
        .where(CooperationGroup.case_id == case_id,
               CooperationGroup.kind == "interprofessional")).all()
    # The same rule as ``casework.cases.queries.active_membership``, on the loaded rows.
    return sorted({uid for uid, start, end in members
                   if start <= now and (end is None or end > now)})


def who_may_see_case(user_ids, case_id: int, now=None) -> list[int]:
    """The users among ``user_ids`` who may see the case (DESIGN.md §2): a notification about
    a case goes to nobody else, whatever the sweep computed."""
    from casework.cases.models import Case
    from casework.cases.queries import case_visibility

    allowed = []
    for user in db.session.scalars(
            select(User).where(User.id.in_(set(user_ids)), User.active.is_(True))
            .order_by(User.id)):
        visible = db.session.scalar(select(Case.id).where(Case.id == case_id,
                                                          case_visibility(user, now)))
        if visible is not None:
            allowed.append(user.id)
    return allowed


def inspectors() -> list[int]:
    """Active inspectors of the national authority (users with the role and no institution
    of a municipality)."""
    from casework.auth.models import UserRole
    from casework.orgs.models import Institution

    return list(db.session.scalars(
        select(User.id).join(UserRole, UserRole.user_id == User.id)
        .outerjoin(Institution, Institution.id == User.institution_id)
        .where(User.active.is_(True), UserRole.role == "inspector",
               Institution.municipality_id.is_(None)).order_by(User.id)))


def case_link(case_id: int) -> str:
    """The local link of a case page."""
    return f"/cases/{case_id}"


def notify_turned_red(case, actor, at) -> int:
    """Turning red notifies the case's group and the head of service at once (DESIGN.md §4).

    The person who made the change is not told about it.
    """
    recipients = set(active_group_members(case.id, at)) | set(heads_of_service(
        case.owner_institution_id))
    if case.case_manager_id:
        recipients.add(case.case_manager_id)
    recipients.discard(getattr(actor, "id", None))
    text = deferred("Case %(number)s has turned red.", number=case.number)
    return notify_many(who_may_see_case(recipients, case.id, at), "turned_red", text,
                       case_link(case.id), f"turned_red:c{case.id}:{at.isoformat()}",
                       case.municipality_id)


def notify_new_referral(referral, actor) -> int:
    """A referral proposed red or yellow is announced at once to the municipality's case
    managers (who triage), and a red one to the heads of service too; no child's name, only
    the urgency, the deadline and a link to the triage page. The reporter is not told."""
    if referral.proposed_urgency not in ("red", "yellow"):
        return 0
    roles = ("case_manager", "head_of_service") if referral.proposed_urgency == "red" \
        else ("case_manager",)
    recipients = set(users_with_role(referral.municipality_id, *roles))
    recipients.discard(getattr(actor, "id", None))
    from workflows.policy import RIGA

    due = referral.triage_due_at.astimezone(RIGA).strftime("%d.%m.%Y %H:%M")
    text = (deferred("New referral proposed red: triage by %(due)s.", due=due)
            if referral.proposed_urgency == "red"
            else deferred("New referral proposed yellow: triage by %(due)s.", due=due))
    return notify_many(recipients, "referral_new", text, f"/referrals/{referral.id}/triage",
                       f"referral_new:r{referral.id}", referral.municipality_id)


#: Who is told of each step of the annual report, and what (DESIGN.md §4, §6).
REPORT_STEP_TEXTS = {
    "submit_for_review": N_("The annual report on %(year)s has been sent to you for approval."),
    "send_back": N_("The annual report on %(year)s has been sent back for rework."),
    "approve": N_("The annual report on %(year)s has been approved and can be submitted."),
    "submit": N_("%(municipality)s has submitted its annual report on %(year)s."),
    "return_report": N_("The authority has returned the annual report on %(year)s."),
    "accept": N_("The authority has accepted the annual report on %(year)s."),
}


def notify_report_step(report, trigger: str, actor, at) -> int:
    """Every step of the annual report tells the next actor: in review → the heads of
    service; approved or sent back → the coordinators; submitted → the authority's inspectors;
    returned or accepted → the coordinators and the heads of service."""
    from casework.orgs.models import Municipality

    muni = report.municipality_id
    if trigger == "submit_for_review":
        recipients = users_with_role(muni, "head_of_service")
        link = f"/reports/annual/{report.year}"
    elif trigger in ("send_back", "approve"):
        recipients = users_with_role(muni, "coordinator")
        link = f"/reports/annual/{report.year}"
    elif trigger == "submit":
        recipients = inspectors()
        atvk = db.session.scalar(select(Municipality.atvk_code).where(Municipality.id == muni))
        link = f"/reports/municipalities/{atvk}/{report.year}"
    elif trigger in ("return_report", "accept"):
        recipients = users_with_role(muni, "coordinator", "head_of_service")
        link = f"/reports/annual/{report.year}"
    else:
        return 0
    name = db.session.scalar(select(Municipality.name).where(Municipality.id == muni))
    text = deferred(REPORT_STEP_TEXTS[trigger], year=report.year, municipality=name)
    recipients = set(recipients)
    recipients.discard(getattr(actor, "id", None))
    return notify_many(recipients, f"report_{trigger}", text, link,
                       f"report_{trigger}:a{report.id}:{at.isoformat()}", muni)


# -- the user's own notifications -------------------------------------------------------------
def mark_read(user, notification_id: int) -> bool:
    """Mark one of the user's notifications read; False if it is not theirs (or read)."""
    from sqlalchemy import update

    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.user_id == user.id,
               Notification.read_at.is_(None))
        .values(read_at=utcnow()))
    _forget_unread_count()
    return bool(result.rowcount)


def mark_all_read(user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    from sqlalchemy import update

    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()))
    _forget_unread_count()
    return result.rowcount


def _forget_unread_count() -> None:
    """The header's count read with the session (``load_session``) is stale now."""
    from flask import g, has_app_context

    if has_app_context():
        g.pop("unread_notifications", None)


NOTIFY_BY_CHOICES = ("immediate", "digest")


def set_notify_by(user, value: str) -> None:
    """Immediate e-mails or one daily digest; unsent e-mails follow the new choice."""
    from sqlalchemy import update

    from casework.audit.operations import record
    from casework.auth.operations import OperationRefused

    if value not in NOTIFY_BY_CHOICES:
        raise OperationRefused("notify_by")
    if user.notify_by == value:
        return
    old_state, new_state = ("pending", "digest") if value == "digest" else ("digest", "pending")
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.email_state == old_state,
               Notification.emailed_at.is_(None), Notification.email_attempts == 0)
        .values(email_state=new_state))
    user.notify_by = value
    record("notification_settings_changed", user, user=user, details={"notify_by": value})
    db.session.flush()


# -- e-mails given up -------------------------------------------------------------------------
def municipality_user_ids(municipality_id: int):
    """A select of the ids of the municipality's users."""
    from casework.orgs.models import Institution

    return (select(User.id).join(Institution, Institution.id == User.institution_id)
            .where(Institution.municipality_id == municipality_id))


def failed_email_scope(user, scope: str):
    """Whose given-up e-mails ``user`` may see and re-queue: ``own``, or as the municipality's
    administrator ``municipality``; None when the role does not allow it."""
    from casework.auth.models import Role

    if scope == "own":
        return select(User.id).where(User.id == user.id)
    if scope == "municipality" and user.has_role(Role.ADMIN) and user.municipality_id:
        return municipality_user_ids(user.municipality_id)
    return None


def requeue_failed_emails(user, scope: str) -> int:
    """Send the given-up e-mails of ``scope`` again (see ``failed_email_scope``); audited."""
    from casework.audit.operations import record
    from casework.auth.operations import OperationRefused
    from casework.notifications.mail import requeue_failed

    user_ids = failed_email_scope(user, scope)
    if user_ids is None:
        raise OperationRefused("scope")
    count = requeue_failed(user_ids=user_ids)
    if count:
        record("emails_requeued", user, user=user, details={"count": count, "kind": scope})
    db.session.flush()
    return count
