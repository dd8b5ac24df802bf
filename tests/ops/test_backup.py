"""`flask backup` and `flask restore`: a round trip gives back every row and stored file; a damaged archive,
a non-empty database or a half-written archive are refused with the reason, and nothing is touched."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from sqlalchemy import func, select

from lms.accounts import services
from lms.accounts.models import User
from lms.extensions import db
from lms.storage import storage


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def _archive(output: str) -> Path:
    return Path(output.strip().rsplit(" ", 1)[1])


def test_backup_and_restore_round_trip(own_app, tmp_path):
    services.create_user(email="kept@example.kz", full_name="Сохранённый", password="Correct-Horse-Battery-7")
    db.session.commit()
    storage().put("applications/1/licence.pdf", b"%PDF-1.4 kept")
    result = _invoke(own_app, "backup", "--dir", str(tmp_path / "backups"))
    assert result.exit_code == 0, result.output
    archive = _archive(result.output)
    assert archive.name.startswith("lms-backup-") and archive.suffixes[-2:] == [".tar", ".gz"]
    assert not list((tmp_path / "backups").glob("*.part"))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and "storage/applications/1/licence.pdf" in names

    # a non-empty database is not overwritten by accident
    refused = _invoke(own_app, "restore", str(archive))
    assert refused.exit_code != 0 and "--force" in refused.output

    # lose the data, then restore it
    db.session.delete(db.session.scalar(select(User).where(User.email == "kept@example.kz")))
    db.session.commit()
    storage().delete("applications/1/licence.pdf")
    restored = _invoke(own_app, "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "users 1" in restored.output
    user = db.session.scalar(select(User).where(User.email == "kept@example.kz"))
    assert user is not None and user.full_name == "Сохранённый"
    assert storage().get("applications/1/licence.pdf") == b"%PDF-1.4 kept"


def _rewritten(archive, target_path, change):
    """A copy of ``archive`` with each member's bytes passed through ``change(name, data)``."""
    with tarfile.open(archive) as source, tarfile.open(target_path, "w:gz") as target:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return target_path


def test_damaged_archives_are_refused_and_nothing_changes(own_app, tmp_path):
    services.create_user(email="one@example.kz", full_name="Один", password=None)
    db.session.commit()
    archive = _archive(_invoke(own_app, "backup", "--dir", str(tmp_path)).output)
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not a backup at all")
    result = _invoke(own_app, "restore", "--force", str(garbage))
    assert result.exit_code != 0 and "not a readable backup" in result.output
    half = tmp_path / "half.tar.gz"  # a copy cut off half way
    half.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    result = _invoke(own_app, "restore", "--force", str(half))
    assert result.exit_code != 0 and "not a readable backup" in result.output

    # an archive of the other kind of database
    def other_kind(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["database"] = "sqlite" if manifest["database"] == "postgresql" else "postgresql"
        return json.dumps(manifest).encode()

    other = _rewritten(archive, tmp_path / "other.tar.gz", other_kind)
    result = _invoke(own_app, "restore", "--force", str(other))
    assert result.exit_code != 0 and "this one is" in result.output

    # the database inside was changed after the backup: the checksum catches it
    def one_byte_flipped(name: str, data: bytes) -> bytes:
        if not name.startswith("database."):
            return data
        middle = len(data) // 2  # in the middle (zeros at the end may already be zeros)
        return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]

    tampered = _rewritten(archive, tmp_path / "tampered.tar.gz", one_byte_flipped)
    services.create_user(email="two@example.kz", full_name="Два", password=None)
    db.session.commit()
    result = _invoke(own_app, "restore", "--force", str(tampered))
    assert result.exit_code != 0 and "checksum" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 2  # untouched
