"""The policy in force for a municipality: defaults overridden by its settings."""

from __future__ import annotations

from sqlalchemy import select

from casework.extensions import db
from casework.policies.models import PolicySetting
from workflows.policy import LATVIA, Policy, WorkingCalendar


def policy_for(municipality_id: int) -> Policy:
    """The municipality's policy (DESIGN.md §5 defaults where nothing is set)."""
    rows = db.session.execute(
        select(PolicySetting.key, PolicySetting.value)
        .where(PolicySetting.municipality_id == municipality_id)
    ).all()
    return Policy.from_overrides(dict(rows)) if rows else Policy()


def calendar_for(municipality_id: int) -> WorkingCalendar:
    """The working-day calendar: weekends and Latvian public holidays."""
    return LATVIA
