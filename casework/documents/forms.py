"""Forms of documents: the upload with its confidentiality level. The content check runs as a
validator, so a refused file is a message at the field (the operation checks again)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import FileStorage
from wtforms import RadioField, SelectChoice
from wtforms.validators import StopValidation, ValidationError

from casework.cases.models import NOTE_LEVEL_LABELS
from casework.forms import BaseForm

LEVEL_HINT = _l("Group: all members. Institution: your institution and the case manager. "
                "Restricted: you and the case manager.")


def level_field(label=None):
    """Who may read the document: the three levels of notes."""
    return RadioField(label or _l("Who may read it"), default="group",
                      choices=[SelectChoice(k.value, v) for k, v in NOTE_LEVEL_LABELS.items()])


def has_file(field) -> bool:
    """Whether the field holds an uploaded file (an empty file input sends none)."""
    return isinstance(field.data, FileStorage) and bool(field.data.filename)


def accepted_file(form, field):
    """The file's content is an allowed type within the size limit (checked, not trusted)."""
    from casework.documents.operations import DocumentRefused, check_upload

    if not has_file(field):
        return
    try:
        check_upload(field.data.stream)
    except DocumentRefused as refused:
        raise ValidationError(str(refused.message)) from refused


def optional_file(form, field):
    """No file is fine: stop the field's other validators."""
    if not has_file(field):
        field.errors[:] = []
        raise StopValidation()


class DocumentForm(BaseForm):
    """Upload a document."""

    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file.")), accepted_file])
    level = level_field()
