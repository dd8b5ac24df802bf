import re

import pytest
import yaml

from lms import ROOT
from lms.training import materials

CURRICULA = sorted((ROOT / "curricula").glob("*.yaml"))


def _topics():
    for path in CURRICULA:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for lang in materials.languages_for(doc["country"]):
            if doc["country"] == "BOTH" and lang == "ky":
                continue
            for n, topic in enumerate(doc["topics"], start=1):
                yield doc["code"], n, lang, topic["title"][lang]


@pytest.mark.parametrize(("code", "position", "lang", "title"), list(_topics()),
                         ids=lambda v: str(v)[:20])
def test_every_topic_has_material_in_russian_and_the_state_language(code, position, lang, title):
    path = materials.path_for(code, position, lang)
    assert path.is_file(), path
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("## ")
    assert "<" not in text
    words = len(re.findall(r"\w+", text))
    assert 150 <= words <= 700, (path, words)


def test_rendering_is_safe():
    html = materials._markdown.render("## T\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))")
    assert "<script>" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://adilet.zan.kz"' in materials._markdown.render("[act](https://adilet.zan.kz)")
