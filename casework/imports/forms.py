"""The administrator's import form: a file, what it holds, check or import."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectChoice, SelectField, SubmitField

from casework.forms import BaseForm

KIND_LABELS = {"cases": _l("Case register"), "decisions": _l("Decision table")}


class ImportForm(BaseForm):
    """Upload a register: checked first (nothing written), imported only when error-free."""

    file = FileField(_l("File (.xlsx or .csv)"),
                     validators=[FileRequired(_l("Choose a file."))])
    kind = RadioField(_l("What the file holds"), default="cases",
                      choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    group = SelectField(_l("Strategic group (for a decision table)"), coerce=int,
                        validate_choice=False, default=0)
    check = SubmitField(_l("Check (write nothing)"))
    run = SubmitField(_l("Import"))
