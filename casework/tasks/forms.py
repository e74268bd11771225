"""Forms of tasks. The task's version travels in a hidden field so that a stale form is
noticed (409) instead of overwriting someone else's change."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from casework.auth.forms import REQUIRED
from casework.concurrency import OneTimeTokenField
from casework.documents.forms import accepted_file, level_field, optional_file
from casework.forms import BaseForm

TOO_LONG = _l("At most %(max)d characters.")


class CompleteForm(BaseForm):
    """Mark a task done with a note and, optionally, the document it asked for."""

    version = HiddenField()
    note = TextAreaField(_l("Completion note"), validators=[
        DataRequired(REQUIRED), Length(max=5000, message=TOO_LONG)])
    document = FileField(_l("Document (optional)"), validators=[optional_file, accepted_file])
    document_level = level_field(_l("Who may read the document"))


class CancelForm(BaseForm):
    """Cancel a task with a reason."""

    version = HiddenField()
    reason = TextAreaField(_l("Reason for cancelling"), validators=[
        DataRequired(REQUIRED), Length(max=5000, message=TOO_LONG)])


class TaskForm(BaseForm):
    """A task given from the case page; the assignee's choices are set by the view."""

    form_token = OneTimeTokenField()
    title = StringField(_l("Task"), validators=[DataRequired(REQUIRED),
                                                Length(max=300, message=TOO_LONG)])
    description = TextAreaField(_l("Description"), validators=[
        Optional(), Length(max=5000, message=TOO_LONG)])
    assignee_id = SelectField(_l("Assignee"), coerce=int, validators=[DataRequired(REQUIRED)])
    due_date = DateField(_l("Deadline"), validators=[DataRequired(REQUIRED)], format="%Y-%m-%d")
