"""What each role sees in the navigation and on the start page (deny by default)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from casework.auth.models import Role


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation, shown to the roles listed."""

    endpoint: str
    label: object
    roles: frozenset[str]
    description: object = ""


NAV_ITEMS = (
    NavItem("admin.institutions", _l("Institutions"), frozenset({Role.ADMIN}),
            _l("Create, rename and deactivate the municipality's institutions.")),
    NavItem("admin.users", _l("Users"), frozenset({Role.ADMIN}),
            _l("Create users, assign roles, deactivate and unlock accounts.")),
    NavItem("audit.events", _l("Audit log"), frozenset({Role.AUDITOR}),
            _l("Who did what and when in the municipality, with a tamper check.")),
)


def nav_items(user) -> list[NavItem]:
    """The navigation items ``user`` may use; nothing for anonymous users."""
    if not user.is_authenticated:
        return []
    return [item for item in NAV_ITEMS if user.has_role(*item.roles)]


def start_page_sections(user) -> list[NavItem]:
    """The start page's shortcuts, the same rule as the navigation."""
    return nav_items(user)
