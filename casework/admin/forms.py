"""Administration forms."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from casework.auth.forms import REQUIRED
from casework.auth.models import MUNICIPAL_ROLES, ROLE_LABELS
from casework.auth.operations import EMAIL_PATTERN
from casework.forms import BaseForm
from casework.orgs.models import INSTITUTION_KIND_LABELS

TOO_LONG = _l("At most %(max)d characters.")


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes, each with its own label."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InstitutionForm(BaseForm):
    """Create an institution."""

    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED),
                                               Length(max=200, message=TOO_LONG)])
    kind = SelectField(
        _l("Kind"), validators=[DataRequired(REQUIRED)],
        choices=[SelectChoice(k.value, v) for k, v in INSTITUTION_KIND_LABELS.items()],
    )


class RenameForm(BaseForm):
    """Rename an institution."""

    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED),
                                               Length(max=200, message=TOO_LONG)])


class UserForm(BaseForm):
    """Create or edit a user; the institution choices are set by the view."""

    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED),
                                                         Length(max=200, message=TOO_LONG)])
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(REQUIRED), Length(max=254, message=TOO_LONG),
        Regexp(f"^{EMAIL_PATTERN}$", message=_l("Enter a valid e-mail address.")),
    ])
    institution_id = SelectField(_l("Institution"), coerce=int,
                                 validators=[DataRequired(REQUIRED)])
    roles = MultiCheckboxField(
        _l("Roles"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in MUNICIPAL_ROLES],
        validators=[DataRequired(_l("Choose at least one role."))],
        invalid_choice_message=_l("Choose roles from the list."),
    )


class ActionForm(BaseForm):
    """A button that changes something (deactivate, unlock...): only the CSRF token."""


def policy_form(labels: dict) -> type[BaseForm]:
    """A form with one whole-number field per policy setting."""

    class PolicyForm(BaseForm):
        pass

    for name, label in labels.items():
        setattr(PolicyForm, name, IntegerField(label, validators=[
            InputRequired(REQUIRED),
            NumberRange(min=0, max=3650, message=_l("Between %(min)s and %(max)s."))]))
    return PolicyForm
