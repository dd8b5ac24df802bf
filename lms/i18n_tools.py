"""Catalog helpers: ``python -m lms.i18n_tools fill-en`` (English msgstr = msgid) and ``missing``.

The check used by the test suite lives here too: it extracts every translatable string from the
source and templates and reports, per language, the ones without a (non-fuzzy) translation.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "lms" / "translations"
LANGUAGES = ("kk", "ru", "ky", "en")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHODS = [("lms/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def source_messages() -> set[str]:
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.do"}},
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return {m for m in found if m}


def missing(lang: str, wanted: set[str] | None = None) -> list[str]:
    wanted = source_messages() if wanted is None else wanted
    path = po_path(lang)
    if not path.exists():
        return sorted(wanted)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    absent = []
    for msgid in wanted:
        entry = catalog.get(msgid)
        text = entry.string if entry is not None else None
        ok = all(text) if isinstance(text, tuple | list) else bool(text)
        if entry is None or not ok or entry.fuzzy:
            absent.append(msgid)
    return sorted(absent)


def fill_en() -> None:
    path = po_path("en")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            message.string = tuple(message.id)
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=76, omit_header=False)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "missing"
    if command == "fill-en":
        fill_en()
    elif command == "missing":
        messages = source_messages()
        total = 0
        for language in LANGUAGES:
            gaps = missing(language, messages)
            total += len(gaps)
            print(f"{language}: {len(gaps)} missing")
            for msgid in gaps[:20]:
                print(f"   {msgid!r}")
        sys.exit(1 if total else 0)
    else:
        sys.exit(f"unknown command {command}")
