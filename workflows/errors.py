"""The one error a workflow raises when it refuses a trigger.

Pages, API, CLI and scheduler all catch `WorkflowError` and show `message(locale)`: the Latvian
text by default, the English one for English users and logs, any other language its catalog
has. The message is a catalog text (`workflows.labels.L_`, context ``"refusal"``) whose
``{placeholders}`` are filled *after* translation, from `params`; a parameter that is itself a
catalog label (the name of an action or a status) is shown in the same language. `code` is a
stable, machine-readable id of the unmet condition (for example ``"case_manager_required"``) so
that the API can return it and tests can assert on it without matching prose.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from workflows.labels import DEFAULT_LOCALE, Label, language


class WorkflowError(Exception):
    """A transition that the workflow does not allow now, naming the unmet condition."""

    def __init__(
        self,
        code: str,
        text: Label,
        *,
        params: Mapping[str, Any] | None = None,
        trigger: str | None = None,
        state: str | None = None,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.text = text
        self.params = dict(params or {})
        self.trigger = trigger
        self.state = state

    def message(self, locale: str | None = DEFAULT_LOCALE) -> str:
        """The message in the language of `locale` ("lv", "en", region suffixes allowed);
        Latvian, the language of the service, when `locale` is None; the English message id
        for a language without a catalog, as for every label of the workflows."""
        return render(self.text, self.params, locale)

    def __str__(self) -> str:
        return self.message(DEFAULT_LOCALE)

    def __repr__(self) -> str:
        return f"WorkflowError({self.code!r}, trigger={self.trigger!r}, state={self.state!r})"


def placeholders(text: str) -> set[str]:
    """The names of the ``{placeholders}`` of `text` ("{facts.count}" → "facts")."""
    names = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return names
    for _literal, field, _spec, _conversion in parsed:
        if field:
            names.add(field.split(".", 1)[0].split("[", 1)[0])
    return names


def render(text: Label, params: Mapping[str, Any], locale: str | None) -> str:
    """`text` translated into the language of `locale`, then its placeholders filled."""
    lang = language(locale)
    values = {k: v[lang] if isinstance(v, Label) else v for k, v in params.items()}
    translated = text[lang]
    # A message must never fail to render because a translation misspelt a placeholder.
    try:
        return translated.format_map(values)
    except (KeyError, IndexError, ValueError, AttributeError):
        return translated
