"""Template filters that turn stored codes into words of the user's language."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from casework.cases.models import CATEGORY_LABELS, NOTE_LEVEL_LABELS, PERSON_ROLE_LABELS
from casework.orgs.models import INSTITUTION_KIND_LABELS
from workflows import case_lifecycle, pick_label, risk_profile
from workflows import decision as decision_workflow
from workflows import task as task_workflow


def _label(table, key) -> str:
    value = table.get(key)
    return str(value) if value is not None else str(key)


PERSON_FIELD_LABELS = {
    "role": _l("role"),
    "given_name": _l("given name"),
    "family_name": _l("family name"),
    "personal_code": _l("personal code"),
    "birth_date": _l("birth date"),
    "contact": _l("contact"),
    "school": _l("school or institution"),
}


def event_label(event, statuses, risks, users) -> str:
    """One line of a case's history."""
    locale = str(get_locale())
    details = event.details or {}
    if event.machine == "lifecycle":
        if event.trigger == "opened":
            return _("case opened (%(status)s)",
                     status=pick_label(statuses[event.to_state], locale))
        trigger = pick_label(case_lifecycle.TRIGGER_LABELS.get(
            event.trigger, {"lv": event.trigger, "en": event.trigger}), locale)
        return _("%(trigger)s: %(from)s → %(to)s", trigger=trigger,
                 **{"from": pick_label(statuses[event.from_state], locale),
                    "to": pick_label(statuses[event.to_state], locale)})
    if event.machine == "risk":
        return _("risk: %(from)s → %(to)s", **{
            "from": pick_label(risks[event.from_state], locale),
            "to": pick_label(risks[event.to_state], locale)})
    user = users.get(details.get("user_id"))
    name = user.full_name if user else "—"
    texts = {
        "member_added": _("added to the group: %(name)s", name=name),
        "member_removed": _("removed from the group: %(name)s", name=name),
        "referral_attached": _("referral attached"),
        "person_added": _("person added"),
        "person_corrected": _("person's data corrected: %(fields)s",
                              fields=", ".join(_label(PERSON_FIELD_LABELS, f)
                                               for f in details.get("fields", []))),
        "person_ended": _("person no longer part of the case"),
        "client_participation": _("client participation recorded"),
        "reassigned": _("case reassigned to another case manager"),
        "reviewed": _("case reviewed; next review %(date)s",
                      date=details.get("next_review_due", "—")),
        "assessed": _("assessment saved (version %(v)s)", v=details.get("version", "—")),
        "plan_created": _("support plan started"),
        "goal_added": _("goal added to the support plan"),
        "plan_agreed": _("support plan agreed"),
        "plan_reopened": _("support plan returned to draft"),
    }
    return texts.get(event.trigger, event.trigger)


def init_app(app) -> None:
    """Register the filters."""
    app.jinja_env.filters["category_label"] = lambda v: _label(CATEGORY_LABELS, v)
    app.jinja_env.filters["institution_kind_label"] = \
        lambda v: _label(INSTITUTION_KIND_LABELS, v)
    app.jinja_env.filters["person_role_label"] = lambda v: _label(PERSON_ROLE_LABELS, v)
    app.jinja_env.filters["note_level_label"] = lambda v: _label(NOTE_LEVEL_LABELS, v)
    app.jinja_env.filters["task_status_label"] = lambda v: pick_label(
        task_workflow.STATUS_LABELS.get(v, {"lv": v, "en": v}), str(get_locale()))
    app.jinja_env.filters["decision_status_label"] = lambda v: pick_label(
        decision_workflow.STATUS_LABELS.get(v, {"lv": v, "en": v}), str(get_locale()))
    app.jinja_env.filters["case_status_label"] = lambda v: pick_label(
        case_lifecycle.STATUS_LABELS.get(v, {"lv": v, "en": v}), str(get_locale()))
    app.jinja_env.filters["event_label"] = event_label
    # Every page shows risk colours with their words; one table for all templates.
    app.jinja_env.globals["risks"] = risk_profile.RISK_LABELS
