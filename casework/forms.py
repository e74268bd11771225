"""The base form: WTForms' own messages in the user's language, and the input rules every form
of casework shares.

WTForms ships no Latvian catalog, so its built-in messages are translated in ours: the form's
translations delegate to Flask-Babel, and the messages are listed below for extraction.

Every form checks, whatever its fields say (issue 10.5, issue 17.11):
- a whole number (``IntegerField``, ``SelectField(coerce=int)``) fits the database's
  ``integer``; an id in a choice is not negative; a multiple choice has no item twice, and
  none of its ids is zero or negative;
- a date or date-time lies in the allowed years (``casework.inputs.MIN_YEAR``–``MAX_YEAR``);
- a text has a maximum length: the field's own ``Length``, or the one of its kind below.
"""

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from flask_wtf import FlaskForm
from markupsafe import escape
from wtforms import (
    DateTimeField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, ValidationError
from wtforms.widgets import Select

from casework.inputs import (
    DATE_MESSAGE,
    MAX_DB_INT,
    MAX_YEAR,
    MIN_DB_INT,
    MIN_YEAR,
    date_in_range,
    db_int,
    fits_db_int,
    is_safe_url,
)

#: The longest text of each kind, in characters.
MAX_LINE = 300  # a one-line field: a name, a title, a subject, a place
MAX_URL = 500  # a link
MAX_HIDDEN = 2000  # a hidden field: a version, a trigger, the address to return to
MAX_TEXT = 5000  # a text area: a description, a reason, an opinion, a note of progress
MAX_NOTE = 10000  # a case note
MAX_NARRATIVE = 20000  # one section of the annual report's narrative
MAX_MINUTES = 50000  # the minutes of a meeting

TOO_LONG = _l("At most %(max)d characters.")
NUMBER_RANGE = _l("Enter a number between %(min)d and %(max)d.")
NOT_A_CHOICE = _l("Not a valid choice.")
REPEATED = _l("Each item may be chosen only once.")
UNSAFE_URL = _l("Enter a full address that starts with https:// (or http://).")


class _BabelTranslations:
    """WTForms formats its messages itself (``message % {"max": ...}``), so the catalog's
    text is returned as it is: Flask-Babel's ``ngettext`` would format it with ``num`` alone
    and fail on ``%(max)d``."""

    def gettext(self, string):
        return get_translations().gettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ngettext(singular, plural, n)


def _check_int(form, field):
    values = field.data if isinstance(field.data, list) else [field.data]
    if any(isinstance(v, int) and not fits_db_int(v) for v in values):
        raise ValidationError(NUMBER_RANGE % {"min": MIN_DB_INT, "max": MAX_DB_INT})


def _check_id_choice(form, field):
    if isinstance(field.data, int) and field.data < 0:
        raise ValidationError(str(NOT_A_CHOICE))


def _check_id_choices(form, field):
    if any(not isinstance(v, int) or v <= 0 for v in field.data or []):
        raise ValidationError(str(NOT_A_CHOICE))


def _check_no_repeats(form, field):
    values = field.data or []
    if len(set(values)) != len(values):
        raise ValidationError(str(REPEATED))


def _check_date(form, field):
    if not date_in_range(field.data):
        raise ValidationError(DATE_MESSAGE % {"min": f"{MIN_YEAR}-01-01",
                                              "max": f"{MAX_YEAR}-12-31"})


def _default_length(field) -> int:
    if isinstance(field, HiddenField):
        return MAX_HIDDEN
    if isinstance(field, TextAreaField):
        return MAX_TEXT
    return MAX_LINE


def input_checks(field) -> list:
    """The shared checks of ``field`` (see the module's docstring)."""
    checks = []
    if isinstance(field, IntegerField):
        checks.append(_check_int)
    elif isinstance(field, SelectMultipleField):
        if field.coerce is db_int:
            checks.append(_check_id_choices)
        checks.append(_check_no_repeats)
    elif isinstance(field, SelectField):
        if field.coerce is db_int:
            checks.append(_check_id_choice)
    elif isinstance(field, DateTimeField):  # also DateField, DateTimeLocalField, MonthField
        checks.append(_check_date)
    elif isinstance(field, StringField) and not any(
            isinstance(v, Length) for v in field.validators):
        checks.append(Length(max=_default_length(field), message=TOO_LONG))
    return checks


class SafeUrl:
    """A link the app will render: empty, or ``https://``/``http://`` with a host."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        if field.data and not is_safe_url(field.data.strip()):
            raise ValidationError(str(self.message or UNSAFE_URL))


class FastSelect(Select):
    """WTForms' select, with each plain option written directly: a list of a municipality's
    people (a thousand options and more) renders in a few milliseconds instead of tens. An
    option with attributes of its own goes through WTForms as before."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool) or choice.value is None:
            return super().render_option(choice, **kwargs)
        # ``escape`` per value; ``Markup.format`` would cost a string formatter per option
        # (about 30 ms for the case page's 2 000 options). The widget joins them into Markup.
        selected = " selected" if choice.selected else ""
        return (f'<option{selected} value="{escape(choice.value)}">'
                f"{escape(choice.label or choice.value)}</option>")


class BaseForm(FlaskForm):
    """Every form of casework derives from this one."""

    class Meta:
        def get_translations(self, form):
            return _BabelTranslations()

        def bind_field(self, form, unbound_field, options):
            # Ids coerced with ``int`` could be beyond the database's range: the bounded
            # coercion answers "could not coerce" instead.
            if unbound_field.kwargs.get("coerce") is int:
                options = {**options, "coerce": db_int}
            field = unbound_field.bind(form=form, **options)
            if type(field.widget) is Select and not field.widget.multiple:
                field.widget = FastSelect()
            return field

    def validate(self, extra_validators=None):
        """The field's validators, then the shared checks."""
        extra = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            checks = input_checks(field)
            if checks:
                extra.setdefault(name, []).extend(checks)
        return super().validate(extra_validators=extra)


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
    _ln("Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.", 1),
    _ln("Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.", 1),
    _ln("Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.", 1),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _ln("'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.", 1),
)


def error_target(field) -> str | None:
    """The id an error summary links to for ``field``: the input itself, or the first choice of
    a group of radios or checkboxes; None for hidden fields, which the user cannot correct."""
    if field.type in ("HiddenField", "CSRFTokenField"):
        return None
    if field.type in ("RadioField", "MultiCheckboxField"):
        return f"{field.id}-0" if list(field.iter_choices()) else None
    return field.id


def error_summary(form, ids: dict | None = None) -> list[dict]:
    """The errors of ``form`` in field order for the error summary: each with the field's
    label, the message and the id to link to (issue 18.2); form-level errors last. ``ids``
    names the inputs of a form whose template renders them under other ids."""
    rows = []
    for field in form:
        target = (ids or {}).get(field.name) or error_target(field)
        for message in field.errors:
            rows.append({"target": target, "label": field.label.text, "message": message})
    for message in getattr(form, "form_errors", []) or []:
        rows.append({"target": None, "label": "", "message": message})
    return rows


def show_refusal(form, refused, default: str | None = None) -> None:
    """Put the service layer's refusal on the form, next to the input it is about
    (``refused.field``, else ``default``), or at the top of the form's error summary: never in
    a flash message far from the form (issue 18.2)."""
    message = str(refused.message)
    field = form._fields.get(getattr(refused, "field", None) or default or "")
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)
