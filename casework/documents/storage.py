"""Where document files are kept: a small interface with a local-folder backend and an
S3-compatible backend (used when ``CASEWORK_STORAGE_S3_BUCKET`` is set; needs boto3).

Files are stored under random keys, never under the user's file name. Writes and deletions
follow the database transaction: a file saved by a request that rolls back is removed, and a
file whose row is deleted is removed only after the commit (``delete_after_commit``).
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

_TO_DELETE = "documents_delete_after_commit"
_ON_ROLLBACK = "documents_delete_on_rollback"


class Storage(Protocol):
    """What the documents domain needs of a storage backend."""

    def save(self, key: str, stream: BinaryIO) -> None: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


def new_key() -> str:
    """A random storage key (hex: safe as a file name and an object key)."""
    return secrets.token_hex(20)


def _checked(key: str) -> str:
    if not key or not all(c in "0123456789abcdef" for c in key):
        raise ValueError("invalid storage key")
    return key


class LocalStorage:
    """Files in a folder, spread over 256 sub-folders by the key's first two characters."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        key = _checked(key)
        return self.root / key[:2] / key

    def save(self, key: str, stream: BinaryIO) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # O_EXCL: a key is never reused; owner-only permissions: the files hold personal data.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(stream, out)

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def __repr__(self) -> str:
        return f"<LocalStorage {self.root}>"


class S3Storage:
    """Objects in an S3-compatible bucket (AWS, MinIO, Ceph...). ``client`` may be given (a
    test double); otherwise a boto3 client is made, with ``endpoint_url`` if set."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None,
                 client=None):
        if client is None:
            try:
                import boto3
            except ImportError as error:  # pragma: no cover - depends on the deployment
                raise RuntimeError("CASEWORK_STORAGE_S3_BUCKET is set but boto3 is not "
                                   "installed: pip install boto3") from error
            client = boto3.client("s3", endpoint_url=endpoint_url or None)
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _key(self, key: str) -> str:
        return self.prefix + _checked(key)

    def save(self, key: str, stream: BinaryIO) -> None:
        self.client.upload_fileobj(stream, self.bucket, self._key(key),
                                   ExtraArgs={"ServerSideEncryption": "AES256"})

    def open(self, key: str) -> BinaryIO:
        return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except Exception:  # noqa: BLE001 - botocore's ClientError, or a test double's
            return False
        return True

    def __repr__(self) -> str:
        return f"<S3Storage {self.bucket}/{self.prefix}>"


def get_storage() -> Storage:
    """The app's storage backend (made once per app)."""
    app = current_app._get_current_object()
    storage = app.extensions.get("document_storage")
    if storage is None:
        bucket = app.config.get("STORAGE_S3_BUCKET")
        if bucket:
            storage = S3Storage(bucket, app.config.get("STORAGE_S3_PREFIX") or "",
                                app.config.get("STORAGE_S3_ENDPOINT_URL"))
        else:
            root = app.config.get("STORAGE_PATH") or os.path.join(app.instance_path,
                                                                   "documents")
            storage = LocalStorage(root)
        app.extensions["document_storage"] = storage
    return storage


def delete_on_rollback(session: Session, key: str) -> None:
    """Remove the saved file ``key`` if the transaction that saved it rolls back."""
    session.info.setdefault(_ON_ROLLBACK, []).append((get_storage(), key))


def delete_after_commit(session: Session, key: str) -> None:
    """Remove the file ``key`` once the transaction that deleted its row has committed."""
    session.info.setdefault(_TO_DELETE, []).append((get_storage(), key))


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    session.info.pop(_ON_ROLLBACK, None)
    for storage, key in session.info.pop(_TO_DELETE, []):
        storage.delete(key)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction):
    # Reached after a commit too, but ``_after_commit`` has emptied the lists by then; what is
    # left belongs to a transaction that rolled back or was closed without committing.
    if transaction.parent is not None:
        return
    session.info.pop(_TO_DELETE, None)
    for storage, key in session.info.pop(_ON_ROLLBACK, []):
        storage.delete(key)
