"""Latvian by default, English as a switch, errors and dates in the user's language."""

from datetime import UTC, datetime

from babel.messages.pofile import read_po

from casework import ROOT


def test_ui_is_latvian_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="lv">' in html
    assert "<h1>Pieslēgties</h1>" in html


def test_english_is_a_switch(client):
    token = client.csrf_token("/login")
    response = client.post("/language", data={"lang": "en", "back": "/login",
                                              "csrf_token": token})
    assert response.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html


def test_language_choice_survives_login_and_is_saved_on_the_user(client, make_user):
    user = make_user("case_manager")
    client.post("/language", data={"lang": "en", "csrf_token": client.csrf_token()})
    client.login(user.email)
    assert "<h1>Start</h1>" in client.get("/").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"lang": "xx", "csrf_token": client.csrf_token()})
    assert '<html lang="lv">' in client.get("/login").get_data(as_text=True)


def test_error_pages_are_in_the_users_language(client):
    response = client.get("/nav-tadas-lapas")
    assert response.status_code == 404
    assert "Lapa nav atrasta" in response.get_data(as_text=True)
    client.post("/language", data={"lang": "en", "csrf_token": client.csrf_token()})
    assert "Page not found" in client.get("/nav-tadas-lapas").get_data(as_text=True)


def test_json_clients_get_a_json_error_body(client):
    response = client.get("/api/nothing", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404
    assert response.json["error"]["message"]


def test_unexpected_errors_give_the_500_page_in_latvian(app, client, monkeypatch):
    def boom():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "main.index", boom)
    response = client.get("/")
    assert response.status_code == 500
    assert "Sistēmā radās kļūda" in response.get_data(as_text=True)


def test_dates_are_shown_in_riga_time(app):
    with app.test_request_context("/"):
        render = app.jinja_env.filters["dt"]
        # 21:30 UTC on 23 November is 23:30 in Riga (winter time, UTC+2).
        assert render(datetime(2026, 11, 23, 21, 30, tzinfo=UTC)) == "23.11.2026 23:30"
        # Summer time: UTC+3.
        assert render(datetime(2026, 6, 23, 21, 30, tzinfo=UTC)) == "24.06.2026 00:30"


def test_latvian_catalog_translates_every_message():
    path = ROOT / "casework" / "translations" / "lv" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="lv")
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []
    assert (path.with_suffix(".mo")).exists(), "run the set-up: the catalog is not compiled"
