"""Issue 18.5 in a real browser: at a 390 px wide phone screen the pages are no wider than the
screen, wide tables scroll in their own keyboard-reachable box, and the menu button opens and
closes the menu. Issue 18.1/18.2: the error summary takes the focus; triage fields follow the
chosen outcome."""

import pytest
from sqlalchemy import select

from casework.auth.models import User
from casework.cases.models import Case, Referral
from casework.demo import DEFAULT_DEMO_PASSWORD, demo_email
from casework.extensions import db
from casework.groups.models import Meeting

pytestmark = pytest.mark.browser

WIDTH = 390


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="lv-LV", viewport={"width": WIDTH, "height": 844})
    page = context.new_page()
    yield page
    context.close()


def _login(page, live_server, role="case_manager"):
    page.goto(f"{live_server}/login")
    page.get_by_label("E-pasts").fill(demo_email(role))
    page.get_by_label("Parole").fill(DEFAULT_DEMO_PASSWORD)
    page.get_by_role("button", name="Pieslēgties").click()
    page.wait_for_url(f"{live_server}/")


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _ids(app, role="case_manager") -> dict:
    """A case, a meeting and an untriaged referral the demo user may open."""
    from casework.cases.queries import visible_cases
    from casework.groups.queries import visible_meetings

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == demo_email(role)))
        case_id = db.session.scalars(visible_cases(user).with_only_columns(Case.id)
                                     .order_by(Case.id).limit(1)).first()
        meeting_id = db.session.scalars(visible_meetings(user).with_only_columns(Meeting.id)
                                        .limit(1)).first()
        referral_id = db.session.scalar(
            select(Referral.id).where(Referral.municipality_id == user.municipality_id,
                                      Referral.outcome.is_(None)).limit(1))
        return {"case": case_id, "meeting": meeting_id, "referral": referral_id}


def test_pages_are_no_wider_than_a_390px_screen(app, phone, live_server):
    ids = _ids(app)
    assert all(ids.values()), ids
    _login(phone, live_server)
    for path in ("/", f"/cases/{ids['case']}", f"/meetings/{ids['meeting']}",
                 f"/referrals/{ids['referral']}/triage", "/help"):
        phone.goto(f"{live_server}{path}")
        assert phone.get_by_role("heading", level=1).count() == 1, path
        assert _width(phone) <= WIDTH, (path, _width(phone))


def test_wide_tables_scroll_in_a_focusable_named_region(app, phone, live_server):
    ids = _ids(app)
    _login(phone, live_server)
    phone.goto(f"{live_server}/cases/{ids['case']}")
    regions = phone.locator(".table-scroll")
    assert regions.count() > 0
    for i in range(regions.count()):
        region = regions.nth(i)
        assert region.get_attribute("tabindex") == "0"
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("aria-label") or region.get_attribute("aria-labelledby")


def test_the_menu_button_opens_and_closes_the_menu_on_a_phone(phone, live_server):
    _login(phone, live_server)
    button = phone.locator("[data-menu-toggle]")
    menu = phone.locator("#main-nav")
    assert button.is_visible()
    assert button.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible()
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert menu.is_visible()
    assert menu.get_by_role("link", name="Lietas").is_visible()
    assert _width(phone) <= WIDTH
    button.click()
    assert button.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible()


def test_on_a_wide_screen_the_menu_is_shown_without_a_button(page, live_server):
    _login(page, live_server)
    assert page.locator("#main-nav").is_visible()
    assert not page.locator("[data-menu-toggle]").is_visible()


def test_the_error_summary_takes_the_focus_and_links_to_the_field(app, page, live_server):
    ids = _ids(app)
    _login(page, live_server)
    page.goto(f"{live_server}/referrals/{ids['referral']}/triage")
    page.get_by_role("button", name="Saglabāt izskatīšanas rezultātu").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"
    page.locator(".error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "outcome-0"


def test_triage_shows_only_the_fields_of_the_chosen_outcome(app, page, live_server):
    ids = _ids(app)
    _login(page, live_server)
    page.goto(f"{live_server}/referrals/{ids['referral']}/triage")
    risk, number, reason = (page.locator("#risk"), page.locator("#case_number"),
                            page.locator("#reason"))
    assert not risk.is_visible() and not number.is_visible() and not reason.is_visible()
    page.locator("#outcome-0").check()  # a new case
    assert risk.is_visible() and not number.is_visible() and not reason.is_visible()
    page.locator("#outcome-1").check()  # attached to an existing case
    assert risk.is_visible() and number.is_visible() and not reason.is_visible()
    page.locator("#outcome-2").check()  # no further action
    assert not risk.is_visible() and not number.is_visible() and reason.is_visible()


def test_national_aggregate_has_no_serious_accessibility_violations(phone, live_server):
    """The wide table of every municipality scrolls in a focusable, named region (axe's
    scrollable-region-focusable rule)."""
    from tests.browser.test_browser import _serious_violations

    _login(phone, live_server, role="inspector")
    phone.goto(f"{live_server}/reports/national")
    assert phone.get_by_role("heading", level=1).count() == 1
    assert _serious_violations(phone) == []
    assert _width(phone) <= WIDTH


def test_first_login_steps_and_help_at_390px(app, phone, live_server):
    """A new user's start page shows what to do first; the help page fits the screen."""
    from casework.auth.models import User as Account

    with app.app_context():
        demo = db.session.scalar(select(Account).where(Account.email == demo_email("specialist")))
        user = Account(email="jauns@example.lv", full_name="Jauns Speciālists", active=True,
                       institution_id=demo.institution_id)
        user.roles = ["specialist"]
        user.set_password(DEFAULT_DEMO_PASSWORD)
        db.session.add(user)
        db.session.commit()
    phone.goto(f"{live_server}/login")
    phone.get_by_label("E-pasts").fill("jauns@example.lv")
    phone.get_by_label("Parole").fill(DEFAULT_DEMO_PASSWORD)
    phone.get_by_role("button", name="Pieslēgties").click()
    phone.wait_for_url(f"{live_server}/")
    steps = phone.locator("#first-steps")
    assert steps.is_visible()
    assert _width(phone) <= WIDTH
    phone.get_by_role("button", name="Paslēpt šos soļus").click()
    phone.wait_for_url(f"{live_server}/")
    assert phone.locator("#first-steps").count() == 0
