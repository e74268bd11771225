"""The words of the workflows (states, actions, reasons), kept in the Babel catalog.

Each label is an English message id with a context (``msgctxt``: the same English word may need
different Latvian forms, "cancelled" is *atcelts* for a task and *atcelta* for a meeting). The
translations live in ``casework/translations/<locale>/LC_MESSAGES/messages.po`` with every other
text of the interface, so a third language is only a catalog. The workflows stay free of Flask:
the catalog is read with Babel directly, and a label is looked up by locale
(``label["lv"]``, ``label["en"]``) as the former ``{"lv": ..., "en": ...}`` dictionaries were.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

CATALOG_DIR = Path(__file__).resolve().parent.parent / "casework" / "translations"
#: The language of the message ids; it needs no catalog.
SOURCE_LOCALE = "en"
#: The language of the service, used when no locale is given.
DEFAULT_LOCALE = "lv"
LOCALES = ("lv", "en")


def language(locale: object | None) -> str:
    """The language part of ``locale`` ("lv", "en", "en_GB" → "en"), Latvian by default."""
    text = str(locale or DEFAULT_LOCALE).replace("-", "_")
    return text.split("_", 1)[0].lower() or DEFAULT_LOCALE


@lru_cache(maxsize=16)
def translations(lang: str) -> NullTranslations:
    """The compiled catalog of ``lang`` (the message ids themselves for English)."""
    if lang == SOURCE_LOCALE:
        return NullTranslations()
    return Translations.load(str(CATALOG_DIR), [lang], domain="messages")


def translate(context: str | None, msgid: str, locale: object | None = None) -> str:
    """``msgid`` (with ``context``) in the language of ``locale``."""
    catalog = translations(language(locale))
    return catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)


class Label(Mapping):
    """A catalog text of a workflow, read by locale like a ``{"lv": .., "en": ..}`` mapping."""

    __slots__ = ("context", "msgid")

    def __init__(self, context: str | None, msgid: str) -> None:
        self.context = context
        self.msgid = msgid

    def __getitem__(self, locale: str) -> str:
        return translate(self.context, self.msgid, locale)

    def __iter__(self) -> Iterator[str]:
        return iter(LOCALES)

    def __len__(self) -> int:
        return len(LOCALES)

    def __str__(self) -> str:
        return self[_current_locale()]

    def __repr__(self) -> str:
        return f"L_({self.context!r}, {self.msgid!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Label):
            return (self.context, self.msgid) == (other.context, other.msgid)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.context, self.msgid))


def L_(context: str, msgid: str) -> Label:  # noqa: N802 - the gettext-style marker name
    """Mark ``msgid`` for the catalog (``pybabel extract -k L_:1c,2``) and return its label."""
    return Label(context, msgid)


def _current_locale() -> str:
    """The locale of the current request or ``force_locale`` block (Flask-Babel), else Latvian."""
    try:
        from flask import has_app_context
        from flask_babel import get_locale
    except ImportError:  # pragma: no cover - the workflows may run without Flask
        return DEFAULT_LOCALE
    if not has_app_context():
        return DEFAULT_LOCALE
    return str(get_locale() or DEFAULT_LOCALE)
