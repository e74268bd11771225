"""A real browser: the idle-timeout warning appears and "stay signed in" extends the session."""

import pytest
from sqlalchemy import select

from casework.auth.models import UserSession
from casework.demo import DEFAULT_DEMO_PASSWORD, demo_email
from casework.extensions import db

pytestmark = pytest.mark.browser


def _last_seen(app):
    with app.app_context():
        return db.session.scalar(select(UserSession.last_seen_at)
                                 .where(UserSession.ended_at.is_(None)))


def test_idle_warning_appears_and_stay_signed_in_extends_the_session(app, page, live_server):
    # Warn 3 seconds into the 30 minutes, so that the test need not wait 25 minutes.
    app.config["SESSION_WARNING_MINUTES"] = 29.95
    try:
        page.goto(f"{live_server}/login")
        page.get_by_label("E-pasts").fill(demo_email("case_manager"))
        page.get_by_label("Parole").fill(DEFAULT_DEMO_PASSWORD)
        page.get_by_role("button", name="Pieslēgties").click()
        page.wait_for_url(f"{live_server}/")
        warning = page.locator("#session-warning")
        assert warning.is_hidden()
        warning.wait_for(state="visible", timeout=15000)
        assert "Bez darbības sesija beigsies pēc" in warning.inner_text()
        before = _last_seen(app)
        with page.expect_response(lambda r: r.url.endswith("/session/keep-alive")) as info:
            page.get_by_role("button", name="Palikt pieslēgtam").click()
        assert info.value.status == 200
        warning.wait_for(state="hidden", timeout=5000)
        assert _last_seen(app) > before
    finally:
        app.config["SESSION_WARNING_MINUTES"] = 5


def test_typing_in_a_long_text_counts_as_activity(app, page, live_server):
    app.config["SESSION_IDLE_MINUTES"] = 0.2  # typing pings at most every 6 seconds
    app.config["SESSION_WARNING_MINUTES"] = 0.02
    try:
        page.goto(f"{live_server}/login")
        page.get_by_label("E-pasts").fill(demo_email("case_manager"))
        page.get_by_label("Parole").fill(DEFAULT_DEMO_PASSWORD)
        page.get_by_role("button", name="Pieslēgties").click()
        page.wait_for_url(f"{live_server}/")
        page.goto(f"{live_server}/cases")
        page.locator("table.data tbody a").first.click()
        page.wait_for_load_state()
        page.locator("details:has(textarea[name=text]) > summary").click()
        note = page.locator("textarea[name=text]")
        with page.expect_response(lambda r: r.url.endswith("/session/keep-alive"),
                                  timeout=15000) as info:
            for _ in range(12):
                note.press_sequentially("Protokols ", delay=50)
                page.wait_for_timeout(500)
        assert info.value.status == 200
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 30
        app.config["SESSION_WARNING_MINUTES"] = 5
