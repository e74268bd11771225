"""Forms of the annual report: section D (with the version it was loaded at), lifecycle steps
with an optional comment, and the bare CSRF form of buttons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from casework.forms import MAX_NARRATIVE, BaseForm


class NarrativeForm(BaseForm):
    """Section D; ``version`` makes a stale save (another tab, an autosave) a 409."""

    challenges = TextAreaField(_l("Challenges"), validators=[Optional(),
                                                             Length(max=MAX_NARRATIVE)])
    directions = TextAreaField(_l("Directions"), validators=[Optional(),
                                                             Length(max=MAX_NARRATIVE)])
    conclusions = TextAreaField(_l("Conclusions for improving the work"),
                                validators=[Optional(), Length(max=MAX_NARRATIVE)])
    state_proposals = TextAreaField(_l("Proposals at state level"),
                                    validators=[Optional(), Length(max=MAX_NARRATIVE)])
    version = HiddenField()  # empty: refused as stale (409), like every form


class TransitionForm(BaseForm):
    """A lifecycle step; the comment is required by the workflow where it matters."""

    trigger = HiddenField(validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])
    version = HiddenField()


class ButtonForm(BaseForm):
    """A button that only needs the CSRF token."""
