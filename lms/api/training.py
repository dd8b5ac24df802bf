"""Batch API for training organisations, authenticated by the organisation's API key
(``Authorization: Bearer <key>`` or ``X-API-Key``), never by a session cookie."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale

from lms.api import ApiError, batch_items, bp
from lms.domain import ValidationFailed
from lms.extensions import db, limiter, public_limit
from lms.forms import api_key_view
from lms.i18n import LOCALES
from lms.training import apikeys, completion, enrolment
from lms.training.models import Course

ATTENDED_TOPICS = 'a list of topic numbers, or "all"'



def _course_for_key(course_id: int) -> Course:
    row = apikeys.authenticate_request()
    if row is None:
        raise ApiError(401, "unauthorized", "a valid API key is required (Authorization: Bearer <key>)")
    course = db.session.get(Course, course_id)
    if course is None or course.organisation_id != row.organisation_id:
        raise ApiError(404, "not_found", "no such course for this organisation")
    return course


def _messages(exc: ValidationFailed) -> dict[str, list[str]]:
    return {field: [str(m) for m in messages] for field, messages in exc.errors.items()}


def _attended(value: Any, topics: set[int]) -> set[int]:
    """``"all"`` or a list of topic numbers (whole numbers, or strings of digits)."""
    if value == "all":
        return topics
    if isinstance(value, list) and not any(isinstance(p, (bool, float)) for p in value):
        try:
            return {int(p) for p in value}
        except (TypeError, ValueError):
            pass
    raise ValidationFailed(attended_topics=ATTENDED_TOPICS)


@bp.post("/courses/<int:course_id>/enrolments")
@api_key_view
@limiter.limit(public_limit)
def api_enrolments(course_id: int):
    course = _course_for_key(course_id)
    results = []
    with force_locale("en"):
        for item in batch_items():
            locale = item.get("locale") if item.get("locale") in LOCALES else "ru"
            try:
                with db.session.begin_nested():
                    row, created = enrolment.enrol(course, item, actor=None, locale=locale)
            except ValidationFailed as exc:
                results.append({"iin": str(item.get("iin", ""))[:20], "result": "error", "errors": _messages(exc)})
            else:
                results.append({"iin": row.iin, "result": "enrolled" if created else "exists", "id": row.id})
    db.session.commit()
    return {"items": results, "total": len(results)}


@bp.post("/courses/<int:course_id>/completions")
@api_key_view
@limiter.limit(public_limit)
def api_completions(course_id: int):
    course = _course_for_key(course_id)
    items = batch_items()
    topics = {t.position for t in course.version.topics}
    enrolled = {e.iin: e for e in course.enrolments}  # one query for the batch, not one per item
    results = []
    with force_locale("en"):
        for item in items:
            iin = "".join(str(item.get("iin", "")).split())
            row = enrolled.get(iin)
            if row is None:
                results.append({"iin": iin[:20], "result": "error", "errors": {"iin": ["not enrolled on this course"]}})
                continue
            if row.status == "completed":
                results.append({"iin": iin, "result": "exists"})
                continue
            try:
                with db.session.begin_nested():
                    if course.format != "distance":
                        wanted = _attended(item.get("attended_topics", []), topics)
                        completion.record_attendance(row, wanted | row.attended(), actor=None)
                    record = completion.complete(row, actor=None)
            except ValidationFailed as exc:
                results.append({"iin": iin, "result": "error", "errors": _messages(exc)})
            else:
                results.append({"iin": iin, "result": "completed", "training_record": record.id})
    db.session.commit()
    return {"items": results, "total": len(results)}
