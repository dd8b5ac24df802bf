"""The shipped banks: valid, imported, at least 60 questions per curriculum in Russian and the state language."""

import json

import jsonschema
import pytest
import yaml

from lms import ROOT
from lms.assessments import banks

SCHEMA = json.loads((ROOT / "question_banks" / "schema.json").read_text())
FILES = sorted((ROOT / "question_banks").glob("*/topic-*.yaml"))
CURRICULA = sorted(p.stem for p in (ROOT / "curricula").glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_file_matches_the_json_schema(path):
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), SCHEMA)


def test_validator_finds_no_problem():
    _questions, problems = banks.read_directory(ROOT / "question_banks")
    assert problems == []


@pytest.mark.parametrize("code", CURRICULA)
def test_every_curriculum_has_60_questions_in_russian_and_its_state_language(app, code):
    item = next((i for i in banks.stats() if i["code"] == code), None)
    assert item is not None, f"no bank for {code}"
    state = "ky" if code.startswith("KG-") else "kk"
    assert item["active"] >= 60
    assert item["ru"] >= 60 and item[state] >= 60


def test_every_shipped_test_can_be_drawn(app):
    from sqlalchemy import func, select

    from lms.assessments.models import Question, TestDefinition
    from lms.extensions import db

    for test in db.session.scalars(select(TestDefinition)):
        for topic, count in test.blueprint.items():
            available = db.session.scalar(select(func.count()).select_from(Question).where(
                Question.curriculum_id == test.curriculum_id, Question.topic == int(topic),
                Question.status == "active"))
            assert available >= count, (test.curriculum.code, topic)
