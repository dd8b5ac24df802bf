"""Item analysis and training-organisation quality, computed with SQL aggregates (item analysis from
running sums kept at grading time, see lms.assessments.stats).

Per question: facility (share correct), corrected item-rest discrimination (Pearson correlation between the
item and the rest of the attempt's score), how often each option was chosen. Per test: mean and spread of
the percentage, and KR-20 (Cronbach's alpha for right/wrong items) using the mean item variance, which
suits forms drawn at random from a bank."""

from __future__ import annotations

import math
from typing import Any

from flask import current_app
from sqlalchemy import Integer, case, func, select

from lms.assessments.models import Attempt, OptionStat, Question, QuestionStat, TestDefinition
from lms.curricula.models import Curriculum
from lms.extensions import db
from lms.organisations.models import Organisation
from lms.training.models import TrainingRecord

MIN_N = 30


def _pearson(n: int, sx: float, sy: float, sxx: float, syy: float, sxy: float) -> float | None:
    vx, vy = n * sxx - sx * sx, n * syy - sy * sy
    if n < 2 or vx <= 0 or vy <= 0:
        return None
    return (n * sxy - sx * sy) / math.sqrt(vx * vy)


def item_statistics(test: TestDefinition) -> dict[str, Any]:
    """From the running sums kept at grading time: one row per question, however many attempts."""
    rows = db.session.execute(
        select(Question.id, Question.external_id, Question.topic, QuestionStat.n, QuestionStat.sum_x,
               QuestionStat.sum_t, QuestionStat.sum_tt, QuestionStat.sum_xt)
        .join(QuestionStat, QuestionStat.question_id == Question.id)
        .where(QuestionStat.test_id == test.id, QuestionStat.n > 0)
        .order_by(Question.external_id)
    ).all()
    options: dict[int, dict[str, int]] = {}
    for question_id, option_id, count in db.session.execute(
        select(OptionStat.question_id, OptionStat.option_id, OptionStat.count)
        .where(OptionStat.test_id == test.id, OptionStat.count > 0)
    ):
        options.setdefault(question_id, {})[option_id] = count
    items = []
    variances = []
    for qid, external_id, topic, n, sx, st, stt, sxt in rows:
        sx, st, stt, sxt = (float(v or 0) for v in (sx, st, stt, sxt))
        # rest score R = T - x: its sums follow from those of T and x (x*x = x)
        sr, srr, sxr = st - sx, stt - 2 * sxt + sx, sxt - sx
        facility = sx / n
        discrimination = _pearson(n, sx, sr, sx, srr, sxr)
        variances.append(facility * (1 - facility))
        flags = []
        if n >= MIN_N:
            if facility > 0.9:
                flags.append("too_easy")
            if facility < 0.2:
                flags.append("too_hard")
            if discrimination is not None and discrimination < 0.2:
                flags.append("not_discriminating")
        items.append({"question_id": qid, "id": external_id, "topic": topic, "n": n, "facility": round(facility, 3),
                      "discrimination": None if discrimination is None else round(discrimination, 3),
                      "options": dict(sorted(options.get(qid, {}).items())), "flags": flags})
    finished = (Attempt.test_id == test.id, Attempt.status == "finished")
    summary = db.session.execute(
        select(func.count(), func.avg(Attempt.percent), func.avg(Attempt.percent * Attempt.percent),
               func.avg(Attempt.score), func.avg(Attempt.score * Attempt.score),
               func.sum(case((Attempt.passed.is_(True), 1), else_=0)))
        .where(*finished)).one()
    n, mean, mean_sq, mean_score, mean_score_sq, passed = summary
    n = n or 0
    sd = math.sqrt(max(0.0, float(mean_sq or 0) - float(mean or 0) ** 2)) if n else None
    score_var = max(0.0, float(mean_score_sq or 0) - float(mean_score or 0) ** 2) if n else 0.0
    k = test.size
    alpha = None
    if n >= 2 and k > 1 and score_var > 0 and variances:
        alpha = round(k / (k - 1) * (1 - k * (sum(variances) / len(variances)) / score_var), 3)
    return {"attempts": n, "mean": None if mean is None else round(float(mean), 1),
            "sd": None if sd is None else round(sd, 1), "pass_rate": round(100 * (passed or 0) / n, 1) if n else None,
            "alpha": alpha, "items": items}


def quality(curriculum_id: int | None = None, organisation_id: int | None = None) -> list[dict[str, Any]]:
    """Per organisation and curriculum: people trained, first-attempt pass rate at the Centre's test, and the
    national rate for the curriculum; flagged when below it by more than the configured margin."""
    margin = current_app.config["LMS_QUALITY_MARGIN"]
    minimum = current_app.config["LMS_QUALITY_MIN_ATTEMPTS"]
    trained = {(o, c): n for o, c, n in db.session.execute(
        select(TrainingRecord.organisation_id, TrainingRecord.curriculum_id, func.count())
        .where(TrainingRecord.status == "valid")
        .group_by(TrainingRecord.organisation_id, TrainingRecord.curriculum_id))}
    first = db.session.execute(
        select(TrainingRecord.organisation_id, TrainingRecord.curriculum_id, func.count(),
               func.sum(case((Attempt.passed.is_(True), 1), else_=0).cast(Integer)))
        .join(Attempt, Attempt.training_record_id == TrainingRecord.id)
        .where(Attempt.number == 1, Attempt.status == "finished")
        .group_by(TrainingRecord.organisation_id, TrainingRecord.curriculum_id)).all()
    national: dict[int, list[int]] = {}
    per_org: dict[tuple[int, int], tuple[int, int]] = {}
    for org_id, curr_id, n, passed in first:
        per_org[(org_id, curr_id)] = (n, int(passed or 0))
        totals = national.setdefault(curr_id, [0, 0])
        totals[0] += n
        totals[1] += int(passed or 0)
    codes = {c.id: c.code for c in db.session.scalars(select(Curriculum))}
    names = {o.id: o for o in db.session.scalars(select(Organisation))}
    rows = []
    for (org_id, curr_id), count in sorted(trained.items(), key=lambda kv: (codes.get(kv[0][1], ""), kv[0][0])):
        if (curriculum_id and curr_id != curriculum_id) or (organisation_id and org_id != organisation_id):
            continue
        n, passed = per_org.get((org_id, curr_id), (0, 0))
        nat_n, nat_passed = national.get(curr_id, [0, 0])
        rate = round(100 * passed / n, 1) if n else None
        nat_rate = round(100 * nat_passed / nat_n, 1) if nat_n else None
        rows.append({"organisation": names[org_id], "curriculum": codes[curr_id], "trained": count,
                     "first_attempts": n, "first_attempt_pass_rate": rate, "national_rate": nat_rate,
                     "flag": bool(rate is not None and nat_rate is not None and n >= minimum
                                  and rate < nat_rate - margin)})
    return rows
