"""Every model, imported in one place so that Alembic and the CLI see the whole schema."""

from casework.audit.models import AuditEvent
from casework.auth.models import Role, User, UserRole
from casework.cases.models import (
    BreakGlassAccess,
    Case,
    CaseCategory,
    CaseEvent,
    CaseNumberCounter,
    CasePerson,
    ClientParticipation,
    Note,
    Referral,
    ReferralCategory,
)
from casework.groups.models import CooperationGroup, Decision, GroupMember, Meeting
from casework.orgs.models import Institution, InstitutionKind, Municipality
from casework.policies.models import PolicySetting
from casework.tasks.models import Task

__all__ = [
    "AuditEvent", "BreakGlassAccess", "Case", "CaseCategory", "CaseEvent", "CaseNumberCounter",
    "CasePerson", "ClientParticipation", "CooperationGroup", "Decision", "GroupMember",
    "Institution", "InstitutionKind", "Meeting", "Municipality", "Note", "PolicySetting",
    "Referral", "ReferralCategory", "Role", "Task", "User", "UserRole",
]
