"""Template filters that turn stored codes into words of the user's language."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date, get_locale
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


def _person_text(person) -> str:
    """"Laura Strazdiņa (bērns)": a person of the case as the case page names them."""
    if person is None:
        return _("a person of the case")
    return _("%(name)s (%(role)s)", name=person.full_name,
             role=_label(PERSON_ROLE_LABELS, person.role))


def _user_name(users, user_id) -> str:
    user = users.get(user_id) if isinstance(user_id, int) else None
    return user.full_name if user else "—"


def _iso_date(value) -> str:
    try:
        return format_date(date.fromisoformat(str(value)), "dd.MM.yyyy")
    except ValueError:
        return "—"


def _moved(event, states, events, locale: str, unknown) -> str:
    """"Sākta izvērtēšana (reģistrēta → izvērtēšana)": a change of state in the past tense; an
    action this version does not know is still told in words (``unknown``)."""
    moved = {"from": pick_label(states[event.from_state], locale),
             "to": pick_label(states[event.to_state], locale)}
    label = events.get(event.trigger)
    if label is None:
        return str(unknown) % moved
    return _("%(event)s (%(from)s → %(to)s)", event=pick_label(label, locale), **moved)


def event_label(event, statuses, risks, users, persons=()) -> str:
    """One line of a case's history, as a sentence in the user's language: what happened (in
    the past tense, not the label of the button that did it) and to whom, by name (the page
    shows the case's persons and group anyway; the stored event keeps only their ids)."""
    locale = str(get_locale())
    details = event.details or {}
    if event.machine == "lifecycle":
        if event.trigger == "opened":
            return _("Case opened (%(status)s)",
                     status=pick_label(statuses[event.to_state], locale))
        return _moved(event, statuses, case_lifecycle.EVENT_LABELS, locale,
                      _l("Status changed (%(from)s → %(to)s)"))
    if event.machine == "risk":
        return _moved(event, risks, risk_profile.EVENT_LABELS, locale,
                      _l("Risk profile changed (%(from)s → %(to)s)"))
    person = {p.id: p for p in persons}.get(details.get("person_id"))
    trigger = event.trigger
    if trigger == "member_added":
        return _("Added to the group: %(name)s", name=_user_name(users, details.get("user_id")))
    if trigger == "member_removed":
        return _("Removed from the group: %(name)s",
                 name=_user_name(users, details.get("user_id")))
    if trigger == "person_added":
        return _("Person added: %(person)s", person=_person_text(person))
    if trigger == "person_corrected":
        return _("Person's data corrected: %(person)s; changed: %(fields)s",
                 person=_person_text(person),
                 fields=", ".join(_label(PERSON_FIELD_LABELS, f)
                                  for f in details.get("fields", [])))
    if trigger == "person_ended":
        return _("No longer part of the case: %(person)s", person=_person_text(person))
    if trigger == "client_participation":
        if details.get("informed"):
            return _("Client participation recorded: the client was informed")
        return _("Client participation recorded: the client was not informed")
    if trigger == "reassigned":
        return _("Case passed to another case manager: %(from)s → %(to)s",
                 **{"from": _user_name(users, details.get("from")),
                    "to": _user_name(users, details.get("to"))})
    if trigger == "reviewed":
        return _("Case reviewed; next review on %(date)s",
                 date=_iso_date(details.get("next_review_due")))
    if trigger == "assessed":
        return _("Assessment saved (version %(v)s)", v=details.get("version", "—"))
    if trigger == "minutes_approved":
        numbers = [str(n) for n in details.get("decisions") or []]
        if numbers:
            return _("Minutes of the group's meeting approved; decisions: %(decisions)s",
                     decisions=", ".join(numbers))
        return _("Minutes of the group's meeting approved")
    texts = {
        "referral_attached": _l("Referral attached"),
        "plan_created": _l("Support plan started"),
        "goal_added": _l("Goal added to the support plan"),
        "plan_agreed": _l("Support plan agreed"),
        "plan_reopened": _l("Support plan returned to draft"),
    }
    # An event this version does not know is still shown in words, never as its code.
    return str(texts.get(trigger, _l("Change recorded")))


def init_app(app) -> None:
    """Register the filters."""
    app.jinja_env.filters["category_label"] = lambda v: _label(CATEGORY_LABELS, v)
    app.jinja_env.filters["institution_kind_label"] = \
        lambda v: _label(INSTITUTION_KIND_LABELS, v)
    app.jinja_env.filters["person_role_label"] = lambda v: _label(PERSON_ROLE_LABELS, v)
    app.jinja_env.filters["note_level_label"] = lambda v: _label(NOTE_LEVEL_LABELS, v)
    app.jinja_env.filters["task_status_label"] = lambda v: pick_label(
        task_workflow.STATUS_LABELS.get(v, v), str(get_locale()))
    app.jinja_env.filters["decision_status_label"] = lambda v: pick_label(
        decision_workflow.STATUS_LABELS.get(v, v), str(get_locale()))
    app.jinja_env.filters["case_status_label"] = lambda v: pick_label(
        case_lifecycle.STATUS_LABELS.get(v, v), str(get_locale()))
    app.jinja_env.filters["event_label"] = event_label
    # Every page shows risk colours with their words; one table for all templates.
    app.jinja_env.globals["risks"] = risk_profile.RISK_LABELS
