"""Issue 11.5 in a real browser: minutes typed on the meeting page survive adding a decision
(the page saves them before the other form is sent), and the autosave keeps them."""

import pytest
from sqlalchemy import select

from casework.auth.models import User
from casework.demo import DEFAULT_DEMO_PASSWORD, demo_email
from casework.extensions import db
from casework.groups.models import CooperationGroup, Meeting

pytestmark = pytest.mark.browser


def _held_meeting_of(app, email) -> int:
    """A meeting of a group the user leads, held an hour ago, with no minutes yet."""
    from datetime import UTC, datetime, timedelta

    from casework.groups import operations as ops

    with app.app_context():
        lead = db.session.scalar(select(User).where(User.email == email))
        group = db.session.scalar(select(CooperationGroup).where(
            CooperationGroup.lead_id == lead.id).order_by(CooperationGroup.id))
        starts = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
        meeting = ops.plan_meeting(lead, group, starts_at=starts,
                                   ends_at=starts + timedelta(hours=1), invite_ids=[lead.id])
        ops.add_agenda_item(lead, meeting, kind="goal", text="Vienoties par nākamajiem soļiem")
        ops.record_attendance(lead, meeting, {lead.id: "attended"})
        ops.mark_held(lead, meeting)
        db.session.commit()
        return meeting.id


def _login(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.get_by_label("E-pasts").fill(email)
    page.get_by_label("Parole").fill(DEFAULT_DEMO_PASSWORD)
    page.get_by_role("button", name="Pieslēgties").click()
    page.wait_for_url(f"{live_server}/")


@pytest.mark.parametrize("role", ["case_manager", "coordinator"])
def test_typed_minutes_are_still_there_after_adding_a_decision(app, page, live_server, role):
    email = demo_email(role)
    meeting_id = _held_meeting_of(app, email)
    _login(page, live_server, email)
    page.goto(f"{live_server}/meetings/{meeting_id}")
    minutes = page.locator("form[data-autosave] textarea[name=minutes]")
    typed = "Apsprieda drošības plānu; skola ziņos par apmeklējumu katru piektdienu."
    minutes.fill(typed)
    # Add a decision right away, before the autosave's pause has passed.
    page.locator("details:has(form[action$='/decisions']) > summary").first.click()
    decision = page.locator("form[action$='/decisions']")
    decision.locator("textarea[name=text]").fill("Sociālais dienests sagatavo atbalsta plānu")
    with page.expect_navigation():
        decision.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("textarea[name=minutes]").input_value() == typed
    assert "Sociālais dienests sagatavo atbalsta plānu" in page.content()
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).minutes == typed
