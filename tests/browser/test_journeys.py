"""Issue 18.8: the everyday journey in a real browser, from a referral to approved minutes, by
mouse and by keyboard only. The demo case manager triages a waiting referral into a new case,
raises it to red, plans a meeting that has begun, puts a goal on its agenda, records the
attendance, marks it held, writes the minutes and approves them; every page on the way passes
axe with nothing serious or critical."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.test_browser import _serious_violations
from tests.browser.test_mobile import _ids, _login

pytestmark = pytest.mark.browser

RIGA = ZoneInfo("Europe/Riga")
#: How long a form may take to be sent and answered on a loaded machine.
NAVIGATION_MS = 60_000


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
    with page.expect_navigation():
        if keyboard:
            button.focus()
            page.keyboard.press("Enter")
        else:
            button.click()


def _press(page, locator) -> None:
    """Activate a control from the keyboard: focus it as Tab would, then press Enter."""
    locator.focus()
    page.keyboard.press("Enter")


def _journey(page, live_server, app, keyboard: bool) -> None:
    ids = _ids(app)
    _login(page, live_server)

    def click(locator):
        _press(page, locator) if keyboard else locator.click()

    def write(locator, text):
        """Fill a field: by the keyboard, typing into it, in the keyboard run."""
        if keyboard:
            locator.focus()
            page.keyboard.type(text)
        else:
            locator.fill(text)

    def choose(locator, value, typed):
        """Choose an option: by typing the start of its label in the keyboard run."""
        if keyboard:
            locator.focus()
            page.keyboard.type(typed)
            assert locator.input_value() == value, (typed, locator.input_value())
        else:
            locator.select_option(value)

    def when(locator, iso):
        """A date and time: the keyboard run types into the segments of the browser's own
        control, in the order of the browser's locale (headless Chromium's is en-US: month,
        day, year, then after an arrow key the time on a 12-hour clock and AM or PM); the
        value is checked after."""
        if keyboard:
            stamp = datetime.strptime(iso, "%Y-%m-%dT%H:%M")
            locator.focus()
            page.keyboard.type(stamp.strftime("%m%d%Y"))
            page.keyboard.press("ArrowRight")
            page.keyboard.type(stamp.strftime("%I%M") + stamp.strftime("%p")[0])
            assert locator.input_value() == iso, (iso, locator.input_value())
        else:
            locator.fill(iso)

    def send(locator):
        """Send a form and wait for the page it leads to."""
        with page.expect_navigation():
            click(locator)

    # Triage: a new case, yellow.
    page.goto(f"{live_server}/referrals/{ids['referral']}/triage")
    _accessible(page)
    outcome = page.get_by_label("Atvērt jaunu lietu")
    if keyboard:
        outcome.focus()
        page.keyboard.press("Space")
    else:
        outcome.check()
    choose(page.get_by_label("Riska krāsa"), "yellow", "dz")
    assert not page.get_by_label("Esošās lietas numurs").is_visible()  # not for a new case
    send(page.get_by_role("button", name="Saglabāt izskatīšanas rezultātu"))
    page.wait_for_url(re.compile(r"/cases/\d+"))
    case_url = page.url.split("#")[0]
    _accessible(page)

    # The case turns red, with a reason.
    _open_and_submit(page, "Paaugstināt risku uz sarkanu",
                     lambda form: write(form.get_by_label("Iemesls"), "Vardarbības pazīmes."),
                     keyboard=keyboard)
    page.wait_for_url(re.compile(r"/cases/\d+"))
    assert "sarkans" in page.locator(".case-header .badges").inner_text()

    # A meeting of the case's group that has begun.
    send(page.get_by_role("link", name="Plānot sanāksmi"))
    page.wait_for_url(re.compile(r"/meetings/new"))
    _accessible(page)
    starts, ends = _times()
    write(page.get_by_label("Nosaukums"), "Pirmā sanāksme")
    when(page.get_by_label("Sākums"), starts)
    when(page.get_by_label("Beigas"), ends)
    send(page.get_by_role("button", name="Saglabāt"))
    page.wait_for_url(re.compile(r"/meetings/\d+"))
    meeting_url = page.url.split("#")[0]
    _accessible(page)

    # A goal on the agenda.
    agenda = page.locator("form[action$='/agenda']")
    click(page.locator("summary", has_text="Pievienot mērķi vai jautājumu"))
    choose(agenda.get_by_label("Mērķis vai jautājums"), "goal", "m")
    write(agenda.get_by_label("Teksts"), "Bērna drošība mājās")
    send(agenda.get_by_role("button", name="Pievienot"))
    page.wait_for_url(re.compile(r"/meetings/\d+"))
    agenda_list = page.locator("section[aria-labelledby='agenda-h'] ol").first
    assert "Bērna drošība mājās" in agenda_list.inner_text()

    # Attendance, then held.
    for select in page.locator("select[name^='status-']").all():
        choose(select, "attended", "pi")
    send(page.get_by_role("button", name="Saglabāt dalību"))
    page.wait_for_url(re.compile(r"/meetings/\d+"))
    _open_and_submit(page, "Atzīmēt, ka sanāksme notikusi", keyboard=keyboard)
    page.wait_for_url(re.compile(r"/meetings/\d+"))
    assert "notikusi" in page.locator(".facts").first.inner_text()

    # Minutes (the goal's, then the general part), then approval.
    write(page.get_by_label("Protokols par punktu „Bērna drošība mājās”"),
          "Drošības plāns saskaņots ar māti.")
    write(page.locator("#minutes"), "Vienojās par drošības plānu; nākamā tikšanās pēc mēneša.")
    send(page.get_by_role("button", name="Saglabāt protokolu"))
    page.wait_for_url(re.compile(r"/meetings/\d+"))
    _open_and_submit(page, "Apstiprināt protokolu", keyboard=keyboard)
    page.wait_for_url(re.compile(r"/meetings/\d+"))
    assert "protokols apstiprināts" in page.locator(".facts").first.inner_text()
    minutes = page.locator("section[aria-labelledby='minutes-h']").inner_text()
    assert minutes.index("Bērna drošība mājās") < minutes.index(
        "Drošības plāns saskaņots ar māti.") < minutes.index("Vienojās par drošības plānu")
    _accessible(page)

    # The case's history tells the story in sentences.
    page.goto(case_url)
    history = page.locator("#history-h").locator("xpath=..").inner_text()
    assert "Riska profils paaugstināts līdz sarkanam" in history
    assert "Apstiprināts grupas sanāksmes protokols" in history
    assert meeting_url


def test_case_manager_goes_from_a_referral_to_approved_minutes(app, page, live_server):
    _journey(page, live_server, app, keyboard=False)


def test_the_same_journey_by_keyboard_only(app, page, live_server):
    _journey(page, live_server, app, keyboard=True)


def test_the_coordinators_report_cycle_through_review_approval_and_acceptance(browser,
                                                                              live_server):
    """Issue 18.8: the coordinator writes the narrative of this year's draft and sends it for
    review, the head of the social service approves it, the coordinator submits it and the
    inspector accepts it: each in their own browser, each page passing axe."""
    from casework.demo import DEMO_ATVK

    year = datetime.now(RIGA).year

    def as_role(role):
        context = browser.new_context(locale="lv-LV")
        page = context.new_page()
        _login(page, live_server, role)
        return context, page

    def step(page, url, button):
        page.goto(url)
        _accessible(page)
        with page.expect_response(lambda r: r.request.method == "POST", timeout=NAVIGATION_MS):
            page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_load_state()

    report = f"{live_server}/reports/annual/{year}"
    context, page = as_role("coordinator")
    page.goto(report)
    page.get_by_label("Izaicinājumi").fill("Grūti sasniegt ģimenes laukos.")
    with page.expect_response(lambda r: r.request.method == "POST", timeout=NAVIGATION_MS):
        page.get_by_role("button", name="Saglabāt aprakstu").click()
    page.wait_for_load_state()
    step(page, report, "Nodot pārskatīšanai")
    assert "pārskatīšanā" in page.locator("main").inner_text()
    context.close()

    context, page = as_role("head_of_service")
    step(page, report, "Apstiprināt")
    context.close()

    context, page = as_role("coordinator")
    step(page, report, "Iesniegt")
    context.close()

    context, page = as_role("inspector")
    step(page, f"{live_server}/reports/municipalities/{DEMO_ATVK}/{year}", "Pieņemt")
    context.close()

    context, page = as_role("coordinator")
    page.goto(report)
    assert "pieņemts" in page.locator("main").inner_text().lower()
    assert "Grūti sasniegt ģimenes laukos." in page.content()
    context.close()
