"""Every change to documents: check the upload (type from the content, size), store the file
under a random key, add the row, audit; open a file for download (audited); remove the files
of an anonymised case. Nothing here commits.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.audit.operations import record
from casework.auth.operations import OperationRefused
from casework.cases.models import Case, NoteLevel
from casework.db_types import utcnow
from casework.documents import storage as storage_mod
from casework.documents.models import Document
from casework.extensions import db

#: The types a document may have, as detected from its content, with their file extensions.
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/msword": (".doc",),
}
SNIFF_BYTES = 8192
MAX_FILENAME = 255
DEFAULT_MAX_UPLOAD_MB = 20


class DocumentRefused(OperationRefused):
    """The file cannot be accepted (empty, too large, or not an allowed type)."""


@dataclass(frozen=True)
class CheckedUpload:
    """What the content check found: the detected type and the size in bytes."""

    content_type: str
    size: int


def max_upload_bytes() -> int:
    """The size limit of one file, from ``CASEWORK_MAX_UPLOAD_MB``."""
    return int(float(current_app.config.get("MAX_UPLOAD_MB") or DEFAULT_MAX_UPLOAD_MB)
               * 1024 * 1024)


def _size(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def check_upload(stream: BinaryIO) -> CheckedUpload:
    """The upload's detected type and size; raises DocumentRefused with the reason.

    The type comes from the content's magic bytes, never from the file name or the type the
    browser claimed: an HTML page or a program renamed ``.pdf`` is refused.
    """
    size = _size(stream)
    if size == 0:
        raise DocumentRefused(_l("The file is empty."))
    limit = max_upload_bytes()
    if size > limit:
        raise DocumentRefused(_l("The file is larger than %(mb)s MB.",
                                 mb=f"{limit / 1024 / 1024:g}"))
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    content_type = filetype.guess_mime(head)
    if content_type not in ALLOWED_TYPES:
        raise DocumentRefused(_l("This kind of file is not accepted. Upload a PDF, a PNG or "
                                 "JPEG image, or a DOCX, XLSX, ODT or DOC document."))
    return CheckedUpload(content_type, size)


def clean_filename(name: str | None, content_type: str) -> str:
    """The user's file name made safe to show and offer back: no folders, no control
    characters, at most 255 characters, ending in an extension of the detected type."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    extensions = ALLOWED_TYPES[content_type]
    stem, ext = os.path.splitext(name)
    if not stem:
        name, ext = "dokuments", ""
    if ext.lower() not in extensions:
        name += extensions[0]
        ext = extensions[0]
    if len(name) > MAX_FILENAME:
        name = name[: MAX_FILENAME - len(ext)] + ext
    return name


def _sha256(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


# -- who may attach ---------------------------------------------------------------------------
def _target(user, *, case=None, meeting=None, decision=None, task=None):
    """``(group, case_id, meeting_id, decision_id)`` of the upload, after checking that the
    user may attach a document there."""
    from casework.cases.operations import AccessRefused, case_group
    from casework.cases.queries import can_see_case
    from casework.groups.models import Decision, Meeting
    from casework.groups.queries import may_see_content

    if task is not None:
        case = case or (db.session.get(Case, task.case_id) if task.case_id else None)
        if case is None:
            meeting = meeting or (db.session.get(Meeting, task.meeting_id)
                                  if task.meeting_id else None)
            decision = decision or (db.session.get(Decision, task.decision_id)
                                    if task.decision_id else None)
    if case is not None:
        if not can_see_case(user, case.id):
            raise AccessRefused(_l("You do not take part in this case."))
        if case.anonymised_at is not None:
            raise OperationRefused(_l("The case has been anonymised."))
        return case_group(case), case.id, None, None
    parent = meeting if meeting is not None else decision
    if parent is None:
        raise OperationRefused(_l("A document belongs to a case, a meeting or a decision."))
    group = parent.group
    if not may_see_content(user, group):
        raise AccessRefused(_l("You do not take part in this group."))
    if decision is not None and decision.published_at is None:
        raise OperationRefused(_l("The decision has not been published yet."))
    if group.case_id is not None:
        linked = db.session.get(Case, group.case_id)
        if linked is not None and linked.anonymised_at is not None:
            raise OperationRefused(_l("The case has been anonymised."))
    return (group, group.case_id, meeting.id if meeting is not None else None,
            decision.id if decision is not None else None)


def add_document(user, *, stream: BinaryIO, filename: str | None, level: str, case=None,
                 meeting=None, decision=None, task=None) -> Document:
    """Store an uploaded file and add its row, attached to a case, a meeting or a decision
    (or, through ``task``, to what the task belongs to)."""
    group, case_id, meeting_id, decision_id = _target(user, case=case, meeting=meeting,
                                                      decision=decision, task=task)
    try:
        level = NoteLevel(level).value
    except ValueError as error:
        raise OperationRefused(_l("Choose who may read the document.")) from error
    checked = check_upload(stream)
    digest = _sha256(stream)
    key = storage_mod.new_key()
    storage_mod.get_storage().save(key, stream)
    storage_mod.delete_on_rollback(db.session(), key)
    document = Document(
        municipality_id=group.municipality_id, group_id=group.id, case_id=case_id,
        meeting_id=meeting_id, decision_id=decision_id,
        task_id=task.id if task is not None else None, level=level,
        filename=clean_filename(filename, checked.content_type),
        content_type=checked.content_type, size=checked.size, sha256=digest, storage_key=key,
        uploaded_by_id=user.id, uploader_institution_id=user.institution_id,
        uploaded_at=utcnow())
    db.session.add(document)
    db.session.flush()
    # No file name in the audit log: it may name the child.
    record("document_uploaded", document, user=user, details={
        "level": level, "content_type": checked.content_type, "size": checked.size,
        "case_id": case_id, "meeting_id": meeting_id, "decision_id": decision_id,
        "task_id": document.task_id})
    return document


def open_for_download(user, document: Document) -> BinaryIO:
    """The stored file of a document the user may see (loaded by ``get_document_or_404``);
    every download is in the audit log."""
    record("document_downloaded", document, user=user, details={
        "case_id": document.case_id, "meeting_id": document.meeting_id,
        "decision_id": document.decision_id})
    return storage_mod.get_storage().open(document.storage_key)


def remove_case_documents(case) -> int:
    """Delete the rows of every document concerning the case (its own and those of its group's
    meetings and decisions); their files are deleted once the transaction commits."""
    documents = db.session.scalars(select(Document).where(Document.case_id == case.id)).all()
    for document in documents:
        storage_mod.delete_after_commit(db.session(), document.storage_key)
        db.session.delete(document)
    db.session.flush()
    return len(documents)
