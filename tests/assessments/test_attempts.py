import random
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.assessments import attempts
from lms.assessments.models import Attempt, AttemptEvent, Sitting
from lms.clock import utcnow
from lms.domain import ValidationFailed
from lms.extensions import db
from tests.assessments.conftest import answer_all


def start(exam, token="device-1", seed=1, **kwargs):
    attempt = attempts.start(exam.candidate, exam.test, "kk", token, rng=random.Random(seed), **kwargs)
    db.session.commit()
    return attempt


def test_a_training_record_is_needed(exam, make_user):
    stranger = make_user("candidate")
    with pytest.raises(ValidationFailed) as err:
        attempts.start(stranger, exam.test, "kk", "t")
    assert "test" in err.value.errors


def test_the_draw_follows_the_blueprint_and_shuffles_options(exam):
    attempt = start(exam)
    per_topic = {}
    for item in attempt.items:
        per_topic[item.topic] = per_topic.get(item.topic, 0) + 1
        assert sorted(item.option_order) == sorted(o["id"] for o in item.version.options)
    assert per_topic == {int(k): v for k, v in exam.test.blueprint.items()}
    assert attempt.max_score == exam.test.size == 20
    assert any(i.option_order != sorted(i.option_order) for i in attempt.items if i.version.type != "true_false")
    assert attempt.deadline_at - attempt.started_at == timedelta(minutes=exam.test.time_limit_minutes)


def test_one_attempt_in_progress(exam):
    first = start(exam)
    assert start(exam).id == first.id  # starting again resumes
    clone = Attempt(test_id=exam.test.id, candidate_id=exam.candidate.id, training_record_id=exam.record.id,
                    number=2, language="ru", started_at=utcnow(), deadline_at=utcnow() + timedelta(minutes=5),
                    max_score=1, device_hash="x")
    db.session.add(clone)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_next_draw_prefers_unseen_questions(exam, frozen_clock):
    first = start(exam, seed=1)
    seen = {i.version.question_id for i in first.items}
    answer_all(first, correct=False)
    attempts.finish(first)
    db.session.commit()
    frozen_clock(utcnow() + timedelta(hours=exam.test.wait_hours + 1))
    second = start(exam, seed=2)
    again = {i.version.question_id for i in second.items}
    # 8 questions per topic and at most 4 drawn: a second draw can avoid every question already seen
    assert not seen & again


def test_answers_are_saved_and_grading_is_all_or_nothing(exam):
    attempt = start(exam)
    answer_all(attempt, correct=True)
    multiple = next(i for i in attempt.items if i.version.type == "multiple")
    attempts.save_answer(attempt, multiple.position, sorted(multiple.version.key())[:1], None, actor=None)
    attempts.finish(attempt)
    assert attempt.score == attempt.max_score - 1
    assert attempt.percent == round(100 * (attempt.max_score - 1) / attempt.max_score)
    assert attempt.passed is (attempt.percent >= exam.test.pass_mark_percent)
    topics = attempts.per_topic(attempt)
    assert sum(t["questions"] for t in topics) == 20 and sum(t["correct"] for t in topics) == 19


def test_a_pass_sends_the_signal_once(exam):
    received = []

    def receiver(sender, attempt):
        received.append(attempt.id)

    attempts.on_attempt_passed(receiver)
    try:
        attempt = start(exam)
        answer_all(attempt)
        attempts.finish(attempt)
        attempts.finish(attempt)  # a second finish changes nothing
    finally:
        attempts.attempt_passed.disconnect(receiver)
    assert received == [attempt.id]
    assert attempt.passed is True


@pytest.mark.parametrize(("position", "options"), [(99, ["a"]), (1, ["z"]), (1, ["a", "b"])])
def test_tampered_answers_are_refused_and_logged(exam, position, options):
    attempt = start(exam)
    single = next(i for i in attempt.items if i.version.type == "single")
    with pytest.raises(attempts.Refused):
        attempts.save_answer(attempt, single.position if position == 1 else position, options, None, actor=None)
    db.session.commit()
    assert db.session.scalar(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id,
                                                        AttemptEvent.kind == "tampered"))


def test_the_server_keeps_the_deadline(exam, frozen_clock):
    attempt = start(exam)
    first = attempt.items[0]
    attempts.save_answer(attempt, 1, [first.option_order[0]], None, actor=None)
    db.session.commit()
    frozen_clock(attempt.deadline_at + timedelta(minutes=1))
    with pytest.raises(attempts.Refused) as err:
        attempts.save_answer(attempt, 2, [attempt.items[1].option_order[0]], None, actor=None)
    assert err.value.code == "finished"
    assert attempt.status == "finished" and attempt.finished_at == attempt.deadline_at
    assert attempt.items[0].chosen() == {first.option_order[0]}  # kept


def test_the_worker_closes_abandoned_attempts(exam, frozen_clock):
    from lms.jobs.worker import Worker

    attempt = start(exam)
    frozen_clock(attempt.deadline_at + timedelta(minutes=2))
    Worker().run_periodic(force=True)
    db.session.refresh(attempt)
    assert attempt.status == "finished" and attempt.passed is False


def test_the_worker_grades_each_abandoned_attempt_in_its_own_transaction(exam, frozen_clock, make_user,
                                                                          monkeypatch):
    """Grading locks the test's statistics rows in question order; two attempts graded in one transaction
    would take them out of order and deadlock with candidates finishing meanwhile (seen in the load test)."""
    attempt = start(exam)
    other = Attempt(test_id=exam.test.id, candidate_id=make_user("candidate").id,
                    training_record_id=exam.record.id, number=1, language="ru", started_at=attempt.started_at,
                    deadline_at=attempt.deadline_at + timedelta(minutes=1), max_score=attempt.max_score,
                    device_hash="x")
    db.session.add(other)
    db.session.commit()
    frozen_clock(other.deadline_at + timedelta(minutes=2))
    commits = []
    real_commit = db.session.commit
    monkeypatch.setattr(db.session, "commit", lambda: (commits.append(1), real_commit()))
    graded = []
    real_record = attempts.stats.record
    monkeypatch.setattr(attempts.stats, "record", lambda a, sign=1: (graded.append(len(commits)),
                                                                     real_record(a, sign)))
    assert attempts.close_expired_attempts() == 2
    assert graded == [0, 1] and len(commits) == 2  # each graded, then committed, before the next
    assert attempts.close_expired_attempts() == 0  # nothing is graded twice


def test_the_worker_counts_only_the_attempts_it_graded(exam, frozen_clock, monkeypatch):
    """An attempt the candidate finished between the worker's list and its turn is not graded again nor
    counted as closed by the worker."""
    from sqlalchemy import update

    attempt = start(exam)
    db.session.commit()
    frozen_clock(attempt.deadline_at + timedelta(minutes=2))
    real_get = db.session.get

    def candidate_finished_meanwhile(model, ident, **kwargs):
        loaded = real_get(model, ident, **kwargs)  # the worker's copy: still in progress
        db.session.execute(update(Attempt).where(Attempt.id == ident).values(  # the candidate's finish lands
            status="finished", finished_at=loaded.deadline_at, score=0, percent=0, passed=False)
            .execution_options(synchronize_session=False))
        return loaded

    monkeypatch.setattr(db.session, "get", candidate_finished_meanwhile)
    assert attempts.close_expired_attempts() == 0
    monkeypatch.undo()
    assert not db.session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id,
                                                             AttemptEvent.kind == "finish")).all()


def test_a_finished_attempt_is_not_graded_again_from_a_stale_copy(exam):
    """Two requests (the candidate's finish and the worker, or two workers) holding the same in-progress
    attempt: the second finds the row finished under its lock and grades nothing."""
    from sqlalchemy import update

    attempt = start(exam)
    db.session.execute(update(Attempt).where(Attempt.id == attempt.id).values(
        status="finished", finished_at=attempt.started_at, score=0, percent=0, passed=False)
        .execution_options(synchronize_session=False))
    assert attempt.status == "in_progress"  # this copy is stale
    attempts.finish(attempt)
    assert attempt.status == "finished" and attempt.score == 0
    assert not db.session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id,
                                                             AttemptEvent.kind == "finish")).all()


def test_no_answer_is_added_after_grading_from_a_stale_copy(exam):
    """An autosave holding the attempt as it was before another request graded it: the save reads the row's
    status under a lock and is refused, so the stored answers always match the grade."""
    from sqlalchemy import update

    attempt = start(exam)
    db.session.execute(update(Attempt).where(Attempt.id == attempt.id).values(
        status="finished", finished_at=attempt.started_at, score=0, percent=0, passed=False)
        .execution_options(synchronize_session=False))
    assert attempt.status == "in_progress"  # this copy is stale
    item = attempt.items[0]
    with pytest.raises(attempts.Refused) as refused:
        attempts.save_answer(attempt, item.position, item.option_order[:1], None, actor=exam.candidate)
    assert refused.value.code == "finished"
    assert item.answered_at is None and not item.answers


def test_attempt_limit_and_waiting_time(exam, frozen_clock):
    now = utcnow()
    for n in range(exam.test.attempts_allowed):
        frozen_clock(now + timedelta(hours=(exam.test.wait_hours + 1) * n))
        attempt = start(exam, seed=n)
        if n == 0:
            attempts.finish(attempt)
            db.session.commit()
            frozen_clock(now + timedelta(hours=1))
            problem, _record = attempts.start_problem(exam.candidate, exam.test)
            with force_locale("en"):
                assert "h after the last one" in str(problem)
            continue
        attempts.finish(attempt)
        db.session.commit()
    frozen_clock(now + timedelta(days=30))
    problem, _record = attempts.start_problem(exam.candidate, exam.test)
    assert problem is not None
    with pytest.raises(ValidationFailed):
        attempts.start(exam.candidate, exam.test, "kk", "t")


def test_passing_twice_is_not_possible(exam):
    attempt = start(exam)
    answer_all(attempt)
    attempts.finish(attempt)
    db.session.commit()
    problem, _ = attempts.start_problem(exam.candidate, exam.test)
    assert problem is not None


def test_language_must_be_offered(exam):
    with pytest.raises(ValidationFailed) as err:
        attempts.start(exam.candidate, exam.test, "en", "t")
    assert "language" in err.value.errors


def test_proctored_test_needs_an_open_sitting(exam, make_user):
    exam.test.proctored = True
    examiner = make_user("examiner")
    with pytest.raises(ValidationFailed):
        start(exam, access_code="WRONG")
    sitting = Sitting(test_id=exam.test.id, examiner_id=examiner.id, access_code="ABC123", place="Астана",
                      opens_at=utcnow() - timedelta(minutes=5), closes_at=utcnow() + timedelta(hours=2))
    db.session.add(sitting)
    db.session.commit()
    attempt = start(exam, access_code="abc123")
    assert attempt.sitting_id == sitting.id
    # another device: refused until the examiner unlocks it
    with pytest.raises(attempts.Refused):
        attempts.check_device(attempt, "other-device", actor=None)
    attempts.unlock(attempt, actor=examiner)
    attempts.check_device(attempt, "other-device", actor=None)
    attempts.check_device(attempt, "other-device", actor=None)
    with pytest.raises(attempts.Refused):
        attempts.check_device(attempt, "device-1", actor=None)  # the unlock moved it, once


def test_unproctored_device_change_is_allowed_but_recorded(exam):
    attempt = start(exam)
    attempts.check_device(attempt, "phone", actor=None)
    db.session.commit()
    assert db.session.scalar(select(AttemptEvent).where(AttemptEvent.kind == "device_change"))


def test_examiner_annuls_with_a_reason(exam, make_user):
    attempt = start(exam)
    with pytest.raises(ValidationFailed):
        attempts.annul(attempt, " ", make_user("examiner"))
    attempts.annul(attempt, "Подсказки с телефона", make_user("examiner"))
    assert attempt.status == "annulled" and attempt.passed is None


def test_events_trail(exam):
    attempt = start(exam)
    answer_all(attempt)
    attempts.finish(attempt)
    db.session.commit()
    kinds = [e.kind for e in db.session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id)
                                                .order_by(AttemptEvent.id))]
    assert kinds[0] == "start" and kinds[-1] == "finish" and kinds.count("answer") == 20


def test_time_is_settled_on_access(exam, frozen_clock):
    attempt = start(exam)
    frozen_clock(datetime.now(UTC) + timedelta(days=2))
    assert attempts.in_progress(exam.candidate, exam.test) is None
    assert attempt.status == "finished"
