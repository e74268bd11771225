"""Forms of the calendars domain."""

from __future__ import annotations

from casework.forms import BaseForm


class FeedForm(BaseForm):
    """Create, rotate or revoke the personal feed (the button pressed says which); the form
    carries only the CSRF token."""
