import boto3
import pytest
from moto import mock_aws

from lms.storage import LocalStorage, S3Storage, StorageError, make_storage


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        yield LocalStorage(str(tmp_path / "files"))
        return
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="lms-test")
        yield S3Storage("lms-test", client)


def test_put_get_exists_delete(store):
    store.put("documents/2026/a.pdf", b"%PDF-1.7 data", "application/pdf")
    assert store.exists("documents/2026/a.pdf")
    assert store.get("documents/2026/a.pdf") == b"%PDF-1.7 data"
    store.put("documents/2026/a.pdf", b"v2")
    assert store.get("documents/2026/a.pdf") == b"v2"
    store.delete("documents/2026/a.pdf")
    assert not store.exists("documents/2026/a.pdf")
    with pytest.raises(StorageError):
        store.get("documents/2026/a.pdf")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs/path", "a/../../b", "", "a//b", ".hidden"])
def test_keys_cannot_escape_the_storage(store, key):
    with pytest.raises(ValueError, match="invalid storage key"):
        store.put(key, b"x")


def test_local_storage_is_outside_the_web_root(app):
    from pathlib import Path

    root = Path(app.config["LMS_STORAGE_PATH"]).resolve()
    assert not str(root).startswith(str(Path(app.static_folder).resolve()))


def test_failing_disk_raises_storage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StorageError):
        LocalStorage(str(blocker)).put("a/b.txt", b"x")


def test_backend_chosen_by_configuration(tmp_path):
    assert isinstance(make_storage({"LMS_STORAGE_BACKEND": "local", "LMS_STORAGE_PATH": str(tmp_path)}), LocalStorage)
    with mock_aws():
        store = make_storage({"LMS_STORAGE_BACKEND": "s3", "LMS_S3_BUCKET": "b", "LMS_S3_ENDPOINT_URL": "",
                              "LMS_S3_REGION": "us-east-1"})
        assert isinstance(store, S3Storage) and store.bucket == "b"
