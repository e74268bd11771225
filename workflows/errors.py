"""The one error a workflow raises when it refuses a trigger.

Pages, API, CLI and scheduler all catch `WorkflowError` and show `message(locale)`: the Latvian
text by default, the English one for English users and logs. `code` is a stable,
machine-readable id of the unmet condition (for example ``"case_manager_required"``) so that the
API can return it and tests can assert on it without matching prose.
"""

from __future__ import annotations


class WorkflowError(Exception):
    """A transition that the workflow does not allow now, naming the unmet condition."""

    def __init__(
        self,
        code: str,
        message_lv: str,
        message_en: str,
        *,
        trigger: str | None = None,
        state: str | None = None,
    ) -> None:
        super().__init__(message_lv)
        self.code = code
        self.message_lv = message_lv
        self.message_en = message_en
        self.trigger = trigger
        self.state = state

    def message(self, locale: str | None = "lv") -> str:
        """Return the message for `locale` ("lv" or "en", region suffixes allowed); Latvian
        otherwise, because Latvian is the language of the service."""
        if locale and locale.lower().startswith("en"):
            return self.message_en
        return self.message_lv

    def __str__(self) -> str:
        return self.message_lv

    def __repr__(self) -> str:
        return f"WorkflowError({self.code!r}, trigger={self.trigger!r}, state={self.state!r})"
