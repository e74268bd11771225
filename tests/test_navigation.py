"""Role navigation: each role sees only what it may use; deny by default."""

import pytest

NAV_LINKS = {
    "/admin/institutions": "Iestādes",
    "/admin/users": "Lietotāji",
    "/audit/": "Audita žurnāls",
}

MAY_USE = {
    "admin": {"/admin/institutions", "/admin/users"},
    "auditor": {"/audit/"},
    "coordinator": set(),
    "head_of_service": set(),
    "case_manager": set(),
    "specialist": set(),
    "inspector": set(),
}


@pytest.mark.parametrize("role", sorted(MAY_USE))
def test_role_navigation_shows_each_role_only_what_it_may_use(client, login_as, role):
    login_as(role)
    html = client.get("/").get_data(as_text=True)
    nav = html[html.index('<nav class="main-nav"'):html.index("</nav>")]
    for path, label in NAV_LINKS.items():
        assert (f'href="{path}"' in nav) == (path in MAY_USE[role]), (role, path)
        if path in MAY_USE[role]:
            assert label in nav


@pytest.mark.parametrize("role", sorted(MAY_USE))
@pytest.mark.parametrize("path", sorted(NAV_LINKS))
def test_pages_outside_the_role_are_forbidden(client, login_as, role, path):
    login_as(role)
    expected = 200 if path in MAY_USE[role] else 403
    assert client.get(path).status_code == expected


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
