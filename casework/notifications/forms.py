"""The notification settings form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice
from wtforms.validators import InputRequired

from casework.forms import BaseForm


class NotificationSettingsForm(BaseForm):
    """Immediate e-mails or one daily digest."""

    notify_by = RadioField(
        _l("E-mail about notifications"),
        choices=[SelectChoice("immediate", _l("At once, one e-mail per notification")),
                 SelectChoice("digest", _l("Once a day, in one digest e-mail"))],
        validators=[InputRequired()])
