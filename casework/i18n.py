"""Languages (Latvian by default, English second) and dates shown in Europe/Riga time."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, has_request_context, session
from flask_babel import format_datetime, get_locale, to_user_timezone
from flask_login import current_user

from casework.extensions import babel
from workflows import pick_label


def select_locale() -> str:
    """The session's choice, then the user's saved choice, then Latvian."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and scheduler: Latvian
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Everyone works in Latvian time."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


#: Patterns of the ``dt`` and ``d`` filters that are digits only, the same in every language:
#: written with ``strftime`` in Latvian time rather than through Babel's pattern formatter
#: (a tenth of the cost; a calendar or a list writes hundreds of them).
_NUMERIC = {"dd.MM.yyyy HH:mm": "%d.%m.%Y %H:%M", "dd.MM.yyyy": "%d.%m.%Y", "HH:mm": "%H:%M"}


def _datetime_filter(value: datetime | None, fmt: str = "short") -> str:
    if value is None:
        return "—"
    pattern = "dd.MM.yyyy HH:mm" if fmt == "short" else fmt
    if pattern in _NUMERIC:
        return to_user_timezone(value).strftime(_NUMERIC[pattern])
    return format_datetime(value, pattern)


def _date_filter(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return to_user_timezone(value).strftime(_NUMERIC["dd.MM.yyyy"])
    return value.strftime(_NUMERIC["dd.MM.yyyy"])


def init_app(app) -> None:
    """Bind Flask-Babel and the template filters."""
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters["dt"] = _datetime_filter
    app.jinja_env.filters["d"] = _date_filter
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.globals["label"] = lambda labels: pick_label(labels, str(get_locale()))
    app.jinja_env.policies["ext.i18n.trimmed"] = True
