"""Backups: ``flask backup`` writes one archive with the database (SQLite's online backup API, or pg_dump's
custom format) and the locally stored files, with a manifest; ``flask restore`` puts both back and checks the
row counts against the manifest. An archive is written under a temporary name and renamed when complete, so
a half-written backup never looks like a backup."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, inspect, select, text

from lms.clock import utcnow
from lms.extensions import db

# Tables whose row counts the manifest records and a restore must reproduce.
COUNTED = ("users", "organisations", "training_records", "attempts", "certificates", "audit_events")


class BackupError(RuntimeError):
    pass


def _counts() -> dict[str, int]:
    tables = set(inspect(db.engine).get_table_names())
    return {t: db.session.scalar(select(func.count()).select_from(text(t))) for t in COUNTED if t in tables}


def _revision() -> str | None:
    if not inspect(db.engine).has_table("alembic_version"):
        return None
    return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def _libpq_url() -> str:
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - fixed argv
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")


def _storage_root() -> Path | None:
    if current_app.config["LMS_STORAGE_BACKEND"] != "local":
        return None  # S3-compatible storage is backed up by the bucket's own versioning/replication
    return Path(current_app.config["LMS_STORAGE_PATH"])


def backup(directory: Path) -> Path:
    """Write ``lms-backup-<UTC time>.tar.gz`` into ``directory`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    dialect = db.engine.dialect.name
    manifest: dict[str, Any] = {"format": 1, "created_at": utcnow().isoformat(timespec="seconds"),
                                "database": dialect, "revision": _revision(), "counts": _counts(),
                                "storage": current_app.config["LMS_STORAGE_BACKEND"]}
    db.session.rollback()  # the counts are read; hold no transaction while the dump runs
    with tempfile.TemporaryDirectory(dir=directory) as work:
        dump = Path(work) / ("database.sqlite3" if dialect == "sqlite" else "database.dump")
        if dialect == "sqlite":
            source = sqlite3.connect(_sqlite_path())
            target = sqlite3.connect(dump)
            try:
                source.backup(target)  # a consistent copy while the site keeps running
            finally:
                target.close()
                source.close()
        elif dialect == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}",
                  f"--dbname={_libpq_url()}"])
        else:
            raise BackupError(f"no backup method for {dialect}")
        manifest["database_sha256"] = hashlib.sha256(dump.read_bytes()).hexdigest()
        name = f"lms-backup-{utcnow():%Y%m%dT%H%M%SZ}.tar.gz"
        partial = directory / (name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, arcname=dump.name)
            root = _storage_root()
            files = 0
            if root is not None and root.is_dir():
                for path in sorted(p for p in root.rglob("*") if p.is_file()):
                    archive.add(path, arcname=f"storage/{path.relative_to(root).as_posix()}")
                    files += 1
            manifest["storage_files"] = files
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        final = directory / name
        partial.rename(final)
    return final


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            return json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{path} is not a readable backup: {exc}") from exc


def restore(path: Path, force: bool = False) -> dict[str, Any]:
    """Put the archive's database and files back; refuse a non-empty database unless ``force``.
    Returns the manifest; raises BackupError with the reason when anything does not match."""
    manifest = read_manifest(path)
    dialect = db.engine.dialect.name
    if manifest.get("database") != dialect:
        raise BackupError(f"the backup is of a {manifest.get('database')} database, this one is {dialect}")
    if not force and _counts().get("users"):
        raise BackupError("the database is not empty; pass --force to replace it with the backup")
    db.session.rollback()
    with tempfile.TemporaryDirectory() as work, tarfile.open(path, "r:gz") as archive:
        archive.extractall(work, filter="data")
        dump = Path(work) / ("database.sqlite3" if dialect == "sqlite" else "database.dump")
        if not dump.is_file() or hashlib.sha256(dump.read_bytes()).hexdigest() != manifest.get("database_sha256"):
            raise BackupError("the database in the backup is missing or damaged (checksum mismatch)")
        db.session.remove()
        db.engine.dispose()
        if dialect == "sqlite":
            source = sqlite3.connect(dump)
            target = sqlite3.connect(_sqlite_path())
            try:
                source.backup(target)  # replaces every page of the live file, under its lock
            finally:
                target.close()
                source.close()
        else:
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                  f"--dbname={_libpq_url()}", str(dump)])
        stored = Path(work) / "storage"
        root = _storage_root()
        if stored.is_dir() and root is not None:
            root.mkdir(parents=True, exist_ok=True)
            shutil.copytree(stored, root, dirs_exist_ok=True)
    counts = _counts()
    if counts != manifest["counts"]:
        raise BackupError(f"restored row counts {counts} differ from the backup's {manifest['counts']}")
    return manifest
