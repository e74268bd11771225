"""The help page per role and the first-login steps of the start page.

The help of a role says what the role does in casework (DESIGN.md §2), links the pages of the
navigation it may use (``navigation.NAV_ITEMS``, so the help never links a page the user would
be refused) and lists the deadlines of the municipality's policy that concern it (§5).

"Has the user done anything yet?" is read from the audit log, which already records every
change a user makes: a user whose only events are signing in and looking after their own account
(password, notification settings) has not started, and the start page shows them what to do
first. Dismissing the steps is itself recorded (``start_steps_dismissed``), which ends them
without a new column.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, literal, select, union_all

from casework.audit.models import AuditEvent
from casework.auth import twofactor
from casework.auth.models import ROLE_LABELS, Role
from casework.extensions import db
from casework.main.navigation import NAV_ITEMS
from workflows.policy import Policy

#: Events that do not count as having started work: signing in and out and one's own account.
ACCOUNT_ACTIONS = ("login", "login_failed", "logout", "session_expired", "account_locked",
                   "password_changed", "notification_settings_changed",
                   *twofactor.ACCOUNT_ACTIONS)
#: The order in which a user holding several roles reads their help.
ROLE_ORDER = (Role.CASE_MANAGER, Role.HEAD_OF_SERVICE, Role.SPECIALIST, Role.COORDINATOR,
              Role.ADMIN, Role.AUDITOR, Role.INSPECTOR)

ROLE_SUMMARIES = {
    Role.CASE_MANAGER: _l(
        "As case manager you triage the referrals of the municipality into a "
        "risk colour and a case, lead your cases through assessment, intervention and follow-up, "
        "convene and lead each case's interprofessional cooperation group, keep the minutes of "
        "its meetings and make sure the client is informed of the decisions."),
    Role.HEAD_OF_SERVICE: _l(
        "As head of the social service you supervise every case of your service: you see the "
        "caseload of each case manager, reassign cases, may open a case outside your scope "
        "only with a reason (emergency access, flagged in the audit log) and approve the annual "
        "report before it is submitted."),
    Role.SPECIALIST: _l(
        "As specialist of an institution you take part in the interprofessional cooperation "
        "groups of the cases you are a member of: you see those cases, write notes at the right "
        "confidentiality level, carry out your tasks by their deadline and may report a concern "
        "about a child with a new referral."),
    Role.COORDINATOR: _l(
        "As coordinator you run the strategic cooperation group: its members, meetings, "
        "minutes and decisions and the follow-up of their execution. You see cases only as "
        "pseudonymous statistics, and you prepare the annual report on the cooperation groups' "
        "work."),
    Role.ADMIN: _l(
        "As administrator you keep the municipality's institutions, users and their roles and "
        "the policy (deadlines and limits) up to date, and import the registers kept in "
        "spreadsheets. You see no case content."),
    Role.AUDITOR: _l(
        "As data protection officer you oversee the processing of personal data: you read and "
        "export the audit log of the municipality, check that it has not been tampered with, "
        "follow the flagged emergency accesses and answer subject-access requests. You do not "
        "take part in the casework itself."),
    Role.INSPECTOR: _l(
        "As inspector of the national authority you follow the annual reports of every "
        "municipality: their status, the submitted reports, which you accept or return, and "
        "the national aggregate. You see no personal data."),
}


def _working_days(n: int) -> str:
    return _("the same working day") if n == 0 else _("%(n)s working day(s)", n=n)


def _days(n: int) -> str:
    return _("%(n)s day(s)", n=n)


def _triage(p: Policy) -> list[tuple[str, str]]:
    return [(_("Triage of a referral proposed red"), _working_days(p.triage_red_working_days)),
            (_("Triage of any other referral"), _working_days(p.triage_other_working_days))]


def _convene(p: Policy) -> list[tuple[str, str]]:
    return [(_("Interprofessional group convened after a case turns red"),
             _working_days(p.convene_after_red_working_days)),
            (_("Interprofessional group convened for a new yellow case"),
             _working_days(p.convene_new_yellow_working_days))]


def _reviews(p: Policy) -> list[tuple[str, str]]:
    return [(_("Case review interval"),
             _("red %(red)s, yellow %(yellow)s, green %(green)s",
               red=_days(p.review_days_red), yellow=_days(p.review_days_yellow),
               green=_days(p.review_days_green)))]


def _minutes(p: Policy) -> list[tuple[str, str]]:
    return [(_("Minutes of a meeting approved"),
             _working_days(p.minutes_approval_working_days))]


def _report(p: Policy) -> list[tuple[str, str]]:
    return [(_("Annual report submitted"),
             _("by 31 March; overdue from %(day)s", day=_month_day(p.annual_report_overdue_from)))]


def _month_day(value: str) -> str:
    month, day = value.split("-")
    return f"{int(day)}.{int(month)}."


def deadlines(role: str, p: Policy) -> list[tuple[str, str]]:
    """The deadlines of policy ``p`` that concern ``role``, as (what, when) pairs."""
    if role == Role.CASE_MANAGER:
        return (_triage(p) + _convene(p) + _reviews(p) + _minutes(p) + [
            (_("Client informed of a decision concerning them"),
             _working_days(p.client_informed_working_days)),
            (_("Follow-up (monitoring) period before closing"),
             _("%(n)s month(s)", n=p.monitoring_months))])
    if role == Role.HEAD_OF_SERVICE:
        return _reviews(p) + [
            (_("Caseload warning per case manager"),
             _("over %(n)s active cases (over %(reduced)s from 2027)", n=p.caseload_warning,
               reduced=p.caseload_warning_reduced)),
            (_("Children under 12 per family social worker"),
             _("at most %(n)s", n=p.children_under_12_limit))] + _report(p)
    if role == Role.SPECIALIST:
        return [(_("Your tasks"), _("by the deadline of each task; overdue tasks are shown "
                                    "first"))] + _minutes(p)
    if role == Role.COORDINATOR:
        return _minutes(p) + [
            (_("Supervision of the strategic group"),
             _("at least %(n)s time(s) a year", n=p.supervisions_per_year))] + _report(p)
    if role in (Role.ADMIN, Role.AUDITOR):
        return [(_("Closed cases anonymised"),
                 _("after %(n)s year(s)", n=p.retention_years))]
    if role == Role.INSPECTOR:
        return _report(p)
    return []


@dataclass
class RoleHelp:
    """The help of one role: its name, what it does, its pages and its deadlines."""

    role: str
    label: object
    summary: object
    pages: list
    deadlines: list[tuple[str, str]]


def roles_of(user) -> list[Role]:
    """The user's roles in the order their help is shown."""
    return [role for role in ROLE_ORDER if role in set(user.roles)]


def help_for(user, policy: Policy) -> list[RoleHelp]:
    """The help sections of ``user``: one per role they hold."""
    sections = []
    for role in roles_of(user):
        pages = [item for item in NAV_ITEMS if role in item.roles]
        sections.append(RoleHelp(role, ROLE_LABELS[role], ROLE_SUMMARIES[role], pages,
                                 deadlines(role, policy)))
    return sections


# -- the first-login steps ---------------------------------------------------------------------
FIRST_TASKS = {
    Role.CASE_MANAGER: ("cases.triage_queue", _l("Triage the referrals waiting for you, the "
                                                 "red ones first.")),
    Role.HEAD_OF_SERVICE: ("cases.caseload", _l("Look at the caseload of your case managers.")),
    Role.SPECIALIST: ("tasks.my_tasks", _l("Look at your tasks and the cases whose group you "
                                           "belong to.")),
    Role.COORDINATOR: ("groups.groups", _l("Open your strategic group and plan its next "
                                           "meeting.")),
    Role.ADMIN: ("admin.institutions", _l("Create the institutions, then the users with their "
                                          "roles.")),
    Role.AUDITOR: ("audit.events", _l("Open the audit log and run its tamper check.")),
    Role.INSPECTOR: ("reports.municipalities", _l("See the status of the municipalities' "
                                                  "annual reports.")),
}


@dataclass
class Step:
    """One "what to do first" step: a text, a link and whether it is done already."""

    text: str
    href: str
    done: bool = False


#: The account actions that tick a first step off.
STEP_ACTIONS = ("password_changed", "notification_settings_changed")
_STARTED = "__started__"


def _progress(user) -> set[str]:
    """In one query: the step actions the user has done, and ``_STARTED`` when the audit log
    holds anything they did beyond their own account (the start page's query count does not
    depend on whether the steps are shown)."""
    done = (select(AuditEvent.action).where(AuditEvent.user_id == user.id,
                                             AuditEvent.action.in_(STEP_ACTIONS)).distinct())
    started = select(literal(_STARTED)).where(exists().where(
        AuditEvent.user_id == user.id, AuditEvent.action.not_in(ACCOUNT_ACTIONS)))
    return set(db.session.scalars(union_all(done, started)))


def first_steps(user) -> list[Step]:
    """The steps of a user who has not started yet (empty once they have)."""
    if not user.is_authenticated:
        return []
    done = _progress(user)
    if _STARTED in done:
        return []
    steps = [
        Step(_("Choose your own password."), url_for("auth.change_password"),
             "password_changed" in done),
        Step(_("Read what your role does in casework and the deadlines that concern it."),
             url_for("main.help")),
        Step(_("Choose which notifications you get by e-mail."),
             url_for("notifications.settings"), "notification_settings_changed" in done),
    ]
    for role in roles_of(user):
        endpoint, text = FIRST_TASKS[role]
        steps.append(Step(str(text), url_for(endpoint)))
    return steps


def dismiss_first_steps(user) -> None:
    """The user does not want the steps: recorded, which also ends them (see module doc)."""
    from casework.audit.operations import record

    record("start_steps_dismissed", user, user=user)
