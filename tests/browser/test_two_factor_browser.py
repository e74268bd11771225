"""A real browser: a case manager enrols an authenticator at first login (reading the key shown
as text, as someone without a camera would), keeps the recovery codes, logs out and logs in
again with the password and a fresh code."""

import time

import pyotp
import pytest

from casework.demo import DEFAULT_DEMO_PASSWORD, demo_email
from tests.browser.test_browser import _serious_violations

pytestmark = pytest.mark.browser

REQUIRED = ("admin", "head_of_service", "case_manager", "specialist", "auditor")


def _password_step(page, base_url):
    page.goto(f"{base_url}/login")
    page.get_by_label("E-pasts").fill(demo_email("case_manager"))
    page.get_by_label("Parole").fill(DEFAULT_DEMO_PASSWORD)
    page.get_by_role("button", name="Pieslēgties").click()


def test_case_manager_enrols_totp_at_first_login_and_logs_in_with_it(app, page, live_server):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = REQUIRED
    try:
        _password_step(page, live_server)
        page.wait_for_url(f"{live_server}/account/two-factor/enrol")
        assert page.get_by_role("heading", level=1).inner_text() == \
            "Iestatīt divfaktoru pieslēgšanos"
        assert page.locator("figure.qr svg").count() == 1
        assert _serious_violations(page) == []
        # Any other page sends back to the enrolment until it is done.
        page.goto(f"{live_server}/cases")
        page.wait_for_url(f"{live_server}/account/two-factor/enrol")

        secret = page.locator("[data-totp-secret]").inner_text().strip()
        totp = pyotp.TOTP(secret)
        page.get_by_role("textbox", name="Kods").fill(totp.now())
        page.get_by_role("button", name="Apstiprināt").click()
        codes = page.locator("[data-recovery-codes] li")
        codes.first.wait_for()
        assert codes.count() == 10
        page.get_by_role("link", name="Kodus esmu saglabājis: turpināt").click()
        page.wait_for_url(f"{live_server}/")
        assert page.get_by_role("heading", level=1).inner_text() == "Sākums"

        page.get_by_role("button", name="Atslēgties").click()
        page.wait_for_url(f"{live_server}/login")

        _password_step(page, live_server)
        page.wait_for_url(f"{live_server}/login/code")
        assert _serious_violations(page) == []
        # The enrolment used this time step's code, and a code counts once: the next step's
        # code is accepted (one step of clock drift either way is allowed).
        page.get_by_role("textbox", name="Kods").fill(totp.at(time.time() + 30))
        page.get_by_role("button", name="Pieslēgties").click()
        page.wait_for_url(f"{live_server}/")
        assert page.get_by_role("heading", level=1).inner_text() == "Sākums"
    finally:
        app.config["TWO_FACTOR_REQUIRED_ROLES"] = ()
