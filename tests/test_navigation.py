"""Role navigation: each role sees only what it may use (DESIGN.md §2); deny by default, in the
view and not only in the menu."""

import pytest

#: Every page of the main navigation (and the header's API tokens page) by its path.
NAV_PATHS = {
    "cases.cases": "/cases",
    "cases.triage_queue": "/referrals/triage",
    "cases.referral_new": "/referrals/new",
    "cases.referrals_mine": "/referrals/mine",
    "tasks.my_tasks": "/tasks",
    "tasks.institution_tasks": "/tasks/institution",
    "groups.groups": "/groups",
    "cases.caseload": "/cases/caseload",
    "cases.break_glass": "/cases/break-glass",
    "cases.overview": "/cases/overview",
    "admin.institutions": "/admin/institutions",
    "admin.users": "/admin/users",
    "admin.policy": "/admin/policy",
    "imports.upload": "/admin/import",
    "audit.events": "/audit/",
    "dpo.subject_access": "/dpo/subject-access",
    "reports.annual_home": "/reports/annual",
    "reports.municipalities": "/reports/municipalities",
    "calendars.month": "/calendar",
    "api_tokens.api_tokens": "/account/api-tokens",
}
#: The work of the municipality's cooperation: referrals, tasks, meetings, the API.
_WORK = {"cases.referral_new", "cases.referrals_mine", "tasks.my_tasks", "calendars.month",
         "api_tokens.api_tokens"}

MAY_USE = {
    "admin": _WORK | {"groups.groups", "admin.institutions", "admin.users", "admin.policy",
                      "imports.upload"},
    "coordinator": _WORK | {"tasks.institution_tasks", "groups.groups", "cases.overview",
                            "reports.annual_home"},
    "head_of_service": _WORK | {"cases.cases", "tasks.institution_tasks", "groups.groups",
                                "cases.caseload", "cases.break_glass", "reports.annual_home"},
    "case_manager": _WORK | {"cases.cases", "cases.triage_queue", "tasks.institution_tasks",
                             "groups.groups"},
    "specialist": _WORK | {"cases.cases", "tasks.institution_tasks", "groups.groups"},
    # The data protection officer: the audit log and subject access, nothing of the casework.
    "auditor": {"audit.events", "dpo.subject_access"},
    # The national inspector: the municipalities' reports (and the API's overview of them).
    "inspector": {"reports.municipalities", "api_tokens.api_tokens"},
}
#: Pages that hide themselves from those who may not use them (404 rather than 403).
HIDDEN_WITH_404 = {"dpo.subject_access"}
#: Pages that send the user on to the page of the current year.
REDIRECTING = {"reports.annual_home"}


def _menu(html: str) -> str:
    return html[html.index('<nav class="main-nav"'):html.index("</nav>")]


def _header(html: str) -> str:
    return html[html.index('<header class="site-header"'):html.index("</header>")]


def test_the_matrix_covers_every_navigation_item():
    from casework.main.navigation import NAV_ITEMS

    assert {item.endpoint for item in NAV_ITEMS} | {"api_tokens.api_tokens"} == set(NAV_PATHS)


@pytest.mark.parametrize("role", sorted(MAY_USE))
def test_role_navigation_shows_each_role_exactly_what_it_may_use(client, login_as, role):
    login_as(role)
    html = client.get("/").get_data(as_text=True)
    menu, header = _menu(html), _header(html)
    for endpoint, path in NAV_PATHS.items():
        where = header if endpoint == "api_tokens.api_tokens" else menu
        assert (f'href="{path}"' in where) == (endpoint in MAY_USE[role]), (role, endpoint)


@pytest.mark.parametrize("role", sorted(MAY_USE))
@pytest.mark.parametrize("endpoint", sorted(NAV_PATHS))
def test_pages_outside_the_role_are_forbidden(client, login_as, role, endpoint):
    login_as(role)
    status = client.get(NAV_PATHS[endpoint]).status_code
    if endpoint in MAY_USE[role]:
        assert status == (302 if endpoint in REDIRECTING else 200), (role, endpoint)
    else:
        assert status == (404 if endpoint in HIDDEN_WITH_404 else 403), (role, endpoint)


@pytest.mark.parametrize("role", ["auditor", "inspector"])
def test_officer_and_inspector_may_not_file_referrals_or_create_tokens(client, login_as, role):
    login_as(role)
    assert client.post_form("/referrals/new", {"description": "x"}, token_from="/").status_code \
        == 403
    if role == "auditor":
        assert client.post_form("/account/api-tokens", {"name": "x"}, token_from="/") \
            .status_code == 403
        assert client.post_form("/account/api-tokens/1/revoke", {}, token_from="/") \
            .status_code == 403


def test_a_user_with_several_roles_sees_the_union(client, login_as):
    login_as("auditor", "specialist")
    menu = _menu(client.get("/").get_data(as_text=True))
    assert 'href="/audit/"' in menu and 'href="/tasks"' in menu


@pytest.mark.parametrize("path", ["/", "/admin/users", "/audit/", "/password"])
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_anonymous_api_clients_get_401_json(client):
    response = client.get("/admin/users", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json["error"]["status"] == 401


def test_start_page_offers_the_roles_own_work(client, login_as):
    """The role's work is in the menu; the start page names the role and does not repeat the
    menu as cards (issue 11.3)."""
    login_as("admin")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/admin/institutions"' in html
    assert "Administrators" in html
    assert 'class="cards"' not in html
