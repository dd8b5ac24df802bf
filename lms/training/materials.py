"""Learning material per curriculum topic: Markdown files in curricula/materials/, rendered safely
(no raw HTML; markdown-it refuses javascript: and similar links)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

from lms import ROOT

MATERIALS = ROOT / "curricula" / "materials"
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def path_for(code: str, position: int, locale: str) -> Path:
    return MATERIALS / code / f"{position:02d}.{locale}.md"


@lru_cache(maxsize=512)
def _render(path: Path, mtime: float) -> Markup:
    return Markup(_markdown.render(path.read_text(encoding="utf-8")))  # noqa: S704 - html disabled above


def material(code: str, position: int, locales: tuple[str, ...]) -> tuple[str, Markup] | None:
    """The first available rendering among ``locales`` (the reader's language first), with its language."""
    for locale in locales:
        path = path_for(code, position, locale)
        if path.is_file():
            return locale, _render(path, path.stat().st_mtime)
    return None


def languages_for(country: str) -> tuple[str, ...]:
    return {"KZ": ("kk", "ru"), "KG": ("ky", "ru"), "BOTH": ("kk", "ky", "ru")}[country]
