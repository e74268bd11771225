"""A real browser uploads a document to a case and downloads it again."""

import pytest

from casework.demo import DEFAULT_DEMO_PASSWORD, demo_email

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def storage_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "documents"
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(folder))
    monkeypatch.delitem(app.extensions, "document_storage", raising=False)
    yield folder
    app.extensions.pop("document_storage", None)


def test_case_manager_uploads_a_document_and_downloads_it(page, live_server, storage_dir,
                                                          tmp_path):
    page.goto(f"{live_server}/login")
    page.get_by_label("E-pasts").fill(demo_email("case_manager"))
    page.get_by_label("Parole").fill(DEFAULT_DEMO_PASSWORD)
    page.get_by_role("button", name="Pieslēgties").click()
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/cases")
    page.locator("table.data tbody a").first.click()
    page.wait_for_load_state()
    case_url = page.url
    page.get_by_role("link", name="Pievienot dokumentu").click()
    page.get_by_label("Datne").set_input_files(
        {"name": "Ārsta izziņa.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_label("ierobežota").check()
    page.get_by_role("button", name="Augšupielādēt").click()
    page.wait_for_url(f"{case_url}#documents-h")
    assert "Dokuments ir pievienots." in page.content()
    link = page.get_by_role("link", name="Ārsta izziņa.pdf")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "Ārsta izziņa.pdf"
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == PDF
    assert len([p for p in storage_dir.rglob("*") if p.is_file()]) == 1
