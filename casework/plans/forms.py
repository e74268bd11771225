"""Forms of the assessment and the support plan. Choices that depend on the case are set by the
view; labels of areas, ratings and statuses come from ``workflows.support_plan``."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from casework.admin.forms import MultiCheckboxField
from casework.auth.forms import REQUIRED
from casework.forms import BaseForm
from workflows import pick_label
from workflows.support_plan import (
    AREAS,
    GOAL_STATUS_LABELS,
    GOAL_STATUSES,
    RATING_LABELS,
    RATINGS,
)

TOO_LONG = _l("At most %(max)d characters.")
GOAL_FIELD_PREFIX = "goal-"


def _locale() -> str:
    return str(get_locale() or "lv")


def rating_choices() -> list[SelectChoice]:
    return [SelectChoice(r, f"{r} – {pick_label(RATING_LABELS[r], _locale())}")
            for r in RATINGS]


def goal_status_choices(blank: bool = True) -> list[SelectChoice]:
    choices = [SelectChoice("", _l("no change"))] if blank else []
    return choices + [SelectChoice(s, pick_label(GOAL_STATUS_LABELS[s], _locale()))
                      for s in GOAL_STATUSES]


class AssessmentForm(BaseForm):
    """A new version of the assessment: a rating and a text per area (fields added below)."""

    assessed_on = DateField(_l("Date of the assessment"), validators=[Optional()],
                            format="%Y-%m-%d")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area in AREAS:
            self[f"{area}_rating"].choices = rating_choices()

    def ratings(self) -> dict[str, int]:
        return {a: self[f"{a}_rating"].data for a in AREAS}

    def texts(self) -> dict[str, str | None]:
        return {a: self[f"{a}_text"].data for a in AREAS}


for _area in AREAS:
    setattr(AssessmentForm, f"{_area}_rating", SelectField(
        _l("Level of concern"), coerce=int, validators=[InputRequired(REQUIRED)]))
    setattr(AssessmentForm, f"{_area}_text", TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000, message=TOO_LONG)]))


class GoalForm(BaseForm):
    """A goal of the support plan."""

    goal = StringField(_l("Goal"), validators=[DataRequired(REQUIRED),
                                               Length(max=500, message=TOO_LONG)])
    actions = TextAreaField(_l("Services or actions"), validators=[
        DataRequired(REQUIRED), Length(max=5000, message=TOO_LONG)])
    responsible_institution_id = SelectField(_l("Responsible institution"), coerce=int)
    responsible_user_id = SelectField(_l("Responsible person"), coerce=int)
    deadline = DateField(_l("Deadline"), validators=[DataRequired(REQUIRED)], format="%Y-%m-%d")
    review_on = DateField(_l("Review date"), validators=[Optional()], format="%Y-%m-%d")
    decision_id = SelectField(_l("Decision of the group"), coerce=int)
    task_ids = MultiCheckboxField(_l("Tasks"), coerce=int)


class AgreeForm(BaseForm):
    """Mark the plan agreed by a decision of the case's group."""

    decision_id = SelectField(_l("Decision of the group"), coerce=int)


def goal_statuses_from(formdata) -> dict[int, str]:
    """The goal statuses a review form posted (``goal-<id>`` fields; empty means no change)."""
    result: dict[int, str] = {}
    for key in formdata:
        if key.startswith(GOAL_FIELD_PREFIX) and key[len(GOAL_FIELD_PREFIX):].isdigit():
            value = formdata.get(key) or ""
            if value:
                result[int(key[len(GOAL_FIELD_PREFIX):])] = value
    return result
