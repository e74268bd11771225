"""Bad input is refused at the door, in one place, for every route (issue 10.5, issue 17.6, 17.11).

- Path ids: the app's ``int`` URL converter only matches values that fit PostgreSQL's
  ``integer``; a bigger id is simply not found (404) instead of a database error.
- Query parameters read with ``request.args.get(name, type=int)`` treat an integer outside that
  range like any other value that is not a whole number (the default is used).
- NUL characters, which PostgreSQL cannot store, are refused with a 400 and a message wherever
  they come: query string, form fields, path.
- A path parameter called ``year`` must lie in the allowed years (400 with a message).
- Dates: the one allowed range (``MIN_YEAR``–``MAX_YEAR``) used by every date field and date
  parameter.
- Links: only ``https://`` and ``http://`` addresses with a host are rendered as links
  (``is safe_url`` in templates) or accepted by forms (``SafeUrl``).
"""

from __future__ import annotations

import builtins
from datetime import date, datetime
from urllib.parse import urlsplit

from flask import abort, request
from flask.wrappers import Request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

#: PostgreSQL's ``integer``: every id and count column.
MIN_DB_INT = -(2**31)
MAX_DB_INT = 2**31 - 1
#: The years a date may have anywhere in the app (birth dates, meetings, deadlines, reports).
MIN_YEAR = 1900
MAX_YEAR = 2100
MIN_DATE = date(MIN_YEAR, 1, 1)
MAX_DATE = date(MAX_YEAR, 12, 31)
SAFE_URL_SCHEMES = ("https", "http")

NUL_MESSAGE = _l("The input contains a NUL character (\\0), which cannot be stored. Please "
                 "remove it and try again.")
YEAR_MESSAGE = _l("The year must be between %(min)d and %(max)d.")
DATE_MESSAGE = _l("Enter a date between %(min)s and %(max)s.")
DATE_PARAMETER_MESSAGE = _l("The address asks for a date that is not valid. Dates are written "
                            "YYYY-MM-DD (a month YYYY-MM, a week YYYY-Www), between %(min)d "
                            "and %(max)d.")


def fits_db_int(value: int) -> bool:
    """Whether ``value`` fits an ``integer`` column."""
    return MIN_DB_INT <= value <= MAX_DB_INT


def db_int(value) -> int:
    """``int(value)``, refusing (ValueError) what does not fit an ``integer`` column."""
    number = int(value)
    if not fits_db_int(number):
        raise ValueError(f"{value!r} is out of range")
    return number


def date_in_range(value: date | datetime | None) -> bool:
    """Whether a date (or the date of a date-time) lies in the allowed years."""
    if value is None:
        return True
    day = value.date() if isinstance(value, datetime) else value
    return MIN_DATE <= day <= MAX_DATE


def check_year(year: int) -> int:
    """``year`` if allowed, else ValueError."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is out of range")
    return year


def date_parameter_message() -> str:
    """The message of a 400 for a date, month or week in the query string that is refused."""
    return str(DATE_PARAMETER_MESSAGE % {"min": MIN_YEAR, "max": MAX_YEAR})


def is_safe_url(value) -> bool:
    """Whether ``value`` is an absolute ``https://`` or ``http://`` address with a host."""
    if not isinstance(value, str) or not value or value != value.strip():
        return False
    if any(ord(c) < 32 or c in "\\\x7f" for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in SAFE_URL_SCHEMES and bool(parts.hostname)


def is_https_url(value) -> bool:
    """Whether ``value`` is a safe absolute address (``is_safe_url``) over ``https://``: the
    only kind of online meeting link casework accepts and passes on."""
    return is_safe_url(value) and urlsplit(value).scheme.lower() == "https"


class BoundedIntegerConverter(IntegerConverter):
    """The ``int`` converter of the whole app: ids beyond ``integer`` do not match (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)
        floor = MIN_DB_INT if signed else 0
        self.min = floor if self.min is None else builtins.max(self.min, floor)
        self.max = MAX_DB_INT if self.max is None else builtins.min(self.max, MAX_DB_INT)


class BoundedArgs(ImmutableMultiDict):
    """Query parameters: ``get(name, type=int)`` treats an integer that does not fit the
    database like a value that is not a number (the default is returned)."""

    def get(self, key, default=None, type=None):  # noqa: A002 - Werkzeug's signature
        if type is int:
            type = db_int
        return super().get(key, default=default, type=type)


class CaseworkRequest(Request):
    """The request class of the app (see ``BoundedArgs``)."""

    parameter_storage_class = BoundedArgs


def _has_nul(values) -> bool:
    return any("\x00" in k or any("\x00" in v for v in vs) for k, vs in values.lists())


def refuse_bad_input():
    """Before every request: NUL characters anywhere and years out of range are refused."""
    if _has_nul(request.args) or any(
            isinstance(v, str) and "\x00" in v for v in (request.view_args or {}).values()):
        abort(400, description=str(NUL_MESSAGE))
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        if _has_nul(request.form):
            abort(400, description=str(NUL_MESSAGE))
    year = (request.view_args or {}).get("year")
    if isinstance(year, int):
        try:
            check_year(year)
        except ValueError:
            abort(400, description=str(YEAR_MESSAGE % {"min": MIN_YEAR, "max": MAX_YEAR}))


def init_app(app) -> None:
    """Register the converter, the request class and hook, and the template test (the body
    limits are settings: ``MAX_CONTENT_LENGTH`` in ``casework.config``).

    Must run before the blueprints are registered: their rules bind the converters then.
    """
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.request_class = CaseworkRequest
    app.before_request(refuse_bad_input)
    app.jinja_env.tests["safe_url"] = is_safe_url
