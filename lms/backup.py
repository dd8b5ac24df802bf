"""Backups: ``flask backup`` writes one archive with the database (SQLite's online backup API, or pg_dump's
custom format) and the locally stored files, with a manifest; ``flask restore`` puts both back and checks the
row counts against the manifest. An archive is written under a temporary name and renamed when complete, so
a half-written backup never looks like a backup."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from contextlib import closing
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


UNREADABLE = (OSError, EOFError, zlib.error, tarfile.TarError)  # what a cut-off or damaged .tar.gz raises


def _counts(connection: Any = None) -> dict[str, int]:
    """Row counts of the main tables, read on ``connection`` (default: the session)."""
    run = connection.execute if connection is not None else db.session.execute
    tables = set(inspect(db.engine).get_table_names())
    return {t: run(select(func.count()).select_from(text(t))).scalar() for t in COUNTED if t in tables}


def _revision() -> str | None:
    if not inspect(db.engine).has_table("alembic_version"):
        return None
    return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def _libpq() -> tuple[str, dict[str, str]]:
    """The database URL for pg_dump/pg_restore without its password, and the environment that carries it
    (a password on the command line is visible to every local user in ``ps``)."""
    url = db.engine.url.set(drivername="postgresql")
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    return url.set(password=None).render_as_string(hide_password=False), env


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while others write (into a live file, under its lock)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)  # noqa: S603
    except OSError as exc:
        raise BackupError(f"{command[0]} could not run: {exc}") from exc
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")


def _storage_root() -> Path | None:
    if current_app.config["LMS_STORAGE_BACKEND"] != "local":
        return None  # S3-compatible storage is backed up by the bucket's own versioning/replication
    return Path(current_app.config["LMS_STORAGE_PATH"])


def _dump_name(dialect: str) -> str:
    return "database.sqlite3" if dialect == "sqlite" else "database.dump"


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _dump(dump: Path) -> dict[str, int]:
    """Write the database to ``dump``; return the row counts of exactly what was written."""
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        _sqlite_copy(_sqlite_path(), dump)
        with closing(sqlite3.connect(dump)) as copy:
            names = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            return {t: copy.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed names
                    for t in COUNTED if t in names}
    if dialect == "postgresql":
        # count and dump one snapshot: pg_dump reads the snapshot this transaction exports
        with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar()
            counts = _counts(connection)
            url, env = _libpq()
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--file={dump}", f"--dbname={url}"], env)
            return counts
    raise BackupError(f"no backup method for {dialect}")


def backup(directory: Path) -> Path:
    """Write ``lms-backup-<UTC time>.tar.gz`` into ``directory`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    dialect = db.engine.dialect.name
    manifest: dict[str, Any] = {"format": 1, "created_at": utcnow().isoformat(timespec="seconds"),
                                "database": dialect, "revision": _revision(),
                                "storage": current_app.config["LMS_STORAGE_BACKEND"]}
    db.session.rollback()  # hold no transaction of the session while the dump runs
    try:
        with tempfile.TemporaryDirectory(dir=directory) as work:
            dump = Path(work) / _dump_name(dialect)
            manifest["counts"] = _dump(dump)
            manifest["database_sha256"] = _sha256(dump)
            partial = Path(work) / "archive.tar.gz"  # only a complete archive gets its name
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(dump, arcname=dump.name)
                root = _storage_root()
                files = 0
                if root is not None and root.is_dir():
                    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".tmp")):
                        archive.add(path, arcname=f"storage/{path.relative_to(root).as_posix()}")
                        files += 1
                manifest["storage_files"] = files
                data = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
            final = directory / f"lms-backup-{utcnow():%Y%m%dT%H%M%SZ}.tar.gz"
            os.replace(partial, final)
    except OSError as exc:
        raise BackupError(f"the backup could not be written: {exc}") from exc
    return final


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            return json.loads(member.read())
    except (*UNREADABLE, KeyError, ValueError) as exc:
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
    with tempfile.TemporaryDirectory() as work:
        try:
            with tarfile.open(path, "r:gz") as archive:
                archive.extractall(work, filter="data")
        except UNREADABLE as exc:  # before anything was replaced
            raise BackupError(f"{path} is not a readable backup: {exc}") from exc
        dump = Path(work) / _dump_name(dialect)
        if not dump.is_file() or _sha256(dump) != manifest.get("database_sha256"):
            raise BackupError("the database in the backup is missing or damaged (checksum mismatch)")
        db.session.remove()
        db.engine.dispose()
        if dialect == "sqlite":
            _sqlite_copy(dump, _sqlite_path())  # replaces every page of the live file, under its lock
        else:
            url, env = _libpq()
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                  f"--dbname={url}", str(dump)], env)
        stored = Path(work) / "storage"
        root = _storage_root()
        if stored.is_dir() and root is not None:
            root.mkdir(parents=True, exist_ok=True)
            shutil.copytree(stored, root, dirs_exist_ok=True)
    counts = _counts()
    if counts != manifest["counts"]:
        raise BackupError(f"restored row counts {counts} differ from the backup's {manifest['counts']}")
    return manifest
