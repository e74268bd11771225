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


#: The gettext keywords of the project (the Makefile's ``make messages`` uses the same).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "lazy_gettext": None, "_l": None, "deferred": None, "N_": None,
            "L_": ((1, "c"), 2)}


def test_every_text_of_the_code_is_in_the_latvian_catalog():
    """One translation mechanism: every text the code and the templates mark, the workflows'
    labels included, has its Latvian translation in the catalog (a third language is then
    only another catalog)."""
    from babel.messages.extract import extract_from_dir

    path = ROOT / "casework" / "translations" / "lv" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="lv")
    translated = {(m.context, m.id if isinstance(m.id, str) else m.id[0])
                  for m in catalog if m.id and m.string}
    missing = []
    for folder in ("casework", "workflows", "templates"):
        found = extract_from_dir(ROOT / folder, [("**.py", "python"), ("**.html", "jinja2")],
                                 keywords=KEYWORDS)
        for filename, lineno, message, _comments, context in found:
            msgid = message if isinstance(message, str) else message[0]
            if (context, msgid) not in translated:
                missing.append(f"{folder}/{filename}:{lineno}: {msgid}")
    assert missing == []


def test_workflow_labels_are_catalog_texts_not_hand_written_dictionaries():
    import ast

    hand_written = []
    for path in sorted((ROOT / "workflows").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict) and any(
                    isinstance(k, ast.Constant) and k.value in ("lv", "en") for k in node.keys):
                hand_written.append(f"{path.name}:{node.lineno}")
    assert hand_written == []


def test_workflow_labels_follow_the_locale():
    from workflows import case_lifecycle, meeting, pick_label, task

    assert pick_label(task.STATUS_LABELS["cancelled"], "lv") == "atcelts"
    # The same English word, another Latvian form: the catalog keeps them apart by context.
    assert pick_label(meeting.STATUS_LABELS["cancelled"], "lv") == "atcelta"
    assert pick_label(meeting.STATUS_LABELS["cancelled"], "en_GB") == "cancelled"
    assert case_lifecycle.STATUS_LABELS["assessment"]["lv"] == "izvērtēšana"
    # A language without a catalog falls back to the message id, never to a code.
    assert pick_label(task.STATUS_LABELS["done"], "et") == "done"


def test_every_case_and_risk_action_has_a_past_tense_history_label():
    from workflows import case_lifecycle, risk_profile

    assert set(case_lifecycle.EVENT_LABELS) == set(case_lifecycle.TRIGGER_LABELS)
    assert set(risk_profile.EVENT_LABELS) == set(risk_profile.TRIGGER_LABELS)
    for table in (case_lifecycle.EVENT_LABELS, risk_profile.EVENT_LABELS):
        for trigger, label in table.items():
            assert label["lv"] != case_lifecycle.TRIGGER_LABELS.get(trigger, {}).get("lv")


def test_the_triage_of_a_referral_has_one_latvian_term():
    """Triage is "izskatīšana" everywhere; "izvērtēšana" is the case's assessment."""
    path = ROOT / "casework" / "translations" / "lv" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="lv")
    mixed = [m.id for m in catalog if m.id and isinstance(m.string, str)
             and "triag" in str(m.id).lower() and "assess" not in str(m.id).lower()
             and "izvērt" in m.string.lower()]
    assert mixed == []
