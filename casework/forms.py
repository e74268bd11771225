"""The base form: WTForms' own messages in the user's language.

WTForms ships no Latvian catalog, so its built-in messages are translated in ours: the form's
translations delegate to Flask-Babel, and the messages are listed below for extraction.
"""

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm


class _BabelTranslations:
    def gettext(self, string):
        return gettext(string)

    def ngettext(self, singular, plural, n):
        return ngettext(singular, plural, n)


class BaseForm(FlaskForm):
    """Every form of casework derives from this one."""

    class Meta:
        def get_translations(self, form):
            return _BabelTranslations()


# WTForms' built-in messages, listed so that the extractor puts them in our catalog.
WTFORMS_MESSAGES = (
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid time value."),
    _l("Not a valid decimal value."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid value, must be one of: %(values)s."),
)
