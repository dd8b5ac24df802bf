"""Attendance, distance-learning progress, completion (which writes the immutable training record),
the Centre's audited invalidation, and eligibility for the Centre's test."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from lms import audit
from lms.clock import utcnow
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.training.courses import organisation_may_train, today
from lms.training.models import Attendance, Enrolment, TopicProgress, TrainingRecord


def _positions(enrolment: Enrolment) -> set[int]:
    return {t.position for t in enrolment.course.version.topics}


def record_attendance(enrolment: Enrolment, positions: set[int], actor: Any) -> None:
    if enrolment.status == "completed":
        raise ValidationFailed(status=_l("The trainee has already completed the course."))
    valid = _positions(enrolment)
    wanted = {p for p in positions if p in valid}
    have = enrolment.attended()
    for position in wanted - have:
        enrolment.attendance.append(Attendance(position=position, recorded_by_id=getattr(actor, "id", None)))
    for row in [a for a in enrolment.attendance if a.position not in wanted]:
        enrolment.attendance.remove(row)
    db.session.flush()
    if wanted != have:
        audit.record("enrolment.attendance", enrolment, actor=actor, before={"topics": sorted(have)},
                     after={"topics": sorted(wanted)})


def open_topic(enrolment: Enrolment, position: int) -> None:
    """The trainee opened a topic's material: recorded once (a reload changes nothing)."""
    if position in _positions(enrolment) and position not in enrolment.opened():
        enrolment.progress.append(TopicProgress(position=position))
        db.session.flush()


def completion_problem(enrolment: Enrolment) -> Any:
    course = enrolment.course
    if enrolment.status == "completed":
        return _l("Already completed.")
    if enrolment.status == "withdrawn":
        return _l("The trainee has withdrawn.")
    if course.status != "scheduled" or not organisation_may_train(course.organisation):
        return _l("A suspended, revoked or unregistered organisation cannot complete courses.")
    if today() < course.starts_on:
        return _l("The course has not started yet.")
    topics = _positions(enrolment)
    covered = enrolment.attended() | (enrolment.opened() if course.format != "in_person" else set())
    if course.format == "distance":
        covered = enrolment.opened()
    missing = sorted(topics - covered)
    if missing:
        if course.format == "distance":
            return _l("The trainee has not opened every topic yet (missing: %(topics)s).",
                      topics=", ".join(map(str, missing)))
        return _l("Attendance is missing for topics %(topics)s.", topics=", ".join(map(str, missing)))
    return None


def complete(enrolment: Enrolment, actor: Any) -> TrainingRecord:
    problem = completion_problem(enrolment)
    if problem:
        raise ValidationFailed(status=problem)
    course = enrolment.course
    now = utcnow()
    enrolment.status = "completed"
    enrolment.completed_at = now
    record = TrainingRecord(
        enrolment_id=enrolment.id, iin=enrolment.iin, full_name=enrolment.full_name, user_id=enrolment.user_id,
        curriculum_id=course.curriculum_id, curriculum_version_id=course.curriculum_version_id, course_id=course.id,
        organisation_id=course.organisation_id,
        lecturers=[{"id": link.lecturer_id, "name": link.lecturer.full_name,
                    "certificate_number": link.lecturer.certificate_number} for link in course.lecturers],
        hours=course.hours, started_on=course.starts_on, completed_on=max(today(), course.starts_on),
        employer_bin=enrolment.employer_bin, employer_name=enrolment.employer_name, position=enrolment.position,
        audience=enrolment.audience,
    )
    db.session.add(record)
    db.session.flush()
    audit.record("training_record.created", record, actor=actor,
                 after={"iin": record.iin, "curriculum": course.curriculum.code, "course_id": course.id})
    return record


def invalidate(record: TrainingRecord, reason: str, actor: Any) -> None:
    """The only correction of a training record: the Centre invalidates it, with a reason, audited."""
    if record.status != "valid":
        raise ValidationFailed(status=_l("This training record is already invalidated."))
    if not reason.strip():
        raise ValidationFailed(reason=_l("Give the reason."))
    record.status = "invalidated"
    record.invalidated_at = utcnow()
    record.invalidated_by_id = actor.id
    record.invalidation_reason = reason.strip()
    audit.record("training_record.invalidated", record, actor=actor, note=reason.strip())


def eligibility(user: Any) -> list[dict[str, Any]]:
    """Per curriculum, the person's latest valid training record and whether it makes them eligible for the
    Centre's test now: completed within the configured period, at an organisation in good standing (in the
    registry and not suspended)."""
    if getattr(user, "id", None) is None:  # anonymous
        return []
    # the organisation's standing is all it needs: the course and the curriculum's text load only if shown
    records = db.session.scalars(select(TrainingRecord).where(TrainingRecord.user_id == user.id)
                                 .order_by(TrainingRecord.completed_on.desc())
                                 .options(lazyload(TrainingRecord.course), lazyload(TrainingRecord.version),
                                          joinedload(TrainingRecord.organisation).lazyload("*"))).all()
    horizon = today() - timedelta(days=current_app.config["LMS_TRAINING_VALID_DAYS"])
    result: dict[int, dict[str, Any]] = {}
    for record in records:
        if record.curriculum_id in result or record.status != "valid":
            continue
        standing = record.organisation.effective_status(today())
        recent = record.completed_on >= horizon
        reason = None
        if not recent:
            reason = _l("The training is older than %(n)s days: train again.",
                        n=current_app.config["LMS_TRAINING_VALID_DAYS"])
        elif standing == "suspended":
            reason = _l("The training organisation's registration is suspended: the test waits until it is "
                        "reinstated.")
        elif standing != "approved":
            reason = _l("The training organisation's registration has been revoked.")
        result[record.curriculum_id] = {"record": record, "eligible": reason is None, "reason": reason}
    return list(result.values())
