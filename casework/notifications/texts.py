"""Notification texts rendered in the reader's language.

A notification stores the English message id and its parameters (``Notification.params``),
not a finished sentence: the text is rendered when it is read or e-mailed, in the reader's
language. ``deferred("Case %(number)s has turned red.", number=...)`` is what a caller passes
to ``notify``; the extractor knows ``deferred`` as a keyword, so the message is in the catalog.
Parameters are plain strings and numbers (case numbers, dd.mm.yyyy dates), never a name,
or another deferred message (rendered in the same language).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import force_locale, gettext


@dataclass(frozen=True)
class Deferred:
    """A message id with its parameters, rendered later in the reader's language."""

    msgid: str
    params: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"msgid": self.msgid, "args": dict(self.params)}

    def render(self, locale: str | None = None) -> str:
        return render(self.as_json(), locale)


def N_(msgid: str) -> str:  # noqa: N802 - the extractor's usual name for a no-op marker
    """Mark ``msgid`` for the catalog where it is only stored (rendered later)."""
    return msgid


def deferred(msgid: str, **params) -> Deferred:
    """The message ``msgid`` with ``params``; dates should be given already as dd.mm.yyyy."""
    def _clean(value):
        if isinstance(value, Deferred):
            return value.as_json()  # a part rendered in the reader's language too
        return value if isinstance(value, int | float) else str(value)

    return Deferred(msgid, {k: _clean(v) for k, v in params.items()})


def render(stored: dict | None, locale: str | None = None, fallback: str = "") -> str:
    """The text of a stored message in ``locale`` (the current one when None)."""
    if not stored or not stored.get("msgid"):
        return fallback
    def _text() -> str:
        args = {k: render(v) if isinstance(v, dict) else v
                for k, v in (stored.get("args") or {}).items()}
        try:
            return gettext(stored["msgid"], **args)
        except (KeyError, ValueError, TypeError):
            # A message changed since it was stored: show the stored text rather than fail.
            return fallback or stored["msgid"]

    if locale is None:
        return _text()
    with force_locale(locale):
        return _text()
