"""The Centre's test: who may start, the random draw by blueprint, answers saved as given, the deadline
kept by the server, grading, and the result. A pass is announced through the ``attempt_passed`` signal
(the certificates package listens; this package never imports it)."""

from __future__ import annotations

import hashlib
import logging
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from blinker import Namespace
from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lms import audit
from lms.assessments import stats
from lms.assessments.models import (
    Attempt,
    AttemptAnswer,
    AttemptEvent,
    AttemptItem,
    Question,
    QuestionVersion,
    Sitting,
    TestDefinition,
)
from lms.clock import utcnow
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.jobs import periodic
from lms.training.completion import eligibility

signals = Namespace()
attempt_passed = signals.signal("attempt-passed")
GRACE = timedelta(seconds=5)  # an answer sent in the last seconds is still in time (network latency)

log = logging.getLogger("lms")


def on_attempt_passed(receiver: Any) -> Any:
    """Register the one function called, inside the grading transaction, when an attempt passes:
    ``@on_attempt_passed def issue(sender, attempt): ...``. The certificates package fills it; this
    package never imports certificates."""
    attempt_passed.connect(receiver, weak=False)
    return receiver


def device_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_device_token() -> str:
    return secrets.token_urlsafe(24)


def event(attempt: Attempt, kind: str, detail: dict[str, Any] | None = None, actor: Any = None) -> None:
    db.session.add(AttemptEvent(attempt_id=attempt.id, kind=kind, detail=detail,
                                ip=request.remote_addr if has_request_context() else None,
                                actor_id=getattr(actor, "id", None)))


def test_for(curriculum_id: int) -> TestDefinition | None:
    return db.session.scalar(select(TestDefinition).where(TestDefinition.curriculum_id == curriculum_id))


# ---------------------------------------------------------------------------- who may start
def in_progress(user: Any, test: TestDefinition) -> Attempt | None:
    attempt = db.session.scalar(select(Attempt).where(Attempt.candidate_id == user.id, Attempt.test_id == test.id,
                                                      Attempt.status == "in_progress"))
    if attempt is not None and settle(attempt):
        return None
    return attempt


def start_problem(user: Any, test: TestDefinition, items: list[dict[str, Any]] | None = None) -> tuple[Any, Any]:
    """(reason the candidate may not start now, or None; the training record it would rest on). ``items``: the
    user's ``eligibility`` when the caller has it already."""
    items = eligibility(user) if items is None else items
    item = next((e for e in items if e["record"].curriculum_id == test.curriculum_id), None)
    if item is None:
        return _l("A completed training course on this curriculum is needed before the Centre's test."), None
    if not item["eligible"]:
        return item["reason"], None
    record = item["record"]
    attempts = db.session.scalars(select(Attempt).where(Attempt.candidate_id == user.id, Attempt.test_id == test.id,
                                                        Attempt.training_record_id == record.id,
                                                        Attempt.status == "finished")
                                  .order_by(Attempt.finished_at)).all()
    if any(a.passed for a in attempts):
        return _l("You have already passed this test."), record
    if len(attempts) >= test.attempts_allowed:
        return _l("No attempts are left (%(n)s allowed): train again before the next test.",
                  n=test.attempts_allowed), record
    if attempts and utcnow() < attempts[-1].finished_at + timedelta(hours=test.wait_hours):
        message = _l("The next attempt is possible %(hours)s h after the last one.", hours=test.wait_hours)
        return message, record
    return None, record


def _sitting(test: TestDefinition, code: str | None) -> Sitting | None:
    if not test.proctored:
        return None
    now = utcnow()
    sitting = db.session.scalar(select(Sitting).where(Sitting.test_id == test.id,
                                                      Sitting.access_code == (code or "").strip().upper()))
    if sitting is None or not sitting.opens_at <= now <= sitting.closes_at:
        raise ValidationFailed(access_code=_l("This test is taken in a proctored sitting: enter the access code the "
                                              "examiner gives in the room, while the sitting is open."))
    return sitting


@dataclass(frozen=True)
class Drawn:
    """A drawn question as an attempt needs it: its latest version, type, option ids and topic."""

    version_id: int
    type: str
    option_ids: list[str]
    topic: int


def draw(user: Any, test: TestDefinition, rng: random.Random) -> list[Drawn]:
    """By the blueprint: per topic, the questions this candidate has seen least, at random among equals,
    each in its latest version. Reads ids, topics and option ids only, not the bank's texts (the exam-day
    peak starts thousands of attempts in a minute)."""
    seen = dict(db.session.execute(
        select(QuestionVersion.question_id, func.count())
        .join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.candidate_id == user.id, Attempt.test_id == test.id)
        .group_by(QuestionVersion.question_id)).all())
    by_topic: dict[int, list[int]] = defaultdict(list)
    for question_id, topic in db.session.execute(select(Question.id, Question.topic).where(
            Question.curriculum_id == test.curriculum_id, Question.status == "active").order_by(Question.id)):
        by_topic[topic].append(question_id)
    chosen: list[tuple[int, int]] = []
    for topic, count in sorted(((int(t), n) for t, n in test.blueprint.items())):
        pool = by_topic.get(topic, [])
        if len(pool) < count:
            raise ValidationFailed(test=_l("The question bank cannot fill this test yet; the Centre has been told."))
        ranked = sorted(pool, key=lambda q: (seen.get(q, 0), rng.random()))
        chosen += [(q, topic) for q in ranked[:count]]
    rng.shuffle(chosen)
    latest = (select(QuestionVersion.question_id, func.max(QuestionVersion.version).label("version"))
              .where(QuestionVersion.question_id.in_([q for q, _topic in chosen]))
              .group_by(QuestionVersion.question_id).subquery())
    versions = {row.question_id: row for row in db.session.execute(
        select(QuestionVersion.question_id, QuestionVersion.id, QuestionVersion.type, QuestionVersion.options)
        .join(latest, (latest.c.question_id == QuestionVersion.question_id)
              & (latest.c.version == QuestionVersion.version)))}
    return [Drawn(versions[q].id, versions[q].type, [o["id"] for o in versions[q].options], topic)
            for q, topic in chosen]


def start(user: Any, test: TestDefinition, language: str, device_token: str, access_code: str | None = None,
          rng: random.Random | None = None) -> Attempt:
    """Start an attempt (or return the one in progress). Enforced here, whatever the pages show."""
    current = in_progress(user, test)
    if current is not None:
        return current
    problem, record = start_problem(user, test)
    if problem is not None:
        raise ValidationFailed(test=problem)
    if language not in test.languages:
        raise ValidationFailed(language=_l("Choose one of the test's languages."))
    sitting = _sitting(test, access_code)
    rng = rng or random.SystemRandom()
    questions = draw(user, test, rng)
    now = utcnow()
    number = 1 + db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.candidate_id == user.id, Attempt.test_id == test.id, Attempt.training_record_id == record.id,
        Attempt.status == "finished"))
    attempt = Attempt(test_id=test.id, candidate_id=user.id, training_record_id=record.id, number=number,
                      language=language, started_at=now, deadline_at=now + timedelta(minutes=test.time_limit_minutes),
                      max_score=len(questions), device_hash=device_hash(device_token),
                      sitting_id=sitting.id if sitting else None)
    for position, drawn in enumerate(questions, start=1):
        order = list(drawn.option_ids)
        if drawn.type != "true_false":
            rng.shuffle(order)
        attempt.items.append(AttemptItem(position=position, question_version_id=drawn.version_id, topic=drawn.topic,
                                          option_order=order))
    db.session.add(attempt)
    db.session.flush()
    event(attempt, "start", {"language": language, "questions": len(questions), "sitting": attempt.sitting_id},
          actor=user)
    return attempt


# ---------------------------------------------------------------------------- during the attempt
class Refused(Exception):
    """An answer or request that is refused (and logged): the message is safe to show."""

    def __init__(self, message: Any, code: str):
        super().__init__(str(message))
        self.message, self.code = message, code


def check_device(attempt: Attempt, token: str, actor: Any) -> None:
    """The attempt continues in the browser that started it. Another device: refused for a proctored test
    unless an examiner unlocked it; allowed but recorded otherwise. An accepted device becomes the attempt's
    device (the caller gives a browser without a device cookie a new token and sets it)."""
    if device_hash(token) == attempt.device_hash:
        return
    if attempt.test.proctored and not attempt.device_unlocked:
        event(attempt, "device_refused", actor=actor)
        raise Refused(_l("This test continues only on the computer it was started on. Ask the examiner to unlock "
                         "it for this device."), "device")
    event(attempt, "device_change", {"unlocked": attempt.device_unlocked}, actor=actor)
    attempt.device_hash = device_hash(token)
    attempt.device_unlocked = False


def settle(attempt: Attempt, now: datetime | None = None) -> bool:
    """Finish an attempt whose time is over, graded as of its deadline. True if it is (now) finished."""
    if attempt.status != "in_progress":
        return True
    if (now or utcnow()) <= attempt.deadline_at + GRACE:
        return False
    finish(attempt, at=attempt.deadline_at, reason="deadline")
    return True


def save_answer(attempt: Attempt, position: int, option_ids: list[str], flagged: bool | None, actor: Any) -> None:
    """Save one answer as given. The hot path of a test: it loads only this question, not the whole attempt."""
    over = _l("The time for this test is over; your answers given in time are kept.")
    if settle(attempt):
        raise Refused(over, "finished")
    # the row's current status, held against a finish until this save commits (finish() locks it for update):
    # a copy loaded before another request or the worker graded the attempt must not add an answer after it
    if db.session.scalar(select(Attempt.status).where(Attempt.id == attempt.id)
                         .with_for_update(read=True)) != "in_progress":
        raise Refused(over, "finished")
    item = None
    if 1 <= position <= attempt.max_score:
        item = db.session.execute(select(AttemptItem).options(joinedload(AttemptItem.answers))
                                  .where(AttemptItem.attempt_id == attempt.id, AttemptItem.position == position)
                                  ).unique().scalar_one_or_none()
    if item is None:
        event(attempt, "tampered", {"position": position}, actor=actor)
        raise Refused(_l("There is no such question in this test."), "tampered")
    chosen = list(dict.fromkeys(option_ids))
    if any(o not in item.option_order for o in chosen) or (item.version.type != "multiple" and len(chosen) > 1):
        event(attempt, "tampered", {"position": position, "options": chosen[:10]}, actor=actor)
        raise Refused(_l("This answer does not belong to the question."), "tampered")
    if set(chosen) != item.chosen():
        item.answers = [AttemptAnswer(option_id=o) for o in chosen]
        item.answered_at = utcnow() if chosen else None
        event(attempt, "answer", {"position": position, "options": chosen}, actor=actor)
    if flagged is not None and flagged != item.flagged:
        item.flagged = flagged
    db.session.flush()


def finish(attempt: Attempt, at: datetime | None = None, reason: str = "submitted", actor: Any = None) -> bool:
    """Grade and close: all-or-nothing per question; pass at the test's pass mark. The attempt's row is locked
    first, so the candidate's finish, the page's reload at the deadline and any number of workers grade it
    once: whoever comes second finds it finished. True if this call graded it."""
    if attempt.status != "in_progress":
        return False
    locked = db.session.scalar(select(Attempt.status).where(Attempt.id == attempt.id).with_for_update())
    if locked != "in_progress":
        db.session.refresh(attempt)
        return False
    score = 0
    for item in attempt.items:
        item.correct = item.chosen() == item.version.key()
        score += int(item.correct)
    attempt.status = "finished"
    attempt.finished_at = min(at or utcnow(), attempt.deadline_at)
    attempt.score = score
    attempt.percent = round(100 * score / attempt.max_score) if attempt.max_score else 0
    attempt.passed = attempt.percent >= attempt.test.pass_mark_percent
    db.session.flush()
    stats.record(attempt)
    event(attempt, "finish", {"reason": reason, "score": score, "percent": attempt.percent,
                              "passed": attempt.passed}, actor=actor)
    if attempt.passed:
        attempt_passed.send(current_app._get_current_object(), attempt=attempt)
    return True


def per_topic(attempt: Attempt) -> list[dict[str, Any]]:
    topics: dict[int, dict[str, int]] = {}
    for item in attempt.items:
        entry = topics.setdefault(item.topic, {"topic": item.topic, "questions": 0, "correct": 0})
        entry["questions"] += 1
        entry["correct"] += int(bool(item.correct))
    return [topics[t] for t in sorted(topics)]


def annul(attempt: Attempt, reason: str, actor: Any) -> None:
    if attempt.status == "annulled":
        return
    if not reason.strip():
        raise ValidationFailed(reason=_l("Give the reason."))
    if attempt.status == "finished":
        stats.record(attempt, sign=-1)  # an annulled attempt leaves the item analysis
    attempt.status = "annulled"
    attempt.finished_at = attempt.finished_at or utcnow()
    attempt.passed = None
    attempt.annulled_reason = reason.strip()
    event(attempt, "annulled", {"reason": reason.strip()}, actor=actor)
    audit.record("attempt.annulled", attempt, actor=actor, note=reason.strip())


def unlock(attempt: Attempt, actor: Any) -> None:
    attempt.device_unlocked = True
    event(attempt, "unlock", actor=actor)
    audit.record("attempt.unlocked", attempt, actor=actor)


@periodic("close_expired_attempts", seconds=60)
def close_expired_attempts() -> int:
    """The worker finishes abandoned attempts at their deadline (each is also settled on access). Each one in
    its own transaction: grading locks the test's statistics rows in question order, and two attempts graded in
    one transaction would take them out of order and could deadlock with candidates finishing meanwhile."""
    now = utcnow()
    due = db.session.scalars(select(Attempt.id).where(Attempt.status == "in_progress",
                                                      Attempt.deadline_at < now - GRACE)
                             .order_by(Attempt.deadline_at).limit(500)).all()
    closed = 0
    for attempt_id in due:
        try:
            attempt = db.session.get(Attempt, attempt_id)  # due: past its deadline and the grace
            # counted only if graded here: the candidate or another worker may have finished it meanwhile
            if attempt is not None and finish(attempt, at=attempt.deadline_at, reason="deadline"):
                closed += 1
            db.session.commit()
        except Exception:  # noqa: BLE001 - one attempt that fails must not hold up the others
            db.session.rollback()
            log.exception("could not close attempt %s", attempt_id)
    return closed
