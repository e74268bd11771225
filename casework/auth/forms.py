"""Login and password forms."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from casework.forms import BaseForm

REQUIRED = _l("This field is required.")


class LoginForm(BaseForm):
    """E-mail and password."""

    email = StringField(
        _l("E-mail"),
        validators=[DataRequired(REQUIRED),
                    Length(max=254, message=_l("At most %(max)d characters."))],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(REQUIRED),
                    Length(max=128, message=_l("At most %(max)d characters."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class PasswordChangeForm(BaseForm):
    """The user's own password change."""

    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(REQUIRED), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(REQUIRED),
                    Length(max=128, message=_l("At most %(max)d characters."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(REQUIRED),
                    EqualTo("new", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class CodeForm(BaseForm):
    """A code from the authenticator app (or, at login, a recovery code)."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(REQUIRED),
                    Length(max=64, message=_l("At most %(max)d characters."))],
        render_kw={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text",
                   "spellcheck": "false", "autocapitalize": "off"},
    )
