"""Reads of the audit log, scoped to the auditor's municipality."""

from __future__ import annotations

from sqlalchemy import select

from casework.audit.models import AuditEvent


def audit_events_of(user, *, action: str | None = None):
    """A select of the audit events of the user's municipality, newest first."""
    stmt = select(AuditEvent).where(AuditEvent.municipality_id == user.municipality_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return stmt.order_by(AuditEvent.id.desc())
