"""Pages of the calendars domain (routes only: load, check access, call the service, render).

``/calendar`` (month), ``/calendar/week``, ``/meetings/<id>.ics``, the feed settings page and the
feed itself, ``/calendar/feed/<token>.ics``, which needs no login: the secret token is the key,
and the meetings are those its owner may see at the moment of the request.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_login import current_user

from casework.access import role_required
from casework.audit.operations import record
from casework.auth.models import WORKING_ROLES
from casework.auth.operations import OperationRefused
from casework.calendars import ics, operations, queries
from casework.calendars.forms import FeedForm
from casework.db_types import utcnow
from casework.extensions import db
from casework.groups.queries import get_meeting_or_404
from casework.inputs import date_parameter_message
from workflows.policy import local_date

bp = Blueprint("calendars", __name__)


@bp.app_template_test("meeting_link")
def _is_meeting_link(value) -> bool:
    """Whether an online meeting link may be shown as a link (``https://`` only)."""
    return ics.meeting_link(value) is not None


def meeting_page_url(meeting, external: bool = False) -> str:
    """The meeting's page."""
    return url_for("groups.meeting", meeting_id=meeting.id, _external=external)


def _ics_url_of(meeting) -> str:
    """For a calendar entry: the meeting page."""
    return meeting_page_url(meeting, external=True)


def _today() -> date:
    return local_date(utcnow())


def _weekday_names(monday: date) -> list[str]:
    return [format_date(monday + timedelta(days=i), "EEEE") for i in range(7)]


def _include_cancelled() -> bool:
    return request.args.get("cancelled") == "1"


@bp.route("/calendar")
@role_required(*WORKING_ROLES)
def month():
    """The month view of the meetings the user may see (``?month=2026-11``)."""
    today = _today()
    try:
        year, month_no = queries.parse_month(request.args.get("month"), today)
    except ValueError:
        abort(400, description=date_parameter_message())
    first = date(year, month_no, 1)
    previous = (first - timedelta(days=1)).strftime("%Y-%m")
    following = (first + timedelta(days=32)).strftime("%Y-%m")
    weeks = queries.month_grid(current_user, year, month_no, today=today,
                               include_cancelled=_include_cancelled())
    return render_template(
        "calendars/month.html", weeks=weeks, month_title=format_date(first, "LLLL yyyy"),
        previous=previous,
        following=following, month_param=first.strftime("%Y-%m"),
        weekday_names=_weekday_names(weeks[0][0].date), include_cancelled=_include_cancelled(),
        meeting_url=meeting_page_url, iso_week=queries.iso_week)


@bp.route("/calendar/week")
@role_required(*WORKING_ROLES)
def week():
    """The week view (``?week=2026-W48`` or ``?day=2026-11-25``)."""
    today = _today()
    try:
        monday = queries.parse_week(request.args.get("week"), request.args.get("day"), today)
    except ValueError:
        abort(400, description=date_parameter_message())
    days = queries.week_days(current_user, monday, today=today,
                             include_cancelled=_include_cancelled())
    return render_template(
        "calendars/week.html", days=days, monday=monday, sunday=monday + timedelta(days=6),
        week_param=queries.iso_week(monday),
        previous=queries.iso_week(monday - timedelta(days=7)),
        following=queries.iso_week(monday + timedelta(days=7)),
        weekday_names=_weekday_names(monday), include_cancelled=_include_cancelled(),
        meeting_url=meeting_page_url)


def _ics_response(body: bytes, filename: str) -> Response:
    response = Response(body, status=200)
    response.headers["Content-Type"] = ics.CONTENT_TYPE
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Never kept by a shared cache: the feed URL is personal.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/meetings/<int:meeting_id>.ics")
@role_required(*WORKING_ROLES)
def meeting_ics(meeting_id: int):
    """One meeting as an .ics file; 404 unless the user may see the meeting."""
    meeting = get_meeting_or_404(meeting_id, current_user)
    body = ics.calendar_of([meeting], _ics_url_of)
    record("meeting_calendar_exported", meeting, user=current_user._get_current_object(),
           municipality_id=meeting.group.municipality_id)
    db.session.commit()
    return _ics_response(body, f"meeting-{meeting.id}.ics")


@bp.route("/calendar/feed", methods=["GET", "POST"])
@role_required(*WORKING_ROLES)
def feed():
    """Create, rotate or revoke the personal feed and show its URL."""
    me = current_user._get_current_object()
    form = FeedForm()
    if form.validate_on_submit():
        action = request.form.get("action")
        try:
            if action == "revoke":
                if operations.revoke_feed(me):
                    flash(_("The calendar feed was revoked; its address no longer works."),
                          "success")
            else:
                rotated = operations.feed_of(me) is not None
                operations.create_or_rotate_feed(me)
                flash(_("A new address was made; the old one no longer works.") if rotated
                      else _("Your calendar feed is ready."), "success")
        except OperationRefused as refusal:
            db.session.rollback()
            flash(str(refusal), "error")
            return redirect(url_for("calendars.feed"))
        db.session.commit()
        return redirect(url_for("calendars.feed"))
    current = operations.feed_of(me)
    url = (url_for("calendars.feed_ics", token=current.token, _external=True)
           if current else None)
    return render_template("calendars/feed.html", form=form, feed=current, feed_url=url,
                           webcal_url=webcal(url) if url else None)


def webcal(url: str) -> str:
    """The feed's address for "subscribe" links: ``webcal://`` opens the calendar app, which
    fetches it over https (or http where the app itself runs without TLS)."""
    return "webcal://" + url.split("://", 1)[1]


@bp.route("/calendar/feed/<token>.ics")
def feed_ics(token: str):
    """The personal feed: no login, the token is the key; unknown, revoked or rotated tokens
    and inactive owners get 404."""
    now = utcnow()
    owner = operations.feed_owner(token, now)
    if owner is None:
        abort(404)
    with force_locale(owner.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        meetings = queries.feed_meetings(owner, now)
        body = ics.calendar_of(meetings, _ics_url_of,
                               name=_("casework meetings"), feed=True)
    db.session.commit()
    return _ics_response(body, "casework.ics")
