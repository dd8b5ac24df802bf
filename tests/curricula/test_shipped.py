"""The seven shipped curricula: valid, complete, grounded in the seeds, periodicity per DOMAIN.md §4."""

import json

import jsonschema
import pytest
import yaml

from lms import ROOT
from lms.curricula import schema

FILES = sorted((ROOT / "curricula").glob("*.yaml"))
EXPECTED = {"KZ-OSH-MGR", "KG-OSH-MGR", "KZ-OSH-SPEC", "KZ-OSH-WREP", "KZ-OSH-MINING", "KZ-OSH-CONSTR",
            "KZ-FIRST-AID"}
SEEDS_DIR = ROOT.parent / "shared" / "seeds"


def _docs():
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in FILES}


def test_at_least_the_seven_curricula_ship():
    assert set(_docs()) >= EXPECTED


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_file_passes_the_loader_rules_and_the_json_schema(app, path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert schema.validate(data, filename=path.name) == []
    jsonschema.validate(data, json.loads((ROOT / "curricula" / "schema.json").read_text()))


def test_periodicity_follows_domain_rules():
    for code, doc in _docs().items():
        expected = 12 if doc["audience"] in ("workers", "hazardous_workers") else 36
        assert doc["validity_months"] == expected, code


def test_kyrgyz_curriculum_rests_on_the_kyrgyz_law():
    doc = _docs()["KG-OSH-MGR"]
    assert doc["country"] == "KG"
    acts = {s["act"]["ru"] for t in doc["topics"] for s in t["sources"]}
    assert any("Кыргызской Республики" in act and "охране труда" in act for act in acts)
    assert any(s["seed"].startswith("001_") for t in doc["topics"] for s in t["sources"])


def test_every_topic_cites_an_act_with_section_and_seed_lines():
    for code, doc in _docs().items():
        for topic in doc["topics"]:
            for source in topic["sources"]:
                assert source["act"]["ru"] and source["section"], code
                assert source["seed"] in schema.SEEDS and source["lines"], code


def test_seed_line_counts_match_the_seed_files():
    if not SEEDS_DIR.is_dir():
        pytest.skip("shared/seeds is not beside this checkout")
    for name, count in schema.SEEDS.items():
        assert len((SEEDS_DIR / name).read_text(encoding="utf-8").splitlines()) == count, name


def test_state_language_texts_use_their_own_alphabet():
    kazakh_only = set("әғқұһі")
    for code, doc in _docs().items():
        for topic in doc["topics"]:
            assert set(topic["title"]["kk"].lower()) & set("абвгдеәғқңөұүһі"), code
            assert not set(topic["title"]["ky"].lower()) & kazakh_only, code
