"""Every model, imported in one place so that Alembic and the CLI see the whole schema."""

from casework.api.models import ApiToken
from casework.audit.models import AuditEvent
from casework.auth.models import KeptForm, Role, User, UserRole, UserSession
from casework.calendars.models import CalendarFeed
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
from casework.concurrency import UsedFormToken
from casework.documents.models import Document
from casework.groups.models import (
    AgendaItem,
    Attendance,
    CooperationGroup,
    Decision,
    DecisionProgress,
    GroupMember,
    Meeting,
)
from casework.notifications.models import DigestRun, Notification
from casework.orgs.models import Institution, InstitutionKind, Municipality
from casework.plans.models import (
    Assessment,
    GoalProgress,
    PlanGoal,
    PlanGoalTask,
    SupportPlan,
)
from casework.policies.models import PolicySetting
from casework.reports.models import AnnualReport
from casework.tasks.models import Task

__all__ = [
    "AgendaItem", "AnnualReport", "ApiToken", "Assessment", "Attendance", "AuditEvent",
    "BreakGlassAccess",
    "CalendarFeed", "Case", "CaseCategory", "CaseEvent", "CaseNumberCounter", "CasePerson",
    "ClientParticipation", "CooperationGroup", "Decision", "DecisionProgress", "DigestRun",
    "Document", "GoalProgress", "GroupMember", "Institution", "InstitutionKind", "KeptForm",
    "Meeting", "Municipality", "Note", "Notification", "PlanGoal", "PlanGoalTask",
    "PolicySetting", "Referral", "ReferralCategory", "Role", "SupportPlan", "Task", "User",
    "UsedFormToken", "UserRole", "UserSession",
]
