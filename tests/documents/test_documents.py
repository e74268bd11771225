"""Documents of cases, meetings and decisions: who sees them (the notes' rule, 404 not 403),
what content is accepted, the size limit, downloads (headers, audit), task completion with a
document, storage outside the database, and removal on anonymisation."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from casework.audit.models import AuditEvent
from casework.auth.operations import OperationRefused
from casework.db_types import utcnow
from casework.documents import operations as doc_ops
from casework.documents import storage as storage_mod
from casework.documents.models import Document
from casework.extensions import db
from tests.conftest import audit_actions
from tests.documents.conftest import EXE, HTML, PDF, SAMPLES, stored_files


def _client(app, user):
    client = app.test_client()
    response = client.login(user.email)
    assert response.status_code == 302
    return client


def _download(app, user, document):
    return _client(app, user).get(f"/documents/{document.id}/download")


def _post_upload(client, url, data, filename, level="group"):
    return client.post_form(url, {"file": (io.BytesIO(data), filename), "level": level},
                            token_from=url, content_type="multipart/form-data")


# -- who sees a document ----------------------------------------------------------------------
def test_restricted_document_is_404_to_a_group_member_of_another_institution(app, world,
                                                                             upload):
    document = upload(world["police"], "restricted", case=world["case"])
    assert _download(app, world["teacher"], document).status_code == 404
    page = _client(app, world["teacher"]).get(f"/cases/{world['case'].id}")
    assert page.status_code == 200 and "izziņa.pdf" not in page.get_data(as_text=True)


def test_restricted_document_is_404_to_another_municipalitys_user(app, world, upload):
    document = upload(world["police"], "restricted", case=world["case"])
    assert _download(app, world["elsewhere"], document).status_code == 404
    group_document = upload(world["police"], "group", case=world["case"])
    assert _download(app, world["elsewhere"], group_document).status_code == 404


def test_document_is_404_to_a_removed_group_member(app, world, upload):
    # Even a colleague of the author: the removed member no longer sees the case at all.
    for level in ("group", "institution", "restricted"):
        document = upload(world["police"], level, case=world["case"])
        assert _download(app, world["removed"], document).status_code == 404


def test_restricted_document_is_seen_by_its_author_and_the_case_manager_only(app, world,
                                                                             upload):
    document = upload(world["police"], "restricted", case=world["case"])
    assert _download(app, world["police"], document).status_code == 200
    assert _download(app, world["case_manager"], document).status_code == 200
    # As with notes, the head of service does not read restricted items.
    assert _download(app, world["head_of_service"], document).status_code == 404


def test_institution_document_is_seen_by_the_authors_institution_and_the_case_manager(
        app, world, upload, make_user):
    from casework.cases import operations as ops

    colleague = make_user("specialist", institution=world["police"].institution)
    ops.add_group_member(world["case_manager"], world["case"], colleague)
    db.session.commit()
    document = upload(world["police"], "institution", case=world["case"])
    assert _download(app, colleague, document).status_code == 200
    assert _download(app, world["case_manager"], document).status_code == 200
    assert _download(app, world["teacher"], document).status_code == 404
    # A colleague outside the case's group does not see the case, so not the document.
    assert _download(app, world["police_outsider"], document).status_code == 404


def test_case_page_lists_only_the_documents_the_user_may_read(app, world, upload):
    upload(world["police"], "restricted", case=world["case"], filename="policija.pdf")
    upload(world["teacher"], "group", case=world["case"], filename="skola.pdf")
    teacher_page = _client(app, world["teacher"]).get(f"/cases/{world['case'].id}")
    text = teacher_page.get_data(as_text=True)
    assert "skola.pdf" in text and "policija.pdf" not in text
    manager_page = _client(app, world["case_manager"]).get(f"/cases/{world['case'].id}")
    text = manager_page.get_data(as_text=True)
    assert "skola.pdf" in text and "policija.pdf" in text


def test_strategic_meeting_document_follows_the_meeting_visibility(
        app, world, upload, make_group, make_meeting, make_user, coordinator):
    group = make_group(members=[world["teacher"]])
    meeting = make_meeting(group)
    document = upload(world["teacher"], "group", meeting=meeting, filename="protokols.pdf")
    assert document.case_id is None and document.group_id == group.id
    assert _download(app, world["teacher"], document).status_code == 200
    assert _download(app, coordinator, document).status_code == 200
    # Not a member of the strategic group, or an administrator (members, not content): 404.
    assert _download(app, world["police"], document).status_code == 404
    assert _download(app, make_user("admin"), document).status_code == 404
    page = _client(app, world["teacher"]).get(f"/meetings/{meeting.id}")
    assert "protokols.pdf" in page.get_data(as_text=True)


def test_case_group_meeting_and_decision_documents_follow_the_case(
        app, world, upload, make_meeting, make_decision):
    from casework.cases.operations import case_group

    group = case_group(world["case"])
    meeting = make_meeting(group)
    decision = make_decision(group)
    on_meeting = upload(world["teacher"], "group", meeting=meeting)
    on_decision = upload(world["teacher"], "restricted", decision=decision)
    assert on_meeting.case_id == on_decision.case_id == world["case"].id
    assert _download(app, world["police"], on_meeting).status_code == 200
    assert _download(app, world["removed"], on_meeting).status_code == 404
    assert _download(app, world["police"], on_decision).status_code == 404
    assert _download(app, world["case_manager"], on_decision).status_code == 200


def test_user_who_cannot_see_a_case_cannot_upload_to_it(app, world):
    url = f"/cases/{world['case'].id}/documents/new"
    client = _client(app, world["elsewhere"])
    assert client.get(url).status_code == 404


# -- what may be uploaded ---------------------------------------------------------------------
@pytest.mark.parametrize("content_type", sorted(SAMPLES))
def test_allowed_types_are_recognised_from_the_content(app_ctx, content_type):
    checked = doc_ops.check_upload(io.BytesIO(SAMPLES[content_type]))
    assert checked.content_type == content_type


@pytest.mark.parametrize("data", [HTML, EXE, b"just some text", b"PK\x03\x04not an office file"],
                         ids=["html", "exe", "text", "zip"])
def test_file_whose_content_is_not_an_allowed_type_is_refused(app, world, storage_dir, data):
    client = _client(app, world["teacher"])
    response = _post_upload(client, f"/cases/{world['case'].id}/documents/new", data,
                            "izziņa.pdf")
    assert response.status_code == 400
    assert "Šāda veida datnes netiek pieņemtas" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert stored_files(storage_dir) == []


def test_type_is_taken_from_the_content_not_the_name(app, world, upload):
    document = upload(world["teacher"], data=SAMPLES["image/png"], filename="skenējums.pdf",
                      case=world["case"])
    assert document.content_type == "image/png"
    assert document.filename == "skenējums.pdf.png"
    response = _download(app, world["teacher"], document)
    assert response.mimetype == "image/png"


def test_oversize_upload_is_refused_with_a_form_message(app, world, monkeypatch, storage_dir):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 3 * 1024 * 1024)
    client = _client(app, world["teacher"])
    data = PDF + b"0" * (1024 * 1024)
    response = _post_upload(client, f"/cases/{world['case'].id}/documents/new", data, "a.pdf")
    assert response.status_code == 400
    assert "Datne ir lielāka par 1 MB" in response.get_data(as_text=True)
    assert stored_files(storage_dir) == []


def test_upload_far_over_the_limit_gets_413_with_a_message_not_500(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    client = _client(app, world["teacher"])
    data = PDF + b"0" * (3 * 1024 * 1024)
    response = _post_upload(client, f"/cases/{world['case'].id}/documents/new", data, "a.pdf")
    assert response.status_code == 413
    assert "mazāku datni" in response.get_data(as_text=True)


def test_max_upload_size_comes_from_the_setting(monkeypatch, tmp_path):
    from casework.config import ConfigurationError, load_config, request_size_limit

    monkeypatch.setenv("CASEWORK_SECRET_KEY", "x" * 40)
    monkeypatch.delenv("CASEWORK_MAX_UPLOAD_MB", raising=False)
    assert load_config(str(tmp_path))["MAX_UPLOAD_MB"] == 20
    monkeypatch.setenv("CASEWORK_MAX_UPLOAD_MB", "5")
    assert load_config(str(tmp_path))["MAX_UPLOAD_MB"] == 5
    assert request_size_limit(5) == 6 * 1024 * 1024
    monkeypatch.setenv("CASEWORK_MAX_UPLOAD_MB", "0")
    with pytest.raises(ConfigurationError):
        load_config(str(tmp_path))


def test_upload_through_the_page_stores_the_file_under_a_random_name(app, world, storage_dir):
    client = _client(app, world["teacher"])
    url = f"/cases/{world['case'].id}/documents/new"
    response = _post_upload(client, url, PDF, "Ārsta izziņa.pdf", level="institution")
    assert response.status_code == 302
    document = db.session.scalar(select(Document))
    assert (document.level, document.filename, document.size) == (
        "institution", "Ārsta izziņa.pdf", len(PDF))
    files = stored_files(storage_dir)
    assert len(files) == 1 and files[0].name == document.storage_key
    assert "izzi" not in str(files[0]) and files[0].read_bytes() == PDF
    assert "document_uploaded" in audit_actions()


def test_file_saved_by_a_transaction_that_rolls_back_is_removed(app_ctx, world, storage_dir):
    doc_ops.add_document(world["teacher"], stream=io.BytesIO(PDF), filename="a.pdf",
                         level="group", case=world["case"])
    assert len(stored_files(storage_dir)) == 1
    db.session.rollback()
    assert stored_files(storage_dir) == []


# -- downloads --------------------------------------------------------------------------------
def test_download_headers_attachment_with_rfc5987_name_and_nosniff(app, world, upload):
    document = upload(world["teacher"], filename="Ārsta izziņa \"Nr. 5\".pdf", case=world["case"])
    response = _download(app, world["teacher"], document)
    assert response.status_code == 200
    assert response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''" + quote('Ārsta izziņa "Nr. 5".pdf', safe="") in disposition
    assert 'filename="_rsta izzi_a _Nr. 5_.pdf"' in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/pdf"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_every_download_is_audited_without_the_file_name(app, world, upload):
    document = upload(world["teacher"], filename="Anna Bērziņa.pdf", case=world["case"])
    for _ in range(2):
        assert _download(app, world["case_manager"], document).status_code == 200
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "document_downloaded")).all()
    assert len(events) == 2
    assert {(e.user_id, e.object_type, e.object_id) for e in events} == {
        (world["case_manager"].id, "Document", str(document.id))}
    everything = " ".join(str(e.details) for e in db.session.scalars(select(AuditEvent)))
    assert "Bērziņa" not in everything and "Anna" not in everything


def test_refused_download_is_not_audited_as_a_download(app, world, upload):
    document = upload(world["police"], "restricted", case=world["case"])
    assert _download(app, world["teacher"], document).status_code == 404
    assert "document_downloaded" not in audit_actions()


# -- task completion --------------------------------------------------------------------------
def test_task_completion_with_a_document(app, world, make_task, storage_dir):
    task = make_task(world["teacher"], case=world["case"], created_by=world["case_manager"])
    client = _client(app, world["teacher"])
    url = f"/tasks/{task.id}/complete"
    response = client.post_form(url, {
        "note": "Izziņa pievienota", "version": task.version, "document_level": "institution",
        "document": (io.BytesIO(PDF), "skolas izziņa.pdf")}, token_from=f"/tasks/{task.id}",
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    document = db.session.scalar(select(Document))
    assert (document.task_id, document.case_id, document.level) == (
        task.id, world["case"].id, "institution")
    assert len(stored_files(storage_dir)) == 1
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "skolas izziņa.pdf" in page
    assert "skolas izziņa.pdf" in _client(app, world["case_manager"]).get(
        f"/cases/{world['case'].id}").get_data(as_text=True)


def test_task_completion_without_a_document_still_works(app, world, make_task):
    task = make_task(world["teacher"], case=world["case"])
    client = _client(app, world["teacher"])
    response = client.post_form(f"/tasks/{task.id}/complete", {
        "note": "Izdarīts", "version": task.version}, token_from=f"/tasks/{task.id}")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_task_completion_with_a_refused_file_keeps_the_task_open(app, world, make_task,
                                                                 storage_dir):
    from casework.tasks.models import Task

    task = make_task(world["teacher"], case=world["case"])
    client = _client(app, world["teacher"])
    response = client.post_form(f"/tasks/{task.id}/complete", {
        "note": "Izdarīts", "version": task.version,
        "document": (io.BytesIO(HTML), "izziņa.pdf")}, token_from=f"/tasks/{task.id}",
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Šāda veida datnes netiek pieņemtas" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "open"
    assert stored_files(storage_dir) == []


# -- anonymisation ----------------------------------------------------------------------------
def test_anonymisation_removes_the_files_from_disk(app_ctx, world, upload, storage_dir,
                                                  make_meeting):
    from casework.cases import operations as ops
    from casework.jobs import sweeps

    case = world["case"]
    upload(world["teacher"], case=case)
    upload(world["police"], "restricted", case=case)
    upload(world["teacher"], meeting=make_meeting(ops.case_group(case)))
    assert len(stored_files(storage_dir)) == 3
    assert sweeps.anonymise_case(case, utcnow() + timedelta(days=1))
    # The files go once the job's transaction commits, not before.
    assert len(stored_files(storage_dir)) == 3
    db.session.commit()
    assert stored_files(storage_dir) == []
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    with pytest.raises(OperationRefused):
        doc_ops.add_document(world["teacher"], stream=io.BytesIO(PDF), filename="a.pdf",
                             level="group", case=case)


# -- storage backends -------------------------------------------------------------------------
class FakeS3:
    """Just enough of a boto3 S3 client (boto3 and moto are not installed here)."""

    def __init__(self):
        self.objects: dict[tuple[str, str], bytes] = {}
        self.extra: dict = {}

    def upload_fileobj(self, stream, bucket, key, ExtraArgs=None):  # noqa: N803
        self.objects[(bucket, key)] = stream.read()
        self.extra[key] = ExtraArgs

    def get_object(self, Bucket, Key):  # noqa: N803
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)])}

    def delete_object(self, Bucket, Key):  # noqa: N803
        self.objects.pop((Bucket, Key), None)

    def head_object(self, Bucket, Key):  # noqa: N803
        if (Bucket, Key) not in self.objects:
            raise KeyError(Key)
        return {}


def test_s3_backend_saves_opens_and_deletes_under_the_prefix():
    client = FakeS3()
    s3 = storage_mod.S3Storage("casework-docs", prefix="/lv/", client=client)
    key = storage_mod.new_key()
    s3.save(key, io.BytesIO(PDF))
    assert client.objects == {("casework-docs", f"lv/{key}"): PDF}
    assert client.extra[f"lv/{key}"] == {"ServerSideEncryption": "AES256"}
    assert s3.exists(key) and s3.open(key).read() == PDF
    s3.delete(key)
    assert not s3.exists(key) and client.objects == {}


def test_storage_refuses_keys_that_are_not_its_own(tmp_path):
    local = storage_mod.LocalStorage(tmp_path)
    for key in ("../../etc/passwd", "", "ABC", "a/b"):
        with pytest.raises(ValueError):
            local.path(key)


def test_meeting_and_decision_pages_upload_and_list_their_documents(
        app, world, make_meeting, make_decision):
    from casework.cases.operations import case_group

    group = case_group(world["case"])
    meeting, decision = make_meeting(group), make_decision(group)
    client = _client(app, world["teacher"])
    for page, url in ((f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/documents/new"),
                      (f"/decisions/{decision.id}", f"/decisions/{decision.id}/documents/new")):
        response = _post_upload(client, url, PDF, f"{page.split('/')[1]}.pdf")
        assert response.status_code == 302
        assert f"{page.split('/')[1]}.pdf" in client.get(page).get_data(as_text=True)
    assert _client(app, world["elsewhere"]).get(
        f"/meetings/{meeting.id}/documents/new").status_code == 404


def test_draft_decision_takes_no_documents(app, world, make_decision):
    from casework.cases.operations import case_group

    draft = make_decision(case_group(world["case"]), published=False)
    client = _client(app, world["case_manager"])
    assert client.get(f"/decisions/{draft.id}/documents/new").status_code == 404
