"""Batch API for training organisations, authenticated by the organisation's API key
(``Authorization: Bearer <key>`` or ``X-API-Key``), never by a session cookie."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_babel import force_locale

from lms.api import ApiError, bp
from lms.domain import ValidationFailed
from lms.extensions import db, limiter
from lms.forms import api_key_view
from lms.training import apikeys, completion, enrolment
from lms.training.models import Course, Enrolment


def _key_limit() -> str:
    return current_app.config["LMS_RATELIMIT_PUBLIC"]


def _course_for_key(course_id: int) -> Course:
    header = request.headers.get("Authorization", "")
    key = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else request.headers.get("X-API-Key")
    row = apikeys.authenticate(key)
    if row is None:
        raise ApiError(401, "unauthorized", "a valid API key is required (Authorization: Bearer <key>)")
    course = db.session.get(Course, course_id)
    if course is None or course.organisation_id != row.organisation_id:
        raise ApiError(404, "not_found", "no such course for this organisation")
    return course


def _items() -> list[dict[str, Any]]:
    body = request.get_json(silent=True)
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ApiError(400, "bad_request", 'send JSON {"items": [{...}, ...]}')
    limit = current_app.config["LMS_API_BATCH_MAX"]
    if len(items) > limit:
        raise ApiError(413, "too_large", f"at most {limit} items per request")
    return items


def _messages(exc: ValidationFailed) -> dict[str, list[str]]:
    return {field: [str(m) for m in messages] for field, messages in exc.errors.items()}


@bp.post("/courses/<int:course_id>/enrolments")
@api_key_view
@limiter.limit(_key_limit)
def api_enrolments(course_id: int):
    course = _course_for_key(course_id)
    results = []
    with force_locale("en"):
        for item in _items():
            try:
                with db.session.begin_nested():
                    row, created = enrolment.enrol(course, item, actor=None, locale=str(item.get("locale") or "ru"))
            except ValidationFailed as exc:
                results.append({"iin": str(item.get("iin", ""))[:20], "result": "error", "errors": _messages(exc)})
            else:
                results.append({"iin": row.iin, "result": "enrolled" if created else "exists", "id": row.id})
    db.session.commit()
    return {"items": results, "total": len(results)}


@bp.post("/courses/<int:course_id>/completions")
@api_key_view
@limiter.limit(_key_limit)
def api_completions(course_id: int):
    course = _course_for_key(course_id)
    topics = {t.position for t in course.version.topics}
    results = []
    with force_locale("en"):
        for item in _items():
            iin = str(item.get("iin", "")).strip()
            row = db.session.scalar(db.select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.iin == iin))
            if row is None:
                results.append({"iin": iin[:20], "result": "error", "errors": {"iin": ["not enrolled on this course"]}})
                continue
            if row.status == "completed":
                results.append({"iin": iin, "result": "exists"})
                continue
            attended = item.get("attended_topics", [])
            try:
                with db.session.begin_nested():
                    if course.format != "distance":
                        wanted = topics if attended == "all" else {int(p) for p in attended if str(p).isdigit()}
                        completion.record_attendance(row, wanted | row.attended(), actor=None)
                    record = completion.complete(row, actor=None)
            except ValidationFailed as exc:
                results.append({"iin": iin, "result": "error", "errors": _messages(exc)})
            except TypeError:
                results.append({"iin": iin, "result": "error",
                                "errors": {"attended_topics": ['a list of topic numbers, or "all"']}})
            else:
                results.append({"iin": iin, "result": "completed", "training_record": record.id})
    db.session.commit()
    return {"items": results, "total": len(results)}
