"""What each role sees in the navigation and on the start page (deny by default)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from casework.auth.models import WORKING_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation, shown to the roles listed."""

    endpoint: str
    label: object
    roles: frozenset[str]
    description: object = ""


_MUNICIPAL = frozenset({Role.ADMIN, Role.COORDINATOR, Role.HEAD_OF_SERVICE, Role.CASE_MANAGER,
                        Role.SPECIALIST, Role.AUDITOR})
#: Every role of a municipality's staff (not the national inspector).
MUNICIPAL_ROLES = _MUNICIPAL

NAV_ITEMS = (
    NavItem("cases.cases", _l("Cases"),
            frozenset({Role.CASE_MANAGER, Role.HEAD_OF_SERVICE, Role.SPECIALIST}),
            _l("The cases you lead, supervise or take part in.")),
    NavItem("cases.triage_queue", _l("Triage"), frozenset({Role.CASE_MANAGER}),
            _l("Referrals waiting for triage, most urgent first.")),
    NavItem("cases.referral_new", _l("New referral"), WORKING_ROLES,
            _l("Report a concern about a child's rights.")),
    NavItem("cases.referrals_mine", _l("My referrals"), WORKING_ROLES,
            _l("The referrals you filed and the outcome of their triage.")),
    NavItem("tasks.my_tasks", _l("My tasks"), WORKING_ROLES,
            _l("Your tasks, the overdue ones first; mark them done or cancel them.")),
    NavItem("tasks.institution_tasks", _l("Institution's tasks"),
            frozenset({Role.CASE_MANAGER, Role.HEAD_OF_SERVICE, Role.SPECIALIST,
                       Role.COORDINATOR}),
            _l("The tasks given to your institution, the overdue ones first.")),
    NavItem("groups.groups", _l("Groups"),
            frozenset({Role.COORDINATOR, Role.ADMIN, Role.HEAD_OF_SERVICE, Role.CASE_MANAGER,
                       Role.SPECIALIST}),
            _l("Strategic cooperation groups: members, meetings, minutes and decisions.")),
    NavItem("cases.caseload", _l("Caseload"), frozenset({Role.HEAD_OF_SERVICE}),
            _l("Active cases and children under 12 per case manager.")),
    NavItem("cases.break_glass", _l("Emergency access"), frozenset({Role.HEAD_OF_SERVICE}),
            _l("Open a case outside your scope, with a reason; flagged in the audit log.")),
    NavItem("cases.overview", _l("Case overview"), frozenset({Role.COORDINATOR}),
            _l("Pseudonymous statistics of the cases: counts by colour, status, category.")),
    NavItem("admin.institutions", _l("Institutions"), frozenset({Role.ADMIN}),
            _l("Create, rename and deactivate the municipality's institutions.")),
    NavItem("admin.users", _l("Users"), frozenset({Role.ADMIN}),
            _l("Create users, assign roles, deactivate and unlock accounts.")),
    NavItem("admin.policy", _l("Policy"), frozenset({Role.ADMIN}),
            _l("Deadlines and limits of the municipality (working days, review intervals).")),
    NavItem("imports.upload", _l("Import"), frozenset({Role.ADMIN}),
            _l("Bring in the case register and decision tables kept in spreadsheets.")),
    NavItem("audit.events", _l("Audit log"), frozenset({Role.AUDITOR}),
            _l("Who did what and when in the municipality, with a tamper check.")),
    NavItem("dpo.subject_access", _l("Subject access"), frozenset({Role.AUDITOR}),
            _l("Everything the municipality holds about a person of a case, as PDF and JSON.")),
    NavItem("reports.annual_home", _l("Annual report"),
            frozenset({Role.COORDINATOR, Role.HEAD_OF_SERVICE}),
            _l("The annual report on the cooperation groups' work, due 31 March.")),
    NavItem("reports.municipalities", _l("Reports of municipalities"),
            frozenset({Role.INSPECTOR}),
            _l("Every municipality's annual report status, submitted reports and the national "
               "aggregate.")),
    NavItem("calendars.month", _l("Calendar"), WORKING_ROLES,
            _l("The meetings you may see, by month and week; a feed for Outlook or Teams.")),
)


def nav_items(user) -> list[NavItem]:
    """The navigation items ``user`` may use; nothing for anonymous users."""
    if not user.is_authenticated:
        return []
    return [item for item in NAV_ITEMS if user.has_role(*item.roles)]
