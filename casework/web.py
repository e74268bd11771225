"""The one shape of a POST that changes something, shared by every domain's views.

``post_change`` runs: load the object scoped to the user (404) → validate the form (400) → the
operation, which only flushes → refusals: 403 (not allowed), 409 (stale), 400 (refused), each
re-rendering the page with the user's input kept → one commit → redirect.

A stale change is recognised however it shows up: the operation's own version check, SQLAlchemy's
``StaleDataError`` from an autoflush inside any later query, or from the commit itself. The 409
page shows the object as it is now, with the user's input in a "not saved" panel whose hidden
``version`` is the current one, so sending it again works. ``StaleDataError`` raised anywhere
else in a request ends on the same panel through the app's error handler (``init_app``).

Create forms with a one-time token (``casework.concurrency``) store one record however often the
same form is sent: a second sending is redirected to the record the first one created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Form

from casework.access import wants_json
from casework.auth.operations import OperationRefused
from casework.cases.operations import AccessRefused
from casework.concurrency import AlreadySent, Stale, check_token, use_token, used_token
from casework.extensions import db

#: Field types whose typed text is shown editable in the "not saved" panel.
TEXT_FIELDS = {"StringField": False, "TextAreaField": True, "DateField": False,
               "DateTimeLocalField": False, "DateTimeField": False, "IntegerField": False,
               "EmailField": False, "URLField": False}
#: Never carried over: the CSRF token is the page's own, the version is the current one.
NOT_KEPT = {"csrf_token", "version"}
ALREADY_SENT = _l("This form had already been sent; nothing was stored twice. Here is what it "
                  "created.")
SENT_BY_SOMEONE_ELSE = _l("This form has already been used. Please open the page again.")


@dataclass
class KeptInput:
    """What the user sent and what was not saved, for the 409 page."""

    action: str
    version: str | None
    texts: list[tuple[str, str, str, bool]] = field(default_factory=list)  # name, label, …
    hidden: list[tuple[str, str]] = field(default_factory=list)


def kept_input_of(form: Form | None, version=None) -> KeptInput:
    """The submitted fields: typed text editable, the rest as hidden inputs, and ``version``."""
    kept = KeptInput(action=request.path, version=None if version is None else str(version))
    fields = dict(form._fields) if form is not None else {}
    for name in request.form:
        if name in NOT_KEPT:
            continue
        values = request.form.getlist(name)
        bound = fields.get(name)
        if bound is not None and bound.type in TEXT_FIELDS:
            kept.texts.append((name, str(bound.label.text), values[0] if values else "",
                               TEXT_FIELDS[bound.type]))
        elif bound is None and form is None and name != "form_token":
            kept.texts.append((name, name, values[0] if values else "", True))
        else:
            kept.hidden.extend((name, v) for v in values)
    return kept


def kept_input() -> KeptInput | None:
    """The template's access to the input kept after a 409 (None otherwise)."""
    return g.get("kept_input")


def stale_message(error, found) -> str:
    """The refusal's own message, or the stale message of the object's kind."""
    if isinstance(error, Stale):
        return str(error.message)
    return str(Stale(found).message)


def already_sent(sent: AlreadySent):
    """The answer to a form sent again: its first sending's record, with a message."""
    db.session.rollback()
    if sent.url is None:
        abort(400, description=str(SENT_BY_SOMEONE_ELSE))
    flash(str(ALREADY_SENT), "info")
    return redirect(sent.url)


def once(form, user, url_of: Callable, create: Callable):
    """Run ``create()`` unless the form's one-time token has already created something, and
    remember the token with ``url_of(created)``. Returns the created object, or raises
    ``AlreadySent`` (also when an identical post committed first, at the same moment)."""
    token = getattr(getattr(form, "form_token", None), "data", None)
    check_token(token, user)
    created = create()
    try:
        use_token(token, user, url_of(created))
    except IntegrityError as error:
        db.session.rollback()
        row = used_token(token, user)
        raise AlreadySent(row.url if row is not None and row.user_id == user.id
                          else None) from error
    return created


def post_change(load: Callable, form: Form, action: Callable, render: Callable, *,
                success_url: Callable, done=None, created_url: Callable | None = None):
    """Validate ``form``, run ``action(found, form)``, commit once, redirect.

    ``load()`` returns the object scoped to the user (or None for a page of its own);
    ``render(found, status, form_or_None)`` renders its page: with the form on a 400, without it
    on a 409 (the input is then in the "not saved" panel and every form on the page is fresh,
    made from the current version). ``success_url(found, result)`` is where to go after the
    commit; ``done`` is the success message, or a function of the result giving it. With
    ``created_url(result)`` the form's one-time token is used: the same form sent twice creates
    one record.
    """
    found = load()
    as_json = wants_json()  # an autosave (static/autosave.js) or another JSON client
    if not form.validate():
        if as_json:
            return jsonify({"errors": form.errors}), 400
        return render(found, 400, form)
    if "version" in form and form.version.data is None:
        form.version.data = ""  # an empty version is refused, never "no check"
    user = current_user._get_current_object()
    try:
        if created_url is not None:
            result = once(form, user, created_url, lambda: action(found, form))
        else:
            result = action(found, form)
        db.session.commit()
    except AlreadySent as sent:
        db.session.rollback()
        return already_sent(sent)
    except (Stale, StaleDataError) as error:
        db.session.rollback()
        if as_json:
            current = load()
            return jsonify({"error": stale_message(error, current),
                            "version": getattr(current, "version", None)}), 409
        return stale_page(load, render, form, error)
    except OperationRefused as refused:
        db.session.rollback()
        if isinstance(refused, AccessRefused):
            abort(403)
        if as_json:
            return jsonify({"error": str(refused.message)}), 400
        flash(str(refused.message), "error")
        return render(load(), 400, form)
    if as_json:
        return jsonify({"saved": True, "version": getattr(load(), "version", None)})
    message = done(result) if callable(done) else done
    flash(message or _("Saved."), "success")
    return redirect(success_url(found, result))


def stale_page(load: Callable, render: Callable, form: Form, error):
    """The 409 page: the object as it is now, the user's input kept with the current version."""
    found = load()
    version = getattr(found, "version", None)
    if "version" in form:
        form.version.data = None if version is None else str(version)
    g.kept_input = kept_input_of(form, version)
    flash(stale_message(error, found), "error")
    return render(found, 409, None)


def init_app(app) -> None:
    """The template's ``kept_input()`` and the final safety net for ``StaleDataError``."""
    app.add_template_global(kept_input)

    @app.errorhandler(StaleDataError)
    def stale_anywhere(error):
        # A handler that does not go through post_change: the change is lost, the input is not.
        db.session.rollback()
        g.kept_input = kept_input_of(None)
        back = request.referrer if (request.referrer or "").startswith(request.host_url) \
            else url_for("main.index")
        return render_template("errors/stale.html", message=str(Stale().message),
                               back=back), 409
