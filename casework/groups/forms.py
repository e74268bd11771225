"""Forms of groups and meetings. Choices that depend on the group are set by the view."""

from __future__ import annotations

from datetime import UTC

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from casework.admin.forms import MultiCheckboxField
from casework.auth.forms import REQUIRED
from casework.concurrency import OneTimeTokenField
from casework.forms import MAX_MINUTES, MAX_URL, BaseForm
from casework.inputs import is_https_url
from workflows.policy import RIGA

TOO_LONG = _l("At most %(max)d characters.")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

MEETING_KIND_CHOICES = [SelectChoice("regular", _l("regular meeting")),
                        SelectChoice("supervision", _l("supervision"))]
DECISION_KIND_CHOICES = [SelectChoice("decision", _l("decision")),
                         SelectChoice("proposal_municipality", _l("proposal to the municipality")),
                         SelectChoice("proposal_state", _l("proposal to the state"))]
AGENDA_KIND_CHOICES = [SelectChoice("goal", _l("goal")), SelectChoice("item", _l("item"))]
ATTENDANCE_CHOICES = [SelectChoice("invited", _l("invited")),
                      SelectChoice("attended", _l("attended")),
                      SelectChoice("excused", _l("excused")),
                      SelectChoice("absent", _l("absent"))]


def _text(label, max_length, required=True, **kwargs):
    validators = [DataRequired(REQUIRED)] if required else [Optional()]
    validators.append(Length(max=max_length, message=TOO_LONG))
    return StringField(label, validators=validators, **kwargs)


def riga_to_utc(value):
    """A naive date-time typed in Latvian time as an aware UTC date-time."""
    if value is None:
        return None
    return value.replace(tzinfo=RIGA).astimezone(UTC)


def utc_to_riga(value):
    """An aware date-time as the naive Latvian time a date-time field shows."""
    if value is None:
        return None
    return value.astimezone(RIGA).replace(tzinfo=None)


HTTPS_ONLY = _l("Enter a full address that starts with https://.")


class HttpsLink:
    """An online meeting link must be ``https://``: it is sent to every participant's
    calendar and opened from there."""

    def __call__(self, form, field):
        if field.data and not is_https_url(field.data.strip()):
            raise ValidationError(str(HTTPS_ONLY))


class GroupForm(BaseForm):
    """A new strategic group."""

    name = _text(_l("Name"), 200)
    description = TextAreaField(_l("Description"), validators=[
        Optional(), Length(max=5000, message=TOO_LONG)])
    lead_id = SelectField(_l("Coordinator (group lead)"), coerce=int, validators=[Optional()])


class GroupMemberForm(BaseForm):
    """A member of a strategic group, representing an institution."""

    user_id = SelectField(_l("Member"), coerce=int, validators=[DataRequired(REQUIRED)])
    institution_id = SelectField(_l("Represents the institution"), coerce=int,
                                 validators=[Optional()])
    role_in_group = _text(_l("Role in the group"), 100, required=False)
    member_from = DateField(_l("Member from"), validators=[Optional()], format="%Y-%m-%d")


class EndMemberForm(BaseForm):
    """The end date of a membership (default: now)."""

    member_to = DateField(_l("Member until"), validators=[Optional()], format="%Y-%m-%d")


class MeetingForm(BaseForm):
    """Plan or change a meeting (times in Latvian time)."""

    version = HiddenField()
    form_token = OneTimeTokenField()
    kind = SelectField(_l("Kind of meeting"), choices=MEETING_KIND_CHOICES, default="regular")
    title = _text(_l("Title"), 200, required=False)
    starts_at = DateTimeLocalField(_l("Starts"), format=DATETIME_FORMAT,
                                   validators=[DataRequired(REQUIRED)])
    ends_at = DateTimeLocalField(_l("Ends"), format=DATETIME_FORMAT,
                                 validators=[DataRequired(REQUIRED)])
    place = _text(_l("Place"), 300, required=False)
    online_link = StringField(_l("Online meeting link"), validators=[
        Optional(), Length(max=MAX_URL, message=TOO_LONG), HttpsLink()],
        description=_l("A full address: https://…"))
    chair_id = SelectField(_l("Chair"), coerce=int, validators=[Optional()])
    minute_taker_id = SelectField(_l("Minute-taker"), coerce=int, validators=[Optional()])
    invite_ids = MultiCheckboxField(_l("Invite"), coerce=int, validators=[Optional()])


class AgendaForm(BaseForm):
    """A goal or an item of the agenda."""

    kind = SelectField(_l("Goal or item"), choices=AGENDA_KIND_CHOICES, default="goal")
    text = _text(_l("Text"), 500)
    case_number = _text(_l("Case number"), 16, required=False,
                        description=_l("Optional; the case is shown by its number only."))


class InviteForm(BaseForm):
    """Invite more members."""

    invite_ids = MultiCheckboxField(_l("Invite"), coerce=int,
                                    validators=[DataRequired(REQUIRED)])


#: The name of an agenda item's minutes in the minutes form: ``item_minutes-<item id>``.
ITEM_MINUTES = "item_minutes-"


class MinutesForm(BaseForm):
    """The general part of the minutes and, for an interprofessional meeting, the client's and
    child's part; ``minutes_form`` adds one text per agenda item."""

    version = HiddenField()
    minutes = TextAreaField(_l("Other matters and the general course of the meeting"),
                            validators=[Optional(), Length(max=MAX_MINUTES, message=TOO_LONG)])
    client_took_part = BooleanField(_l("The client took part"))
    client_informed = BooleanField(_l("The client was informed of the decisions"))
    client_opinion = TextAreaField(_l("The client's opinion"), validators=[
        Optional(), Length(max=5000, message=TOO_LONG)])
    child_took_part = BooleanField(_l("The child took part"))
    child_informed = BooleanField(_l("The child was informed of the decisions"))
    child_opinion = TextAreaField(_l("The child's opinion"), validators=[
        Optional(), Length(max=5000, message=TOO_LONG)])


    #: The agenda items this form has a text for (``minutes_form``).
    item_ids: tuple[int, ...] = ()

    def item_field(self, item_id: int):
        """The text of the agenda item ``item_id``, or None when the form has none for it."""
        return self._fields.get(f"{ITEM_MINUTES}{item_id}")

    def item_texts(self) -> dict[int, str | None]:
        """The items' minutes that were sent (an item the request did not send stays as it
        is: a client that knows only the general part changes only that)."""
        return {item_id: field.data for item_id in self.item_ids
                if (field := self.item_field(item_id)) is not None and field.raw_data}


def item_ids_sent(formdata) -> list[int]:
    """The agenda item ids named by the ``item_minutes-<id>`` keys of a request's form data
    (the service checks that they are items of the meeting)."""
    ids = []
    for key in formdata or ():
        suffix = key[len(ITEM_MINUTES):] if key.startswith(ITEM_MINUTES) else ""
        if suffix.isascii() and suffix.isdigit() and len(suffix) <= 10:
            ids.append(int(suffix))
    return ids


def minutes_form(items, **kwargs) -> MinutesForm:
    """The minutes form with one text per agenda item in ``items`` ((id, label, text) each; the
    text is shown when the form is not made from a request). Each item's field is named
    ``item_minutes-<id>`` and has the id ``item-minutes-<id>``, unique on the meeting page."""
    items = list(items)
    fields = {f"{ITEM_MINUTES}{item_id}": TextAreaField(
        label, id=f"item-minutes-{item_id}",
        validators=[Optional(), Length(max=MAX_MINUTES, message=TOO_LONG)])
        for item_id, label, _text in items}
    form_class = type("MinutesForm", (MinutesForm,),
                      {**fields, "item_ids": tuple(item[0] for item in items)})
    initial = {f"{ITEM_MINUTES}{item_id}": text for item_id, _label, text in items}
    return form_class(**initial, **kwargs)


class DecisionForm(BaseForm):
    """A decision draft of the minutes."""

    kind = SelectField(_l("Kind"), choices=DECISION_KIND_CHOICES, default="decision")
    text = TextAreaField(_l("Decision"), validators=[DataRequired(REQUIRED),
                                                     Length(max=5000, message=TOO_LONG)])
    responsible_institution_id = SelectField(_l("Responsible institution"), coerce=int,
                                             validators=[Optional()])
    due_date = DateField(_l("Due date"), validators=[Optional()], format="%Y-%m-%d")
    agenda_item_id = SelectField(_l("Agenda item"), coerce=int, validators=[Optional()])


class TaskForm(BaseForm):
    """A task draft of the minutes, issued at approval."""

    form_token = OneTimeTokenField()
    title = _text(_l("Task"), 300)
    description = TextAreaField(_l("Description"), validators=[
        Optional(), Length(max=5000, message=TOO_LONG)])
    assignee_id = SelectField(_l("Assignee"), coerce=int, validators=[Optional()])
    due_date = DateField(_l("Deadline"), validators=[Optional()], format="%Y-%m-%d")
    decision_id = SelectField(_l("From decision"), coerce=int, validators=[Optional()])
    agenda_item_id = SelectField(_l("From agenda item"), coerce=int, validators=[Optional()])


class MeetingTransitionForm(BaseForm):
    """Mark held, approve the minutes, cancel (with a reason)."""

    trigger = HiddenField(validators=[DataRequired()])
    version = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[Optional(),
                                                     Length(max=2000, message=TOO_LONG)])
