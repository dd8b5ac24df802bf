"""Assessment fixtures: a candidate with a training record on KZ-FIRST-AID and a generated bank for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from lms.assessments import banks
from lms.extensions import db
from lms.training import completion, enrolment
from tests.training.conftest import make_course, setup, trainee  # noqa: F401  (shared fixtures)

CODE = "KZ-FIRST-AID"
SOURCE = {"act": "Трудовой кодекс РК", "section": "гл. 21", "seed": "002_0a7c0a798492aed5.txt", "lines": "304-327"}


def question(n: int, topic: int, kind: str = "single") -> dict[str, Any]:
    options = [{"id": letter, "text": {"ru": f"Вариант {letter} {n}", "kk": f"Нұсқа {letter} {n}"}}
               for letter in ("ab" if kind == "true_false" else "abcd")]
    options[0]["correct"] = True
    if kind == "multiple":
        options[1]["correct"] = True
    return {"id": f"{CODE}-{9000 + n}", "topic": topic, "type": kind,
            "text": {"ru": f"Вопрос {n} по теме {topic}?", "kk": f"{topic}-тақырып бойынша {n}-сұрақ?"},
            "options": options, "explanation": {"ru": "Потому что.", "kk": "Себебі."}, "source": SOURCE}


def write_bank(directory: Path, per_topic: int = 6, topics: int = 8, code: str = CODE) -> Path:
    folder = directory / code
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for topic in range(1, topics + 1):
        items = []
        for _ in range(per_topic):
            n += 1
            items.append(question(n, topic, ("single", "multiple", "true_false")[n % 3]))
        (folder / f"topic-{topic:02d}.yaml").write_text(yaml.safe_dump(items, allow_unicode=True, sort_keys=False),
                                                        encoding="utf-8")
    return directory


@dataclass
class Exam:
    test: Any
    candidate: Any
    record: Any
    setup: Any
    course: Any


@pytest.fixture
def exam(app, tmp_path, setup, make_course, make_user) -> Exam:  # noqa: F811
    report = banks.import_directory(write_bank(tmp_path / "banks", per_topic=8))
    assert not report.problems, report.problems
    course = make_course(code=CODE)
    candidate = make_user("candidate", iin=trainee(1)["iin"], email="candidate.exam@example.kz")
    with app.test_request_context():
        row, _ = enrolment.enrol(course, trainee(1, audience="workers"), actor=setup.manager)
    enrolment.link_to(row, candidate, candidate)
    completion.record_attendance(row, {t.position for t in course.version.topics}, setup.manager)
    record = completion.complete(row, setup.manager)
    test = banks.ensure_test_definition(course.curriculum)
    db.session.commit()
    return Exam(test, candidate, record, setup, course)


def answer_all(attempt, correct: bool = True) -> None:
    from lms.assessments import attempts

    for item in attempt.items:
        key = sorted(item.version.key())
        wrong = [o for o in item.option_order if o not in key][:1]
        attempts.save_answer(attempt, item.position, key if correct else wrong, None, actor=None)


def days(n: int) -> timedelta:
    return timedelta(days=n)


