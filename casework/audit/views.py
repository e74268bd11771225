"""The audit log for the municipality's data protection officer."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import select

from casework.access import role_required
from casework.audit.models import AuditEvent
from casework.audit.operations import chain_head, check_chain, parse_anchors
from casework.audit.queries import audit_events_of
from casework.auth.models import Role
from casework.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")

PER_PAGE = 50


@bp.route("/")
@role_required(Role.AUDITOR)
def events():
    """The municipality's audit events, newest first, filterable by action."""
    action = request.args.get("action") or None
    page = db.paginate(audit_events_of(current_user, action=action), per_page=PER_PAGE,
                       max_per_page=PER_PAGE, error_out=False)
    actions = db.session.scalars(
        select(AuditEvent.action).distinct()
        .where(AuditEvent.municipality_id == current_user.municipality_id)
        .order_by(AuditEvent.action)
    ).all()
    return render_template("audit/events.html", page=page, action=action, actions=actions)


@bp.route("/verify")
@role_required(Role.AUDITOR)
def verify():
    """Recompute the hash chain of the whole log and say whether it is intact; with
    ``?anchor=<id>:<hash>`` (written down earlier) also whether the log still reaches it
    unchanged. Shows the current head, to be written down as the next anchor."""
    given = (request.args.get("anchor") or "").strip()[:2000]
    anchors = parse_anchors(given)
    problem = check_chain(anchors)
    return render_template("audit/verify.html", problem=problem,
                           broken_at=problem.event_id if problem else None,
                           anchor=given, anchors=anchors, head=chain_head())
