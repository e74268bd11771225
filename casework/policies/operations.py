"""The policy in force for a municipality: defaults overridden by its settings."""

from __future__ import annotations

from dataclasses import asdict

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from casework.audit.operations import record
from casework.auth.operations import OperationRefused
from casework.extensions import db
from casework.policies.models import PolicySetting
from workflows.policy import LATVIA, Policy, WorkingCalendar


def policy_for(municipality_id: int) -> Policy:
    """The municipality's policy (DESIGN.md §5 defaults where nothing is set)."""
    rows = _stored(municipality_id)
    return Policy.from_overrides(rows) if rows else Policy()


def policies_for_all() -> dict[int | None, Policy]:
    """The policy of every municipality with settings, in one query (the sweeps decide
    deadlines across municipalities); the defaults under ``None``, for the others."""
    stored: dict[int, dict] = {}
    for municipality_id, key, value in db.session.execute(
            select(PolicySetting.municipality_id, PolicySetting.key, PolicySetting.value)):
        stored.setdefault(municipality_id, {})[key] = value
    return {None: Policy(), **{m: Policy.from_overrides(rows) for m, rows in stored.items()}}


def calendar_for(municipality_id: int) -> WorkingCalendar:
    """The working-day calendar: weekends and Latvian public holidays."""
    return LATVIA


POLICY_LABELS = {
    "triage_red_working_days": _l("Triage of a referral proposed red (working days; 0 = same day)"),
    "triage_other_working_days": _l("Triage of any other referral (working days)"),
    "convene_after_red_working_days": _l("Convene the group after a case turns red (working days)"),
    "convene_new_yellow_working_days": _l("Convene the group for a new yellow case (working days)"),
    "review_days_red": _l("Review interval of a red case (days)"),
    "review_days_yellow": _l("Review interval of a yellow case (days)"),
    "review_days_green": _l("Review interval of a green case (days)"),
    "minutes_approval_working_days": _l("Minutes approved after a meeting (working days)"),
    "client_informed_working_days": _l("Client informed of a decision (working days)"),
    "monitoring_months": _l("Follow-up period before closing (months)"),
    "caseload_warning": _l("Caseload warning: active cases per case manager"),
    "caseload_warning_reduced": _l("Caseload warning from 2027: active cases per case manager"),
    "children_under_12_limit": _l("Caseload warning: children under 12 per case manager"),
    "supervisions_per_year": _l("Strategic group supervision sessions per year"),
    "retention_years": _l("Closed cases anonymised after (years)"),
}


def save_policy(admin, values: dict) -> Policy:
    """Store the municipality's settings; values equal to the default are not stored."""
    municipality_id = admin.municipality_id
    before = asdict(policy_for(municipality_id))
    try:
        policy = Policy.from_overrides({**_stored(municipality_id), **values})
    except ValueError as error:
        raise OperationRefused(str(error)) from error
    defaults = asdict(Policy())
    db.session.execute(delete(PolicySetting).where(
        PolicySetting.municipality_id == municipality_id,
        PolicySetting.key.in_(list(values))))
    for key in values:
        value = getattr(policy, key)
        if value != defaults[key]:
            db.session.add(PolicySetting(municipality_id=municipality_id, key=key, value=value))
    after = asdict(policy)
    changed = {k: [before[k], after[k]] for k in values if before[k] != after[k]}
    if changed:
        record("policy_changed", None, user=admin, municipality_id=municipality_id,
               details={"changed": {k: [str(a), str(b)] for k, (a, b) in changed.items()}})
    db.session.flush()
    return policy


def _stored(municipality_id: int) -> dict:
    return dict(db.session.execute(
        select(PolicySetting.key, PolicySetting.value)
        .where(PolicySetting.municipality_id == municipality_id)).all())
