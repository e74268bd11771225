"""Start page and language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from casework.db_types import utcnow
from casework.extensions import db
from casework.main import guide
from casework.main.dashboard import build_dashboard
from casework.security import is_safe_next

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index():
    """The start page: the user's work queue (what needs their attention now, with links);
    the menu, not the page, lists what their roles let them do."""
    return render_template("main/index.html",
                           dashboard=build_dashboard(current_user, utcnow()),
                           first_steps=guide.first_steps(current_user))


@bp.route("/start/steps/dismiss", methods=["POST"])
@login_required
def dismiss_steps():
    """Hide the "what to do first" steps of the start page for good."""
    guide.dismiss_first_steps(current_user._get_current_object())
    db.session.commit()
    return redirect(url_for("main.index"))


@bp.route("/help", endpoint="help")
@login_required
def help_page():
    """What the user's roles do in casework, their main pages and their deadlines."""
    from casework.policies.operations import policy_for
    from workflows.policy import Policy

    me = current_user._get_current_object()
    policy = policy_for(me.municipality_id) if me.municipality_id else Policy()
    return render_template("main/help.html", sections=guide.help_for(me, policy))


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the UI language; saved on the user so it follows them to other devices."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["locale"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    back = request.form.get("back")
    return redirect(back if is_safe_next(back) else url_for("main.index"))


@bp.app_context_processor
def _navigation():
    from casework.auth.models import API_ROLES, ROLE_LABELS, Role
    from casework.main.navigation import nav_items

    def role_labels(user):
        return [str(ROLE_LABELS[Role(r)]) for r in sorted(user.roles)]

    def may_use_api(user):
        return user.is_authenticated and user.has_role(*API_ROLES)

    return {"nav_items": nav_items, "role_labels": role_labels, "may_use_api": may_use_api}


@bp.app_template_global("error_summary")
def _error_summary(form, ids=None):
    """The rows of a form's error summary (``casework.forms.error_summary``), for the form
    macros, which are imported without the request's context."""
    from casework.forms import error_summary

    return error_summary(form, ids)
