"""Item analysis and quality against numbers computed by hand."""

import math
import random

from sqlalchemy import select

from lms.assessments import analysis, attempts
from lms.assessments.models import Attempt, AttemptItem
from lms.extensions import db
from tests.assessments.conftest import answer_all


def _pearson(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    vx = sum((x - mx) ** 2 for x in xs)
    vy = sum((y - my) ** 2 for y in ys)
    return cov / math.sqrt(vx * vy)


def _make_attempts(exam, frozen_clock, patterns):
    """One finished attempt per pattern: pattern[i] says whether item i (by position) is answered right."""
    from datetime import timedelta

    from lms.clock import utcnow

    made = []
    start = utcnow()
    for n, pattern in enumerate(patterns):
        exam.test.attempts_allowed = 100
        exam.test.wait_hours = 0
        frozen_clock(start + timedelta(minutes=n))
        attempt = attempts.start(exam.candidate, exam.test, "kk", "d", rng=random.Random(7))
        for item, right in zip(attempt.items, pattern, strict=False):
            key = sorted(item.version.key())
            wrong = [o for o in item.option_order if o not in key][:1]
            attempts.save_answer(attempt, item.position, key if right else wrong, None, actor=None)
        attempts.finish(attempt)
        attempt.passed = False  # keep the candidate eligible for the next synthetic attempt
        db.session.commit()
        made.append(attempt)
    return made


def test_item_statistics_match_hand_computation(exam, frozen_clock):
    patterns = [[1] * 20, [1] * 10 + [0] * 10, [0] * 5 + [1] * 15, [1, 0] * 10, [0] * 20]
    made = _make_attempts(exam, frozen_clock, patterns)
    stats = analysis.item_statistics(exam.test)
    assert stats["attempts"] == 5
    totals = [sum(p) for p in patterns]
    # the same seed draws the same questions in the same order? Not necessarily: compute per question.
    rows = db.session.execute(select(AttemptItem.attempt_id, AttemptItem.correct, AttemptItem.question_version_id)
                              .join(Attempt).where(Attempt.test_id == exam.test.id)).all()
    by_question = {}
    score = {a.id: a.score for a in made}
    for attempt_id, correct, version_id in rows:
        by_question.setdefault(version_id, []).append((int(bool(correct)), score[attempt_id]))
    for item in stats["items"]:
        version = next(v for v in by_question if v in {qv.id for qv in _versions(item["question_id"])})
        pairs = by_question[version]
        xs = [x for x, _ in pairs]
        rest = [t - x for x, t in pairs]
        assert item["n"] == len(pairs)
        assert item["facility"] == round(sum(xs) / len(xs), 3)
        if len(set(xs)) > 1 and len(set(rest)) > 1:
            assert item["discrimination"] == round(_pearson(xs, rest), 3)
    mean = sum(100 * t / 20 for t in totals) / 5
    assert stats["mean"] == round(mean, 1)
    assert stats["alpha"] is not None


def _versions(question_id):
    from lms.assessments.models import QuestionVersion

    return db.session.scalars(select(QuestionVersion).where(QuestionVersion.question_id == question_id)).all()


def test_item_analysis_page_and_csv(client, login, make_user, exam, frozen_clock):
    _make_attempts(exam, frozen_clock, [[1] * 20, [0] * 20])
    frozen_clock(None)
    login(make_user("centre_admin"))
    page = client.get(f"/centre/item-analysis/{exam.test.id}?lang=en").get_data(as_text=True)
    assert "Finished attempts" in page and "KZ-FIRST-AID-9" in page
    csv = client.get(f"/centre/item-analysis/{exam.test.id}?format=csv")
    assert csv.mimetype == "text/csv" and "facility" in csv.get_data(as_text=True)


def test_quality_flags_an_organisation_below_the_national_rate(app, exam, make_user, monkeypatch):
    from lms.training.models import TrainingRecord

    monkeypatch.setitem(app.config, "LMS_QUALITY_MIN_ATTEMPTS", 1)
    attempt = attempts.start(exam.candidate, exam.test, "kk", "d")
    attempts.finish(attempt)  # unanswered: a fail on the first attempt
    db.session.commit()
    rows = analysis.quality()
    row = next(r for r in rows if r["organisation"].id == exam.setup.organisation.id)
    assert (row["trained"], row["first_attempts"], row["first_attempt_pass_rate"]) == (1, 1, 0.0)
    assert row["national_rate"] == 0.0 and row["flag"] is False  # the only organisation is the nation
    assert db.session.scalar(select(db.func.count()).select_from(TrainingRecord)) >= 1


def test_running_sums_equal_a_full_recomputation(exam, frozen_clock, make_user):
    from lms.assessments import stats
    from lms.assessments.models import OptionStat, QuestionStat

    made = _make_attempts(exam, frozen_clock, [[1] * 20, [1, 0] * 10, [0] * 20, [1] * 15 + [0] * 5])
    attempts.annul(made[1], "Подсказка", make_user("examiner"))  # leaves the analysis
    db.session.commit()
    kept = {r.question_id: {k: getattr(r, k) for k in stats.SUMS}
            for r in db.session.scalars(select(QuestionStat).where(QuestionStat.test_id == exam.test.id))
            if r.n}
    options = {(r.question_id, r.option_id): r.count
               for r in db.session.scalars(select(OptionStat).where(OptionStat.test_id == exam.test.id)) if r.count}
    questions, expected_options = stats.from_attempts(exam.test.id)
    assert kept == {q.pop("question_id"): q for q in questions}
    assert options == expected_options
    before = analysis.item_statistics(exam.test)
    stats.rebuild(exam.test.id)
    assert analysis.item_statistics(exam.test) == before


def test_running_sums_lock_rows_in_one_order(exam, monkeypatch):
    """Two candidates finishing at once update the same question rows: every transaction writes them in
    question order, so they wait for each other instead of deadlocking (found by the exam-day load test on
    PostgreSQL, where the rows went in the order the questions were drawn)."""
    from lms.assessments import stats

    attempt = attempts.start(exam.candidate, exam.test, "kk", "device")
    answer_all(attempt, correct=False)  # every question answered, so every item has option rows too
    attempt.items.reverse()  # drawn in any order
    written = []
    monkeypatch.setattr(stats, "_upsert", lambda model, rows, keys, columns: written.append(
        [tuple(row[k] for k in keys) for row in rows]))
    stats.record(attempt)
    questions, options = written
    assert len(questions) == len(attempt.items) and questions == sorted(questions)
    assert len(options) >= len(attempt.items) and options == sorted(options)
