"""Forms of referrals and cases. Choices that depend on the case are set by the view."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from casework.admin.forms import MultiCheckboxField
from casework.auth.forms import REQUIRED
from casework.cases.models import CATEGORY_LABELS, NOTE_LEVEL_LABELS, PERSON_ROLE_LABELS
from casework.concurrency import OneTimeTokenField
from casework.forms import BaseForm

TOO_LONG = _l("At most %(max)d characters.")
RISK_CHOICES = [SelectChoice("green", _l("green")), SelectChoice("yellow", _l("yellow")),
                SelectChoice("red", _l("red"))]


def _text(label, max_length, required=True, **kwargs):
    validators = [DataRequired(REQUIRED)] if required else [Optional()]
    validators.append(Length(max=max_length, message=TOO_LONG))
    return StringField(label, validators=validators, **kwargs)


class ReferralForm(BaseForm):
    """A concern reported by an institution."""

    form_token = OneTimeTokenField()
    child_given_name = _text(_l("Child's given name"), 100)
    child_family_name = _text(_l("Child's family name"), 100)
    child_personal_code = _text(_l("Child's personal code"), 12, required=False,
                                description=_l("DDMMYY-NNNNN, if known"))
    child_birth_date = DateField(_l("Child's birth date"), validators=[Optional()],
                                 format="%Y-%m-%d")
    categories = MultiCheckboxField(
        _l("Concern categories"), choices=[SelectChoice(k.value, v) for k, v in
                                           CATEGORY_LABELS.items()],
        validators=[DataRequired(_l("Choose at least one category."))],
        invalid_choice_message=_l("Choose categories from the list."))
    description = TextAreaField(_l("Description of the concern"), validators=[
        DataRequired(REQUIRED), Length(max=5000, message=TOO_LONG)])
    proposed_urgency = RadioField(_l("Proposed urgency"), choices=RISK_CHOICES,
                                  validators=[DataRequired(REQUIRED)])


class TriageForm(BaseForm):
    """Triage of a referral."""

    outcome = RadioField(_l("Outcome"), choices=[
        SelectChoice("new_case", _l("Open a new case")),
        SelectChoice("attached", _l("Attach to an existing case")),
        SelectChoice("no_action", _l("No further action")),
    ], validators=[DataRequired(REQUIRED)])
    risk = SelectField(_l("Risk colour"), choices=[SelectChoice("", "—")] + RISK_CHOICES,
                       validators=[Optional()])
    case_number = _text(_l("Existing case number"), 16, required=False,
                        description=_l("For example 2026/0042"))
    reason = TextAreaField(_l("Reason"), validators=[Optional(),
                                                     Length(max=2000, message=TOO_LONG)])


class TransitionForm(BaseForm):
    """A lifecycle transition; the inputs shown depend on the trigger."""

    trigger = HiddenField(validators=[DataRequired()])
    version = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[Optional(),
                                                     Length(max=2000, message=TOO_LONG)])
    closure_reason = SelectField(_l("Closure reason"), validators=[Optional()])
    closure_reason_text = TextAreaField(_l("Closure reason (describe)"), validators=[
        Optional(), Length(max=2000, message=TOO_LONG)])


class RiskForm(BaseForm):
    """A change of the risk colour."""

    trigger = HiddenField(validators=[DataRequired()])
    version = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[Optional(),
                                                     Length(max=2000, message=TOO_LONG)])
    decision_id = SelectField(_l("Decision of the group"), coerce=int, validators=[Optional()])


class PersonForm(BaseForm):
    """A person of the case."""

    form_token = OneTimeTokenField()
    role = SelectField(_l("Role"), choices=[SelectChoice(k.value, v) for k, v in
                                            PERSON_ROLE_LABELS.items()])
    given_name = _text(_l("Given name"), 100)
    family_name = _text(_l("Family name"), 100)
    personal_code = _text(_l("Personal code"), 12, required=False,
                          description=_l("DDMMYY-NNNNN, if known"))
    birth_date = DateField(_l("Birth date"), validators=[Optional()], format="%Y-%m-%d")
    contact = _text(_l("Contact"), 300, required=False,
                    description=_l("Phone, e-mail or address"))
    school = _text(_l("School or institution"), 200, required=False)


class PersonCorrectionForm(PersonForm):
    """Correct a person's data (the same fields as when adding)."""


class EndPersonForm(BaseForm):
    """Mark a person as no longer part of the case."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED),
                                                     Length(max=2000, message=TOO_LONG)])


class NoteForm(BaseForm):
    """A note with a confidentiality level."""

    form_token = OneTimeTokenField()
    level = RadioField(_l("Who may read it"), default="group",
                       choices=[SelectChoice(k.value, v) for k, v in NOTE_LEVEL_LABELS.items()])
    text = TextAreaField(_l("Note"), validators=[DataRequired(REQUIRED),
                                                 Length(max=10000, message=TOO_LONG)])


class ParticipationForm(BaseForm):
    """The client's or child's participation in a decision."""

    subject = _text(_l("Decision or matter"), 300)
    person_id = SelectField(_l("Person"), coerce=int, validators=[Optional()])
    informed = BooleanField(_l("The client was informed"))
    informed_on = DateField(_l("Informed on"), validators=[Optional()], format="%Y-%m-%d")
    method = SelectField(_l("How"), validators=[Optional()], choices=[
        SelectChoice("", "—"), SelectChoice("in_person", _l("in person")),
        SelectChoice("phone", _l("by phone")), SelectChoice("letter", _l("by letter")),
        SelectChoice("e_mail", _l("by e-mail"))])
    opinion = TextAreaField(_l("The client's opinion"), validators=[
        Optional(), Length(max=5000, message=TOO_LONG)])
    attended = BooleanField(_l("The client took part in the meeting"))


class MemberForm(BaseForm):
    """Add a specialist to the case's interprofessional group."""

    user_id = SelectField(_l("Specialist"), coerce=int, validators=[DataRequired(REQUIRED)])
    role_in_group = _text(_l("Role in the group"), 100, required=False)


class ReassignForm(BaseForm):
    """Give the case to another case manager."""

    version = HiddenField()
    case_manager_id = SelectField(_l("New case manager"), coerce=int,
                                  validators=[DataRequired(REQUIRED)])


class BreakGlassForm(BaseForm):
    """Emergency access to a case outside the head's scope."""

    number = _text(_l("Case number"), 16)
    reason = TextAreaField(_l("Reason for emergency access"), validators=[
        DataRequired(REQUIRED), Length(min=10, max=2000,
                                       message=_l("Between %(min)d and %(max)d characters."))])


class ReviewForm(BaseForm):
    """A case review held: its summary."""

    version = HiddenField()
    summary = TextAreaField(_l("Summary of the review"), validators=[
        DataRequired(REQUIRED), Length(max=5000, message=TOO_LONG)])
