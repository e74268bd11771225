"""Pages of the notifications domain (routes only: load, check access, call the service, render).

Every page shows the signed-in user's own notifications only.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from casework import listing
from casework.extensions import db
from casework.notifications import operations as ops
from casework.notifications import queries
from casework.notifications.forms import NotificationSettingsForm
from casework.notifications.mail import failed_emails
from casework.notifications.models import Notification

bp = Blueprint("notifications", __name__)


@bp.route("/notifications")
@login_required
def notifications():
    """The user's notifications, newest first, unread ones marked."""
    wanted = request.args.get("state")
    state = listing.read_list(queries.NOTIFICATION_LIST, request.args,
                              {"state": wanted if wanted in ("unread", "read") else None})
    page = listing.paginate(db, queries.my_notifications(current_user, **state.filters), state)
    return render_template("notifications/list.html", notifications=page.items, page=page,
                           state=state, unread=queries.unread_count(current_user),
                           safe_link=queries.safe_link)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id: int):
    """Mark one notification read (only one's own: anyone else's is not found)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    ops.mark_read(current_user, notification_id)
    db.session.commit()
    return redirect(url_for("notifications.notifications"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def mark_all_read():
    """Mark every notification of the user read."""
    count = ops.mark_all_read(current_user)
    db.session.commit()
    flash(_("%(count)s notifications marked read.", count=count), "success")
    return redirect(url_for("notifications.notifications"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Immediate e-mails or one daily digest."""
    form = NotificationSettingsForm(notify_by=current_user.notify_by)
    if form.validate_on_submit():
        ops.set_notify_by(current_user._get_current_object(), form.notify_by.data)
        db.session.commit()
        flash(_("Notification settings saved."), "success")
        return redirect(url_for("notifications.settings"))
    status = 400 if form.is_submitted() else 200
    return _settings_page(form), status


def _settings_page(form):
    me = current_user._get_current_object()
    own = db.session.scalars(failed_emails(ops.failed_email_scope(me, "own"))).all()
    municipality_ids = ops.failed_email_scope(me, "municipality")
    municipality_failed = None
    if municipality_ids is not None:
        municipality_failed = len(db.session.scalars(failed_emails(municipality_ids)).all())
    return render_template("notifications/settings.html", form=form, failed=own,
                           municipality_failed=municipality_failed)


@bp.route("/notifications/emails/requeue", methods=["POST"])
@login_required
def requeue_emails():
    """Send the e-mails given up after the last retry again: one's own, or (administrator)
    those of every user of the municipality."""
    scope = request.form.get("scope", "own")
    if ops.failed_email_scope(current_user, scope) is None:
        abort(404)
    count = ops.requeue_failed_emails(current_user._get_current_object(), scope)
    db.session.commit()
    flash(_("%(count)s e-mails queued to be sent again.", count=count), "success")
    return redirect(url_for("notifications.settings"))
