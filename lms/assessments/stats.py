"""Keeping the item-analysis sums: an atomic increment per question and option when an attempt is graded
(INSERT ... ON CONFLICT DO UPDATE on both databases), the reverse when a graded attempt is annulled, and a
full rebuild from the attempts with SQL aggregates (``flask banks rebuild-stats``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from lms.assessments.models import Attempt, AttemptAnswer, AttemptItem, OptionStat, QuestionStat, QuestionVersion
from lms.extensions import db

SUMS = ("n", "sum_x", "sum_t", "sum_tt", "sum_xt")


def _upsert(model: Any, rows: list[dict[str, Any]], keys: tuple[str, ...], columns: tuple[str, ...]) -> None:
    if not rows:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={c: getattr(model, c) + getattr(statement.excluded, c) for c in columns})
    db.session.execute(statement)


def record(attempt: Attempt, sign: int = 1) -> None:
    """Add (sign=1) or remove (sign=-1) a graded attempt's contribution."""
    total = attempt.score or 0
    questions, options = [], Counter()
    for item in attempt.items:
        x = int(bool(item.correct))
        question_id = item.version.question_id
        questions.append({"test_id": attempt.test_id, "question_id": question_id, "n": sign, "sum_x": sign * x,
                          "sum_t": sign * total, "sum_tt": sign * total * total, "sum_xt": sign * x * total})
        for option in item.chosen():
            options[(question_id, option)] += sign
    # Rows in one order for every transaction (by question, then option): two candidates finishing at the same
    # moment lock the shared rows in the same order and wait for each other instead of deadlocking.
    questions.sort(key=lambda row: row["question_id"])
    _upsert(QuestionStat, questions, ("test_id", "question_id"), SUMS)
    _upsert(OptionStat, [{"test_id": attempt.test_id, "question_id": q, "option_id": o, "count": c}
                         for (q, o), c in sorted(options.items())],
            ("test_id", "question_id", "option_id"), ("count",))


def rebuild(test_id: int) -> None:
    """Recompute a test's sums from its finished attempts (after a bulk load, or to check the running sums)."""
    db.session.execute(delete(QuestionStat).where(QuestionStat.test_id == test_id))
    db.session.execute(delete(OptionStat).where(OptionStat.test_id == test_id))
    questions, options = from_attempts(test_id)
    for row in questions:
        db.session.add(QuestionStat(test_id=test_id, **row))
    for (question_id, option_id), count in options.items():
        db.session.add(OptionStat(test_id=test_id, question_id=question_id, option_id=option_id, count=count))
    db.session.flush()


def from_attempts(test_id: int) -> tuple[list[dict[str, Any]], dict[tuple[int, str], int]]:
    """The same sums computed directly from the attempts (SQL aggregates over every answered item)."""
    finished = (Attempt.test_id == test_id, Attempt.status == "finished")
    x = case((AttemptItem.correct.is_(True), 1), else_=0)
    questions = [
        {"question_id": q, "n": n, "sum_x": int(sx or 0), "sum_t": int(st or 0), "sum_tt": int(stt or 0),
         "sum_xt": int(sxt or 0)}
        for q, n, sx, st, stt, sxt in db.session.execute(
            select(QuestionVersion.question_id, func.count(), func.sum(x), func.sum(Attempt.score),
                   func.sum(Attempt.score * Attempt.score), func.sum(x * Attempt.score))
            .join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .where(*finished).group_by(QuestionVersion.question_id))
    ]
    options = {(q, o): c for q, o, c in db.session.execute(
        select(QuestionVersion.question_id, AttemptAnswer.option_id, func.count())
        .join(AttemptItem, AttemptItem.id == AttemptAnswer.item_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(*finished).group_by(QuestionVersion.question_id, AttemptAnswer.option_id))}
    return questions, options
