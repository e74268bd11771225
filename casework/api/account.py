"""The user's own page of personal API tokens: create (the secret is shown once), list, revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from casework.access import role_required
from casework.api import tokens
from casework.auth.models import API_ROLES
from casework.auth.operations import OperationRefused
from casework.extensions import db
from casework.forms import BaseForm

bp = Blueprint("api_tokens", __name__)


class TokenForm(BaseForm):
    """A new token: a name to recognise it by, its scope and how long it lives."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    scope = RadioField(_l("Scope"), default="read", choices=[
        SelectChoice("read", _l("Read only")), SelectChoice("write", _l("Read and change"))])
    days = SelectField(_l("Valid for"), coerce=int, default=90, choices=[
        SelectChoice(d, _l("%(days)s days", days=d)) for d in tokens.LIFETIMES])


def _me():
    return current_user._get_current_object()


def _render(form, status=200, secret=None):
    rows = db.session.scalars(tokens.tokens_of(_me())).all()
    return render_template("api/tokens.html", form=form, tokens=rows, secret=secret,
                           now=tokens.utcnow()), status


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@role_required(*API_ROLES)
def api_tokens():
    """The user's tokens; a POST creates one and shows its secret once."""
    form = TokenForm()
    if request.method == "POST":
        if not form.validate():
            return _render(form, 400)
        try:
            _token, secret = tokens.create_token(_me(), name=form.name.data,
                                                 scope=form.scope.data, days=form.days.data)
        except OperationRefused as refused:
            db.session.rollback()
            form.name.errors = [str(refused.message)]
            return _render(form, 400)
        db.session.commit()
        flash(_("The token has been created. Copy it now: it is not shown again."), "success")
        return _render(TokenForm(formdata=None), 200, secret=secret)
    return _render(form)


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
@role_required(*API_ROLES)
def revoke(token_id: int):
    """Revoke one of the user's tokens (someone else's is not found)."""
    found = tokens.get_own_token(_me(), token_id)
    if found is None:
        abort(404)
    if tokens.revoke_token(_me(), found):
        db.session.commit()
        flash(_("The token has been revoked."), "success")
    return redirect(url_for(".api_tokens"))
