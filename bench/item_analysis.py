"""Item analysis and training quality on many attempts: ``python -m bench.item_analysis [N]``.

Builds a throwaway SQLite database (or uses LMS_BENCH_DATABASE_URL), loads the shipped curricula, banks and
demo data, bulk-inserts N finished attempts of 20 drawn questions each (answers by a simple ability model),
then times the SQL aggregates behind /centre/item-analysis and /centre/quality. Writes
bench/results/item-analysis-<database>.json. Never part of the test suite."""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def main(n: int) -> int:
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from lms import ROOT, create_app
    from lms.assessments import analysis, stats
    from lms.assessments.banks import import_directory
    from lms.assessments.models import Attempt, AttemptAnswer, AttemptItem, Question, TestDefinition
    from lms.curricula.models import Curriculum
    from lms.curricula.services import load_directory
    from lms.demo.seed import seed
    from lms.extensions import db
    from lms.training.models import TrainingRecord

    workdir = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    url = os.environ.get("LMS_BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False, "PASSWORD_TIME_COST": 1,
                      "PASSWORD_MEMORY_COST": 8})
    timings: dict[str, float] = {}
    with app.app_context():
        upgrade()
        load_directory(ROOT / "curricula")
        import_directory(ROOT / "question_banks")
        seed()
        db.session.commit()
        curriculum = db.session.scalar(select(Curriculum).where(Curriculum.code == "KZ-OSH-MGR"))
        test = db.session.scalar(select(TestDefinition).where(TestDefinition.curriculum_id == curriculum.id))
        record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.curriculum_id == curriculum.id,
                                                                TrainingRecord.user_id.is_not(None)))
        by_topic: dict[int, list] = {}
        for question in db.session.scalars(select(Question).where(Question.curriculum_id == curriculum.id)):
            by_topic.setdefault(question.topic, []).append(question.current)
        rng = random.Random(1)  # noqa: S311 - a reproducible simulation, not security
        start = time.perf_counter()
        next_attempt = (db.session.scalar(select(db.func.max(Attempt.id))) or 0) + 1
        next_item = (db.session.scalar(select(db.func.max(AttemptItem.id))) or 0) + 1
        base = datetime(2026, 1, 1, tzinfo=UTC)
        chunk = 5000
        for offset in range(0, n, chunk):
            attempts, items, answers = [], [], []
            for k in range(offset, min(n, offset + chunk)):
                ability = min(0.98, max(0.05, rng.gauss(0.7, 0.15)))
                started = base + timedelta(minutes=k)
                score, position = 0, 0
                attempt_id = next_attempt + k
                for topic, count in test.blueprint.items():
                    for version in rng.sample(by_topic[int(topic)], count):
                        position += 1
                        key = sorted(o["id"] for o in version.options if o.get("correct"))
                        right = rng.random() < ability
                        chosen = key if right else [o["id"] for o in version.options if o["id"] not in key][:1]
                        score += right
                        items.append({"id": next_item, "attempt_id": attempt_id, "position": position,
                                      "question_version_id": version.id, "topic": int(topic),
                                      "option_order": [o["id"] for o in version.options], "flagged": False,
                                      "correct": right, "answered_at": started})
                        answers.extend({"item_id": next_item, "option_id": o} for o in chosen)
                        next_item += 1
                percent = round(100 * score / position)
                attempts.append({"id": attempt_id, "test_id": test.id, "candidate_id": record.user_id,
                                 "training_record_id": record.id, "number": 1 + (k % 3), "language": "kk",
                                 "status": "finished", "started_at": started,
                                 "deadline_at": started + timedelta(minutes=30),
                                 "finished_at": started + timedelta(minutes=20), "score": score,
                                 "max_score": position, "percent": percent,
                                 "passed": percent >= test.pass_mark_percent, "device_hash": "bench",
                                 "device_unlocked": False})
            db.session.execute(insert(Attempt), attempts)
            db.session.execute(insert(AttemptItem), items)
            db.session.execute(insert(AttemptAnswer), answers)
            db.session.commit()
        timings["bulk_insert_s"] = round(time.perf_counter() - start, 1)
        t0 = time.perf_counter()
        stats.rebuild(test.id)  # the running sums, as grading would have kept them
        db.session.commit()
        timings["rebuild_sums_from_attempts_s"] = round(time.perf_counter() - t0, 2)
        for name, func in (("item_statistics_s", lambda: analysis.item_statistics(test)),
                           ("quality_s", lambda: analysis.quality())):
            func()  # warm the cache
            samples = []
            for _ in range(3):
                t0 = time.perf_counter()
                func()
                samples.append(time.perf_counter() - t0)
            timings[name] = round(min(samples), 3)
        result = analysis.item_statistics(test)
    report = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "attempts": n,
              "database": url.split("://")[0].split("+")[0], "timings": timings,
              "result": {k: result[k] for k in ("attempts", "mean", "sd", "pass_rate", "alpha")},
              "questions": len(result["items"])}
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"item-analysis-{report['database']}.json"
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
