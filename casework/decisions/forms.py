"""Forms of the execution of a decision. The decision's version travels in a hidden field so
that a stale form is noticed (409) instead of overwriting someone else's change."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from casework.auth.forms import REQUIRED
from casework.forms import BaseForm

TOO_LONG = _l("At most %(max)d characters.")


class AdvanceForm(BaseForm):
    """A transition of the execution status, with its date and an optional note."""

    trigger = HiddenField(validators=[DataRequired()])
    version = HiddenField()
    on = DateField(_l("Date"), validators=[Optional()], format="%Y-%m-%d")
    reason = TextAreaField(_l("Reason"), validators=[Optional(),
                                                     Length(max=5000, message=TOO_LONG)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000, message=TOO_LONG)])


class ProgressForm(BaseForm):
    """A dated progress entry without a change of status."""

    version = HiddenField()
    on = DateField(_l("Date"), validators=[DataRequired(REQUIRED)], format="%Y-%m-%d")
    text = TextAreaField(_l("Progress of execution"), validators=[
        DataRequired(REQUIRED), Length(max=5000, message=TOO_LONG)])
