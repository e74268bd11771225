"""Every model, imported in one place so that Alembic and the CLI see the whole schema."""

from casework.audit.models import AuditEvent
from casework.auth.models import Role, User, UserRole
from casework.orgs.models import Institution, InstitutionKind, Municipality

__all__ = ["AuditEvent", "Institution", "InstitutionKind", "Municipality", "Role", "User",
           "UserRole"]
