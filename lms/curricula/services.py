"""Curriculum operations: build versions from documents, the Centre's edits, status changes, and the
file loader and exporter. Services flush; the caller (request or CLI command) commits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms import audit
from lms.clock import utcnow
from lms.curricula import schema
from lms.curricula.models import Curriculum, CurriculumTopic, CurriculumVersion
from lms.domain import ValidationFailed
from lms.extensions import db


def get_by_code(code: str) -> Curriculum | None:
    return db.session.scalar(select(Curriculum).where(Curriculum.code == code))


def _version_from(doc: dict[str, Any], number: int, origin: str, actor: Any = None) -> CurriculumVersion:
    version = CurriculumVersion(
        version=number, origin=origin, in_files=origin == "file", content_hash=schema.content_hash(doc),
        title=doc["title"], description=doc["description"], country=doc["country"], audience=doc["audience"],
        sector=doc["sector"], risk_level=doc["risk_level"], min_hours=doc["min_hours"],
        validity_months=doc["validity_months"], created_by_id=getattr(actor, "id", None),
    )
    version.topics = [
        CurriculumTopic(position=i, hours=t["hours"], title=t["title"], outcomes=t["outcomes"], sources=t["sources"])
        for i, t in enumerate(doc["topics"], start=1)
    ]
    return version


def document(curriculum: Curriculum, version: CurriculumVersion | None = None) -> dict[str, Any]:
    """The file form of a curriculum version (the current one by default)."""
    v = version or curriculum.current
    return {
        "code": curriculum.code, "version": v.version, "status": curriculum.status, "country": v.country,
        "audience": v.audience, "sector": v.sector, "risk_level": v.risk_level, "min_hours": v.min_hours,
        "validity_months": v.validity_months, "title": dict(v.title), "description": dict(v.description),
        "topics": [{"title": dict(t.title), "hours": t.hours, "outcomes": [dict(o) for o in t.outcomes],
                    "sources": [dict(s) for s in t.sources]} for t in v.topics],
    }


def _checked(data: dict[str, Any], filename: str | None = None) -> dict[str, Any]:
    problems = schema.validate(data, filename=filename)
    if problems:
        errors: dict[str, list[Any]] = {}
        for problem in problems:
            errors.setdefault(problem.field, []).append(problem.message)
        raise ValidationFailed(errors)
    return schema.normalise(data)


def _set_status(curriculum: Curriculum, status: str) -> None:
    curriculum.status = status
    curriculum.retired_at = utcnow() if status == "retired" else None


def create(data: dict[str, Any], actor: Any = None) -> Curriculum:
    """The Centre creates a curriculum in the UI (version 1)."""
    data = {**data, "version": 1}
    doc = _checked(data)
    if get_by_code(doc["code"]) is not None:
        raise ValidationFailed(code=_l("This code is already taken; codes are never reused."))
    curriculum = Curriculum(code=doc["code"])
    _set_status(curriculum, doc["status"])
    curriculum.versions.append(_version_from(doc, 1, "ui", actor))
    db.session.add(curriculum)
    db.session.flush()
    audit.record("curriculum.created", curriculum, actor=actor,
                 after={"code": curriculum.code, "version": 1, "status": curriculum.status})
    return curriculum


def edit(curriculum: Curriculum, data: dict[str, Any], actor: Any = None) -> CurriculumVersion:
    """The Centre edits: a draft changes in place; an active or retired curriculum gets a new version,
    and everything that used an older version keeps it."""
    current = curriculum.current
    doc = _checked({**data, "code": curriculum.code, "version": current.version, "status": curriculum.status})
    new_hash = schema.content_hash(doc)
    if new_hash == current.content_hash:
        return current
    before = {"version": current.version, "hash": current.content_hash}
    if curriculum.status == "draft":
        curriculum.versions.remove(current)  # an unused draft: replaced, not versioned
        db.session.flush()
        version = _version_from(doc, current.version, "ui", actor)
    else:
        version = _version_from(doc, current.version + 1, "ui", actor)
    curriculum.versions.append(version)
    db.session.flush()
    audit.record("curriculum.edited", curriculum, actor=actor, before=before,
                 after={"version": version.version, "hash": version.content_hash})
    return version


# The Centre's status changes: from a status, the statuses it may go to, and the audited action of each.
TRANSITIONS = {"draft": {"active"}, "active": {"retired"}, "retired": {"active"}}
STATUS_ACTIONS = {"active": "curriculum.activated", "retired": "curriculum.retired"}


def change_status(curriculum: Curriculum, status: str, actor: Any = None, reason: str | None = None) -> None:
    if status not in TRANSITIONS[curriculum.status]:
        raise ValidationFailed(status=_l("This change of status is not allowed."))
    before = curriculum.status
    _set_status(curriculum, status)
    audit.record(STATUS_ACTIONS[status], curriculum, actor=actor, before={"status": before},
                 after={"status": status}, note=reason)


# ---------------------------------------------------------------------------- files
@dataclass
class LoadReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _read(path: Path) -> tuple[Any, str | None]:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return None, f"{path.name}: not valid YAML: {exc}".replace("\n", " ")


def read_directory(directory: Path) -> Iterator[tuple[Path, Any, list[str]]]:
    """Each curriculum file (``*.yaml``, ``*.yml``) with its data and its problems as ``file: field: message``
    lines, a code already used by an earlier file included. The loader and ``flask curricula validate``
    share it, so both judge the same files the same way."""
    seen: dict[str, str] = {}
    for path in sorted(p for p in directory.glob("*.y*ml") if p.suffix in (".yaml", ".yml")):
        data, error = _read(path)
        if error:
            yield path, None, [error]
            continue
        problems = schema.validate(data, filename=path.name)
        code = data.get("code") if isinstance(data, dict) else None
        if isinstance(code, str) and code in seen:
            problems.append(schema.Problem("code", _l("Duplicate code: %(code)s is also in %(other)s.",
                                                      code=code, other=seen[code])))
        if not problems:
            seen[code] = path.name
        yield path, data, [f"{path.name}: {p}" for p in problems]


def load_directory(directory: Path) -> LoadReport:
    """Bring the curriculum files into the database, one file at a time and each all-or-nothing.

    Adds new codes and newer file versions. A version the Centre edited in the UI and that is not yet in
    the files is never overwritten: the file is reported as a conflict instead.
    """
    report = LoadReport()
    for path, data, errors in read_directory(directory):
        if errors:
            report.errors.extend(errors)
            continue
        with db.session.begin_nested():
            _load_one(schema.normalise(data), path.name, report)
    return report


def _load_one(doc: dict[str, Any], filename: str, report: LoadReport) -> None:
    code, number, digest = doc["code"], doc["version"], schema.content_hash(doc)
    curriculum = get_by_code(code)
    if curriculum is None:
        curriculum = Curriculum(code=code)
        _set_status(curriculum, doc["status"])
        curriculum.versions.append(_version_from(doc, number, "file"))
        db.session.add(curriculum)
        db.session.flush()
        audit.record("curriculum.loaded", curriculum, after={"code": code, "version": number, "file": filename})
        report.added.append(f"{code} v{number}")
        return
    latest = curriculum.current
    existing = next((v for v in curriculum.versions if v.version == number), None)
    if existing is not None:
        if existing.content_hash == digest:
            existing.in_files = True
            report.unchanged.append(f"{code} v{number}")
        elif existing.origin == "ui":
            report.conflicts.append(f"{filename}: version {number} of {code} was edited by the Centre in the UI and "
                                    "differs from the file; the database keeps the Centre's version. Run "
                                    "'flask curricula export', merge, and raise the file's version.")
        else:
            report.conflicts.append(f"{filename}: the content of {code} version {number} changed but its version "
                                    "number did not; raise 'version' to publish the change.")
        return
    if number < latest.version:
        report.unchanged.append(f"{code} v{number} (the database has v{latest.version})")
        return
    if not latest.in_files:
        report.conflicts.append(f"{filename}: {code} version {latest.version} was edited by the Centre in the UI "
                                f"and is not in the files yet; file version {number} was not loaded. Run "
                                "'flask curricula export' and merge the two.")
        return
    curriculum.versions.append(_version_from(doc, number, "file"))
    if curriculum.status != doc["status"]:
        _set_status(curriculum, doc["status"])
    db.session.flush()
    audit.record("curriculum.loaded", curriculum,
                 before={"version": latest.version}, after={"version": number, "file": filename})
    report.updated.append(f"{code} v{latest.version} -> v{number}")


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')


_Dumper.add_representer(str, _str_presenter)


def dump(doc: dict[str, Any]) -> str:
    return yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120, indent=2)


def export_directory(directory: Path) -> list[Path]:
    """Write every curriculum's current version to ``<code>.yaml`` in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for curriculum in db.session.scalars(select(Curriculum).order_by(Curriculum.code)):
        path = directory / f"{curriculum.code}.yaml"
        path.write_text(dump(document(curriculum)), encoding="utf-8")
        written.append(path)
    return written
