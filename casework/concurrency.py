"""Two people changing the same object at once, and one person sending a form twice.

* Every versioned model (``version_id_col``) is checked the same way: ``check_version`` compares
  the version the form was made from with the current one, ``flush`` turns SQLAlchemy's
  ``StaleDataError`` (the ``UPDATE ... WHERE version=`` that matched no row) into ``Stale``.
  ``Stale`` is the one stale error of every domain; the request maps it to 409.
* Create forms carry a one-time token (``OneTimeTokenField``); ``UsedFormToken`` remembers the
  tokens that created something, with the page of what they created. The row is inserted in the
  same transaction as the record, and the token is the primary key, so two identical posts at
  the same moment store one record: the second insert waits for the first to commit and fails.

Nothing here commits.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField

from casework.auth.operations import OperationRefused
from casework.db_types import UTCDateTime, utcnow
from casework.extensions import db

#: What the user is told, by the kind of object that changed under them.
STALE_MESSAGES = {
    "Case": _l("Someone else changed this case while you were editing it. Your input is kept "
               "below: check the current state of the case and submit again."),
    "Task": _l("Someone else changed this task while you were editing it. Your input is kept "
               "below: check the current state of the task and submit again."),
    "Decision": _l("Someone else changed this decision while you were editing it. Your input "
                   "is kept below: check the current state of the decision and submit again."),
    "Meeting": _l("Someone else changed this meeting while you were editing it. Your input is "
                  "kept below: check the current state of the meeting and submit again."),
    "AnnualReport": _l("Someone else saved this report while you were editing it. Your text is "
                       "kept below: compare it with the saved version and save again."),
}
STALE_DEFAULT = _l("Someone else changed this while you were editing it. Your input is kept "
                   "below: check the current state and submit again.")
NO_VERSION = _l("The form did not say which version it was made from. Your input is kept "
                "below: check the current state and submit again.")


class Stale(OperationRefused):
    """The object changed since the form was opened (or the form named no version): 409."""

    def __init__(self, obj=None, *, missing: bool = False):
        if missing:
            message = NO_VERSION
        else:
            message = STALE_MESSAGES.get(type(obj).__name__, STALE_DEFAULT)
        super().__init__(message)
        self.obj = obj


def check_version(obj, expected_version) -> None:
    """Refuse a change made from another version of ``obj``.

    ``None`` means the caller is not a form (a job, the demo, a test) and checks nothing. A form
    always sends its version: an empty one is refused like a stale one, on every form, so that a
    page that lost its hidden field cannot overwrite someone else's change.
    """
    if expected_version is None:
        return
    if str(expected_version).strip() == "":
        raise Stale(obj, missing=True)
    if str(expected_version).strip() != str(obj.version):
        raise Stale(obj)


def flush(obj=None) -> None:
    """Flush; an UPDATE that found another version of a row is ``Stale``."""
    try:
        db.session.flush()
    except StaleDataError as error:
        raise Stale(obj) from error


# -- one-time tokens of create forms ----------------------------------------------------------
class OneTimeTokenField(HiddenField):
    """A hidden field that gets a fresh random token when the form is rendered empty."""

    def _value(self):
        if not self.data:
            self.data = secrets.token_urlsafe(24)
        return self.data

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = self.data.strip()[:64] or None


class UsedFormToken(db.Model):
    """A create form's token that has created something, and the page of what it created."""

    __tablename__ = "used_form_token"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    url: Mapped[str] = mapped_column(String(300))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<UsedFormToken {self.token[:8]}… user {self.user_id} → {self.url}>"


class AlreadySent(Exception):
    """The form's token has already created a record (``url`` is its page, or None when the
    token was used by someone else)."""

    def __init__(self, url: str | None):
        super().__init__(url)
        self.url = url


def used_token(token: str | None, user) -> UsedFormToken | None:
    """The row of a token that has already created something."""
    if not token:
        return None
    return db.session.get(UsedFormToken, token)


def check_token(token: str | None, user) -> None:
    """Raise ``AlreadySent`` if ``token`` has already created something."""
    row = used_token(token, user)
    if row is not None:
        raise AlreadySent(row.url if row.user_id == user.id else None)


def use_token(token: str | None, user, url: str) -> None:
    """Remember that ``token`` created the record at ``url`` (same transaction as the record).

    A form without a token (an old page, a script) is not protected: there is nothing to
    recognise its second sending by.
    """
    if not token:
        return
    db.session.add(UsedFormToken(token=token, user_id=user.id, url=url, used_at=utcnow()))
    db.session.flush()
