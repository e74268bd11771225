"""Issue 18.8, the first part of the everyday journey in a real browser: the demo case manager
triages a waiting referral into a new case, raises it to red and plans a meeting of the case's
group that has begun; every page on the way passes axe with nothing serious or critical.

Not yet here: the rest of the journey (goal, attendance, held, minutes, approval) and the
keyboard-only run. In headless Chromium the agenda form of the meeting page was not sent when
its button was pressed right after the page loaded (the page first saves the autosaved
minutes); that is being looked into rather than papered over with waits."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.test_browser import _serious_violations
from tests.browser.test_mobile import _ids, _login

pytestmark = pytest.mark.browser

RIGA = ZoneInfo("Europe/Riga")
#: A form of a page with an autosaved text first saves that text, then is sent: on a loaded
#: machine that can take a while.
NAVIGATION_MS = 90_000


def _times() -> tuple[str, str]:
    """A meeting that began an hour ago and ends in an hour (held only once started)."""
    now = datetime.now(RIGA).replace(second=0, microsecond=0)
    return ((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))


def _accessible(page) -> None:
    assert _serious_violations(page) == [], page.url


def _open_and_submit(page, summary: str, fill=None, keyboard: bool = False) -> None:
    """Open the disclosure panel named ``summary`` and send its form (its button has the same
    name); ``fill(form)`` fills the form's fields first."""
    panel = page.locator("details", has=page.locator("summary", has_text=summary)).first
    if keyboard:
        panel.locator("summary").focus()
        page.keyboard.press("Enter")
    else:
        panel.locator("summary").click()
    form = panel.locator("form")
    if fill:
        fill(form)
    button = form.get_by_role("button", name=summary)
    with page.expect_response(lambda r: r.request.method == "POST", timeout=NAVIGATION_MS):
        if keyboard:
            button.focus()
            page.keyboard.press("Enter")
        else:
            button.click()
    page.wait_for_load_state()


def _press(page, locator) -> None:
    """Activate a control from the keyboard: focus it as Tab would, then press Enter."""
    locator.focus()
    page.keyboard.press("Enter")


def _journey(page, live_server, app, keyboard: bool) -> None:
    ids = _ids(app)
    _login(page, live_server)

    def click(locator):
        _press(page, locator) if keyboard else locator.click()

    def send(locator):
        """Send a form and wait for the page it leads to."""
        with page.expect_response(lambda r: r.request.method == "POST",
                                  timeout=NAVIGATION_MS):
            click(locator)
        page.wait_for_load_state()

    # Triage: a new case, yellow.
    page.goto(f"{live_server}/referrals/{ids['referral']}/triage")
    _accessible(page)
    outcome = page.get_by_label("Atvērt jaunu lietu")
    if keyboard:
        outcome.focus()
        page.keyboard.press("Space")
    else:
        outcome.check()
    page.get_by_label("Riska krāsa").select_option("yellow")
    assert not page.get_by_label("Esošās lietas numurs").is_visible()  # not for a new case
    send(page.get_by_role("button", name="Saglabāt izskatīšanas rezultātu"))
    page.wait_for_url(re.compile(r"/cases/\d+"))
    _accessible(page)

    # The case turns red, with a reason.
    _open_and_submit(page, "Paaugstināt risku uz sarkanu",
                     lambda form: form.get_by_label("Iemesls").fill("Vardarbības pazīmes."),
                     keyboard=keyboard)
    page.wait_for_url(re.compile(r"/cases/\d+"))
    assert "sarkans" in page.locator(".case-header .badges").inner_text()

    # A meeting of the case's group that has begun.
    with page.expect_navigation(timeout=NAVIGATION_MS):
        click(page.get_by_role("link", name="Plānot sanāksmi"))
    page.wait_for_url(re.compile(r"/meetings/new"))
    _accessible(page)
    starts, ends = _times()
    page.get_by_label("Nosaukums").fill("Pirmā sanāksme")
    page.get_by_label("Sākums").fill(starts)
    page.get_by_label("Beigas").fill(ends)
    send(page.get_by_role("button", name="Saglabāt"))
    page.wait_for_url(re.compile(r"/meetings/\d+"))
    meeting_url = page.url.split("#")[0]
    _accessible(page)

    assert "Pirmā sanāksme" in page.locator("h1").inner_text()
    assert meeting_url


def test_case_manager_goes_from_a_referral_to_a_planned_meeting_of_a_red_case(
        app, page, live_server):
    _journey(page, live_server, app, keyboard=False)
