"""Who may do what with a group and its meetings (the second question; seeing is in SQL).

- Strategic groups: the municipality's coordinators and the group's lead manage them, their
  meetings, decisions and tasks; the administrator may create groups and change their
  members but sees no meeting content.
- Interprofessional groups: the case manager (and the head of the social service that owns the
  case) manage them; see ``casework.cases.access.may_manage_case``.
"""

from __future__ import annotations

from casework.auth.models import Role


def may_create_strategic_group(user) -> bool:
    """Administrators and coordinators create the municipality's strategic groups."""
    return user.municipality_id is not None and user.has_role(Role.ADMIN, Role.COORDINATOR)


def may_manage_members(user, group) -> bool:
    """Change a strategic group's members (interprofessional: via the case)."""
    if group.kind != "strategic" or group.municipality_id != user.municipality_id:
        return False
    return user.has_role(Role.ADMIN, Role.COORDINATOR) or group.lead_id == user.id


def may_manage_meetings(user, group) -> bool:
    """Plan meetings, invite, record attendance, write and approve minutes, issue decisions."""
    if group.municipality_id != user.municipality_id:
        return False
    if group.kind == "strategic":
        return user.has_role(Role.COORDINATOR) or group.lead_id == user.id
    from casework.cases.access import may_manage_case
    from casework.cases.models import Case
    from casework.extensions import db

    case = db.session.get(Case, group.case_id)
    return case is not None and may_manage_case(user, case)
