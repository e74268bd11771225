"""The page frame on small screens (issue 18.5): a menu button that says whether the menu is
open and which parts it opens (without JS it stays hidden and the menu is shown), and wide
tables in a scrolling region the keyboard can reach."""

import lxml.html
import pytest


def _tree(response):
    return lxml.html.fromstring(response.get_data(as_text=True))


@pytest.mark.parametrize("role", ["case_manager", "auditor", "inspector"])
def test_the_menu_button_controls_the_header_links_and_the_menu(client, login_as, role):
    login_as(role)
    tree = _tree(client.get("/"))
    (button,) = tree.xpath("//header//button[@data-menu-toggle]")
    assert button.get("type") == "button" and button.get("aria-expanded") == "true"
    assert button.get("hidden") is not None  # shown by static/casework.js only
    for target in button.get("aria-controls").split():
        assert tree.xpath("//*[@id=$id]", id=target), target
    assert "main-nav" in button.get("aria-controls").split()
    assert tree.xpath("//script[contains(@src, 'casework.js')]")


def test_no_menu_button_for_anonymous_users(client):
    tree = _tree(client.get("/login"))
    assert not tree.xpath("//*[@data-menu-toggle]")
    assert tree.xpath("//script[contains(@src, 'casework.js')]")


def _check_tables(tree, path):
    tables = tree.xpath("//main//table")
    assert tables, path
    for table in tables:
        region = table.getparent()
        assert "table-scroll" in region.get("class", "").split(), path
        assert region.get("tabindex") == "0" and region.get("role") == "region", path
        label = region.get("aria-label")
        if label is None:
            label = "".join(tree.xpath("//*[@id=$id]//text()", id=region.get("aria-labelledby")))
        assert label.strip(), path


@pytest.mark.parametrize("role, path", [
    ("inspector", "/reports/national"), ("inspector", "/reports/municipalities"),
    ("admin", "/admin/users"), ("auditor", "/audit/"), ("case_manager", "/tasks"),
    ("case_manager", "/calendar"), ("coordinator", "/cases/overview"),
])
def test_tables_scroll_in_a_named_keyboard_reachable_region(client, login_as, role, path):
    login_as(role)
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    _check_tables(_tree(response), path)
