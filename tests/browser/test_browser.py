"""A real browser: the demo case manager logs in, and the pages pass an accessibility check."""

import pytest

from casework.demo import DEFAULT_DEMO_PASSWORD, demo_email

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}


def _serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def _log_in(page, base_url, role="case_manager"):
    page.goto(f"{base_url}/login")
    page.get_by_label("E-pasts").fill(demo_email(role))
    page.get_by_label("Parole").fill(DEFAULT_DEMO_PASSWORD)
    page.get_by_role("button", name="Pieslēgties").click()


def test_demo_case_manager_logs_in_and_sees_the_latvian_start_page(page, live_server):
    _log_in(page, live_server)
    page.wait_for_url(f"{live_server}/")
    assert page.locator("html").get_attribute("lang") == "lv"
    assert page.get_by_role("heading", level=1).inner_text() == "Sākums"
    assert "Gunta Gadījumu vadītāja" in page.content()


def test_login_page_has_no_serious_accessibility_violations(page, live_server):
    page.goto(f"{live_server}/login")
    assert _serious_violations(page) == []


def test_start_page_has_no_serious_accessibility_violations(page, live_server):
    _log_in(page, live_server, role="admin")
    page.wait_for_url(f"{live_server}/")
    assert _serious_violations(page) == []


def test_login_form_works_by_keyboard_alone(page, live_server):
    page.goto(f"{live_server}/login")
    # The e-mail field has the focus when the page opens.
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(demo_email("case_manager"))
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sākums"
    # The skip link is the first stop of the keyboard and is visible when focused.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()


def test_case_list_and_case_page_have_no_serious_accessibility_violations(page, live_server):
    _log_in(page, live_server)
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/cases")
    assert _serious_violations(page) == []
    page.locator("table.data tbody a").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Lieta ")
    assert _serious_violations(page) == []
