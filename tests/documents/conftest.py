"""Factories for documents: sample files of every kind, an isolated storage folder, a case
with members of three institutions, and ``upload(...)`` through the service layer."""

from __future__ import annotations

import io
import zipfile

import pytest

from casework.documents import operations as doc_ops
from casework.extensions import db
from tests.cases.conftest import case_manager, make_case, social_service  # noqa: F401
from tests.decisions.conftest import (  # noqa: F401
    coordinator,
    make_decision,
    make_group,
    make_meeting,
    make_task,
)


def _zip(entries) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries:
            zf.writestr(name, data, compress_type=zipfile.ZIP_STORED
                        if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return buf.getvalue()


OLE = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
SAMPLES = {
    "application/pdf": b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",
    "image/png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64,
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _zip(
        [("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<Relationships/>"),
         ("word/document.xml", "<w:document/>")]),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _zip(
        [("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<Relationships/>"),
         ("xl/workbook.xml", "<workbook/>")]),
    "application/vnd.oasis.opendocument.text": _zip(
        [("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<c/>")]),
    "application/msword": OLE + b"\x00" * 504 + b"\xEC\xA5\xC1\x00" + b"\x00" * 64,
}
PDF = SAMPLES["application/pdf"]
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100


@pytest.fixture(autouse=True)
def storage_dir(app, tmp_path, monkeypatch):
    """Each test stores its files in a folder of its own."""
    folder = tmp_path / "documents"
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(folder))
    monkeypatch.delitem(app.extensions, "document_storage", raising=False)
    yield folder
    app.extensions.pop("document_storage", None)


def stored_files(folder) -> list:
    """Every file in the storage folder."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def world(app_ctx, make_municipality, make_institution, make_user,
          make_case, case_manager, social_service):  # noqa: F811
    """A case with members from a school and the police, a police officer removed from the
    group, the head of service, and a case manager of another municipality."""
    from casework.cases import operations as ops

    school = make_institution("school", name="Skola")
    police = make_institution("state_police", name="Policija")
    w = {
        "case_manager": case_manager,
        "head_of_service": make_user("head_of_service", institution=social_service),
        "teacher": make_user("specialist", institution=school),
        "police": make_user("specialist", institution=police),
        "removed": make_user("specialist", institution=police),
        "police_outsider": make_user("specialist", institution=police),
    }
    elsewhere = make_municipality()
    w["elsewhere"] = make_user("case_manager", institution=make_institution(
        "social_service", municipality=elsewhere))
    w["case"] = make_case(risk="yellow")
    for name in ("teacher", "police", "removed"):
        ops.add_group_member(case_manager, w["case"], w[name])
    db.session.commit()
    member = next(m for m in ops.case_group(w["case"]).members if m.user_id == w["removed"].id)
    ops.remove_group_member(case_manager, w["case"], member.id)
    db.session.commit()
    return w


@pytest.fixture
def upload(app_ctx):
    """Factory: ``upload(user, level, case=..., data=PDF, filename=...)`` (committed)."""

    def make(user, level="group", data=PDF, filename="izziņa.pdf", **target):
        document = doc_ops.add_document(user, stream=io.BytesIO(data), filename=filename,
                                        level=level, **target)
        db.session.commit()
        return document

    return make
