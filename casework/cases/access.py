"""Who may do what with a case: small policy functions, separate from the workflow rules.

Seeing a case is decided in SQL (``queries.visible_cases``); these functions answer the second
question for a case the user can already see: may this user change it in this way?
"""

from __future__ import annotations

from casework.auth.models import WORKING_ROLES, Role


def is_case_manager_of(user, case) -> bool:
    """The user leads this case."""
    return case.case_manager_id is not None and case.case_manager_id == user.id


def supervises(user, case) -> bool:
    """The user is head of the social service that owns the case."""
    return user.has_role(Role.HEAD_OF_SERVICE) and user.institution_id == case.owner_institution_id


def may_manage_case(user, case) -> bool:
    """Lifecycle, risk, persons and participation: the case manager and their head."""
    return is_case_manager_of(user, case) or supervises(user, case)


def may_triage(user) -> bool:
    """Case managers register and triage referrals."""
    return user.has_role(Role.CASE_MANAGER)


#: The roles that work with case files (DESIGN.md §2); the others have no case list.
CASE_ROLES = (Role.CASE_MANAGER, Role.HEAD_OF_SERVICE, Role.SPECIALIST)


def may_list_cases(user) -> bool:
    """Case managers, heads of service and specialists have a case list; the other roles see
    no case content (the coordinator has the pseudonymous overview)."""
    return user.has_role(*CASE_ROLES)


def may_file_referral(user) -> bool:
    """Any user of a municipal institution who takes part in the cooperation work may report a
    concern (not the data protection officer, who only oversees the audit log)."""
    return user.institution_id is not None and user.has_role(*WORKING_ROLES)


def may_break_glass(user) -> bool:
    """Only heads of service may open a case outside their scope, with a reason."""
    return user.has_role(Role.HEAD_OF_SERVICE)
