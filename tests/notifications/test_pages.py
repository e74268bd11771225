"""The notification pages: the header count, the list, marking read, the e-mail setting."""

import re

from casework.extensions import db
from casework.notifications.models import Notification
from casework.notifications.operations import notify
from tests.jobs.conftest import notifications


def _notify(user, key, text="Lietas 2026/0001 pārskatīšana", link="/cases/1"):
    notify(user.id, "review_due", text, link, key)
    db.session.commit()


def test_header_shows_the_unread_count_with_an_accessible_label(client, login_as):
    user = login_as("case_manager")
    _notify(user, "a")
    _notify(user, "b")
    html = client.get("/").get_data(as_text=True)
    link = re.search(r'<a href="/notifications"[^>]*aria-label="[^"]*2[^"]*"[^>]*>[^<]*\(2\)</a>',
                     html)
    assert link, html[:2000]


def test_list_shows_only_the_users_own_notifications_newest_first(client, login_as, make_user):
    other = make_user("case_manager")
    user = login_as("case_manager")
    _notify(user, "a", "Lietas 2026/0001 pārskatīšana")
    _notify(user, "b", "Lietas 2026/0002 uzdevums", "/cases/2")
    _notify(other, "c", "Lietas 2026/0009 svešs")
    html = client.get("/notifications").get_data(as_text=True)
    assert "2026/0009" not in html
    assert html.index("2026/0002") < html.index("2026/0001")
    assert 'href="/cases/2"' in html


def test_a_notification_link_must_be_local(client, login_as):
    user = login_as("case_manager")
    _notify(user, "a", "Lietas 2026/0001", "//evil.example/x")
    html = client.get("/notifications").get_data(as_text=True)
    assert "evil.example" not in html
    assert "2026/0001" in html


def test_marking_one_read_and_all_read(client, login_as):
    user = login_as("case_manager")
    _notify(user, "a")
    _notify(user, "b")
    first, second = notifications()
    response = client.post_form(f"/notifications/{first.id}/read", token_from="/notifications")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, first.id).read_at is not None
    assert db.session.get(Notification, second.id).read_at is None
    client.post_form("/notifications/read-all", token_from="/notifications")
    db.session.expire_all()
    assert all(n.read_at is not None for n in notifications())
    assert "(0)" in client.get("/notifications").get_data(as_text=True)


def test_nobody_marks_another_users_notification(client, login_as, make_user):
    other = make_user("case_manager")
    _notify(other, "x")
    login_as("case_manager")
    note = notifications()[0]
    response = client.post_form(f"/notifications/{note.id}/read", token_from="/notifications")
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is None


def test_choosing_the_daily_digest_moves_unsent_e_mails_to_it(client, login_as):
    user = login_as("case_manager")
    _notify(user, "a")
    response = client.post_form("/notifications/settings", {"notify_by": "digest"},
                                token_from="/notifications/settings")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(user), user.id).notify_by == "digest"
    assert notifications()[0].email_state == "digest"
    _notify(user, "b")
    assert notifications()[1].email_state == "digest"


def test_settings_refuse_an_unknown_choice(client, login_as):
    login_as("case_manager")
    response = client.post_form("/notifications/settings", {"notify_by": "hourly"},
                                token_from="/notifications/settings")
    assert response.status_code == 400


def test_notification_pages_need_a_login(client):
    assert client.get("/notifications").status_code == 302
    assert client.get("/notifications/settings").status_code == 302
