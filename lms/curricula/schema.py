"""The curriculum document: one definition of its rules, used by the file loader and the Centre's form.

A document is the dict form of a curriculum file (see curricula/README.md). ``validate`` returns every
problem with the field it concerns (``topics[2].hours``) and a translatable message, so the CLI can
name file and field and the UI can put the message on the right input.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from lms.curricula.vocab import AUDIENCES, COUNTRIES, LANGS, RISK_LEVELS, SECTORS, STATUSES

CODE_RE = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)*$")
LINES_RE = re.compile(r"^(\d+)(?:-(\d+))?$")
TOP_FIELDS = ("code", "version", "status", "country", "audience", "sector", "risk_level", "min_hours",
              "validity_months", "title", "description", "topics")
TOPIC_FIELDS = ("title", "hours", "outcomes", "sources")
SOURCE_FIELDS = ("act", "section", "seed", "lines")

# The source documents reviewers check citations against (shared/seeds/), with their line counts.
SEEDS = {
    "000_0bc4040288add545.txt": 61,
    "001_2fac2be8ce76cb66.txt": 1253,
    "002_0a7c0a798492aed5.txt": 2153,
    "003_3d7ce8b091c20ed4.txt": 377,
    "004_4601917fbc8d4e68.txt": 326,
}


@dataclass(frozen=True)
class Problem:
    field: str
    message: Any  # a lazy translatable string

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field: str, message: Any) -> None:
        self.problems.append(Problem(field, message))

    def unknown_keys(self, data: dict, allowed: tuple[str, ...], prefix: str) -> None:
        for key in data:
            if key not in allowed:
                self.add(f"{prefix}{key}", _l("Unknown field."))

    def text(self, value: Any, field: str, max_length: int = 2000) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.add(field, _l("Enter a text."))
            return None
        if len(value) > max_length:
            self.add(field, _l("Too long: at most %(n)s characters.", n=max_length))
        return value

    def localized(self, value: Any, field: str, required: tuple[str, ...] = LANGS, max_length: int = 2000) -> None:
        if not isinstance(value, dict):
            self.add(field, _l("Give the text in kk, ru, ky and en."))
            return
        for lang in required:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                self.add(f"{field}.{lang}", _l("The text in this language is missing."))
            elif len(value[lang]) > max_length:
                self.add(f"{field}.{lang}", _l("Too long: at most %(n)s characters.", n=max_length))
        for lang in value:
            if lang not in LANGS:
                self.add(f"{field}.{lang}", _l("Unknown language."))

    def integer(self, value: Any, field: str, minimum: int = 1, maximum: int = 10000) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(field, _l("Enter a whole number."))
            return None
        if not minimum <= value <= maximum:
            self.add(field, _l("Enter a number from %(min)s to %(max)s.", min=minimum, max=maximum))
            return None
        return value

    def choice(self, value: Any, field: str, choices: dict) -> None:
        if value not in choices:
            self.add(field, _l("Choose one of: %(choices)s.", choices=", ".join(choices)))


def _check_source(check: _Checker, source: Any, field: str) -> None:
    if not isinstance(source, dict):
        check.add(field, _l("A source needs act, section, seed and lines."))
        return
    check.unknown_keys(source, SOURCE_FIELDS, f"{field}.")
    check.localized(source.get("act"), f"{field}.act", required=("ru",), max_length=400)
    check.text(source.get("section"), f"{field}.section", max_length=300)
    seed = source.get("seed")
    if seed not in SEEDS:
        check.add(f"{field}.seed", _l("Name one of the seed files: %(names)s.", names=", ".join(SEEDS)))
        return
    lines = str(source.get("lines", ""))
    match = LINES_RE.match(lines)
    if not match:
        check.add(f"{field}.lines", _l("Give a line or a range of lines, e.g. 921-958."))
        return
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if not 1 <= first <= last <= SEEDS[seed]:
        check.add(f"{field}.lines", _l("The lines must lie within the file (1 to %(n)s).", n=SEEDS[seed]))


def validate(data: Any, *, filename: str | None = None) -> list[Problem]:
    """Every problem of a curriculum document; an empty list means it can be loaded."""
    check = _Checker()
    if not isinstance(data, dict):
        return [Problem("-", _l("A curriculum file must be a mapping of fields."))]
    check.unknown_keys(data, TOP_FIELDS, "")
    for key in TOP_FIELDS:
        if key not in data:
            check.add(key, _l("This field is required."))

    code = data.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code) or not 3 <= len(code) <= 40:
        check.add("code", _l("Use 3 to 40 upper-case letters, digits and dashes, e.g. KZ-OSH-MGR."))
    elif filename is not None and filename.rsplit("/", 1)[-1] not in (f"{code}.yaml", f"{code}.yml"):
        check.add("code", _l("The file must be named after its code: %(name)s.", name=f"{code}.yaml"))
    if "version" in data:
        check.integer(data.get("version"), "version", 1, 100000)
    if "status" in data:
        check.choice(data.get("status"), "status", STATUSES)
    if "country" in data:
        check.choice(data.get("country"), "country", COUNTRIES)
    if "audience" in data:
        check.choice(data.get("audience"), "audience", AUDIENCES)
    if "sector" in data:
        check.choice(data.get("sector"), "sector", SECTORS)
    if "risk_level" in data:
        check.choice(data.get("risk_level"), "risk_level", RISK_LEVELS)
    min_hours = check.integer(data.get("min_hours"), "min_hours", 1, 2000) if "min_hours" in data else None
    if "validity_months" in data:
        check.integer(data.get("validity_months"), "validity_months", 1, 120)
    if "title" in data:
        check.localized(data.get("title"), "title", max_length=300)
    if "description" in data:
        check.localized(data.get("description"), "description", max_length=4000)

    topics = data.get("topics")
    if "topics" in data and (not isinstance(topics, list) or not topics):
        check.add("topics", _l("Give at least one topic."))
        topics = []
    total = 0
    for index, topic in enumerate(topics or [], start=1):
        prefix = f"topics[{index}]"
        if not isinstance(topic, dict):
            check.add(prefix, _l("A topic needs a title, hours, outcomes and sources."))
            continue
        check.unknown_keys(topic, TOPIC_FIELDS, f"{prefix}.")
        check.localized(topic.get("title"), f"{prefix}.title", max_length=300)
        hours = check.integer(topic.get("hours"), f"{prefix}.hours", 1, 500)
        total += hours or 0
        outcomes = topic.get("outcomes")
        if not isinstance(outcomes, list) or not outcomes:
            check.add(f"{prefix}.outcomes", _l("Give at least one learning outcome."))
        else:
            for n, outcome in enumerate(outcomes, start=1):
                check.localized(outcome, f"{prefix}.outcomes[{n}]", max_length=1000)
        sources = topic.get("sources")
        if not isinstance(sources, list) or not sources:
            check.add(f"{prefix}.sources", _l("Cite at least one legal or documentary source."))
        else:
            for n, source in enumerate(sources, start=1):
                _check_source(check, source, f"{prefix}.sources[{n}]")
    if min_hours is not None and topics and total != min_hours:
        check.add("min_hours", _l("The topics add up to %(total)s hours, not %(min)s: the minimum hours must "
                                  "equal the sum of the topics' hours.", total=total, min=min_hours))
    return check.problems


def _clean_localized(value: dict[str, str]) -> dict[str, str]:
    return {lang: value[lang].strip() for lang in LANGS if isinstance(value.get(lang), str) and value[lang].strip()}


def normalise(data: dict[str, Any]) -> dict[str, Any]:
    """A validated document in canonical form (key order, trimmed texts, lines as text)."""
    doc = {key: data[key] for key in TOP_FIELDS if key != "topics"}
    doc["title"] = _clean_localized(data["title"])
    doc["description"] = _clean_localized(data["description"])
    doc["topics"] = [
        {
            "title": _clean_localized(t["title"]),
            "hours": t["hours"],
            "outcomes": [_clean_localized(o) for o in t["outcomes"]],
            "sources": [
                {"act": _clean_localized(s["act"]), "section": s["section"].strip(), "seed": s["seed"],
                 "lines": str(s["lines"])}
                for s in t["sources"]
            ],
        }
        for t in data["topics"]
    ]
    return doc


def content_hash(doc: dict[str, Any]) -> str:
    """Hash of what a curriculum teaches (everything but code, version and status)."""
    content = {k: v for k, v in doc.items() if k not in ("code", "version", "status")}
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
