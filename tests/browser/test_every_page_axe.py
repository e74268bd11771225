"""Issue 18.8: every page of the URL map that a role can open (GET, no parameters, plus a
case, a meeting and a referral's triage of the demo data), as every role, passes axe with
nothing serious or critical, at 1366 px and at 390 px."""

from __future__ import annotations

import pytest

from tests.browser.test_browser import _serious_violations
from tests.browser.test_mobile import _ids, _login

pytestmark = pytest.mark.browser

ROLES = ("admin", "coordinator", "head_of_service", "case_manager", "specialist", "auditor",
         "inspector")
WIDTHS = (1366, 390)
#: Not pages to look at: the login form (a logged-in user is sent on), the files and feeds.
SKIP = {"/login", "/calendar/feed.ics", "/audit/events.csv", "/national.csv",
        "/reports/national.csv"}


def _pages(app, ids) -> list[str]:
    pages = sorted(r.rule for r in app.url_map.iter_rules()
                   if "GET" in r.methods and not r.arguments and r.endpoint != "static"
                   and not r.rule.startswith("/api/") and r.rule not in SKIP
                   and not r.rule.endswith((".csv", ".ics", ".json", ".pdf", ".xlsx")))
    return [*pages, f"/cases/{ids['case']}", f"/meetings/{ids['meeting']}",
            f"/referrals/{ids['referral']}/triage"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_can_open_passes_axe_at_both_widths(app, browser, live_server, role):
    ids = _ids(app)
    found, checked = {}, set()
    for width in WIDTHS:
        context = browser.new_context(locale="lv-LV", viewport={"width": width, "height": 900})
        page = context.new_page()
        _login(page, live_server, role)
        for path in _pages(app, ids):
            response = page.goto(f"{live_server}{path}")
            if response is None or response.status != 200 or "text/html" not in (
                    response.headers.get("content-type") or ""):
                continue
            checked.add(path)
            violations = _serious_violations(page)
            if violations:
                found[f"{width} {path}"] = violations
        context.close()
    # The start page, help, notifications and the role's own pages, at the least.
    assert len(checked) >= 5, sorted(checked)
    assert found == {}
