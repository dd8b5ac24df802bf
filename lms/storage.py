"""File storage behind one small interface: a local directory (default) or S3-compatible storage.

Keys are relative paths such as ``documents/2026/ab12.pdf``; nothing is ever served from the
web root: files reach a browser only through a view that checks access first.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from flask import current_app

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class StorageError(RuntimeError):
    """The file storage failed (disk, network, or a missing object)."""


def _check_key(key: str) -> str:
    if not _KEY.match(key) or ".." in key.split("/"):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


class LocalStorage:
    def __init__(self, root: str):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write to a temporary file, then rename: a reader never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError as exc:
            raise StorageError(str(exc)) from exc

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except OSError as exc:
            raise StorageError(str(exc)) from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(str(exc)) from exc


class S3Storage:
    def __init__(self, bucket: str, client: object):
        self.bucket = bucket
        self.client = client

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        key = _check_key(key)
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        except Exception as exc:  # botocore raises many types; all mean the same to callers
            raise StorageError(str(exc)) from exc

    def get(self, key: str) -> bytes:
        key = _check_key(key)
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except Exception as exc:
            raise StorageError(str(exc)) from exc

    def exists(self, key: str) -> bool:
        key = _check_key(key)
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except Exception:  # noqa: BLE001
            return False
        return True

    def delete(self, key: str) -> None:
        key = _check_key(key)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            raise StorageError(str(exc)) from exc


def make_storage(config: dict) -> LocalStorage | S3Storage:
    if config["LMS_STORAGE_BACKEND"] == "s3":
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=config["LMS_S3_ENDPOINT_URL"] or None,
            region_name=config["LMS_S3_REGION"],
        )
        return S3Storage(config["LMS_S3_BUCKET"], client)
    return LocalStorage(config["LMS_STORAGE_PATH"])


def storage() -> LocalStorage | S3Storage:
    return current_app.extensions["lms_storage"]
