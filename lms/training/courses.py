"""Scheduling courses: an approved organisation, a curriculum it is approved for, lecturers whose
certification covers that curriculum and stays valid through the course, hours at least the minimum."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from lms import audit
from lms.curricula.models import Curriculum
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.lecturers.models import Lecturer
from lms.organisations.models import Organisation
from lms.organisations.queries import certified_lecturers
from lms.training.models import FORMATS, Course, CourseLecturer
from lms.util import local_today

today = local_today  # the profile's date; callers of this module say today()


def organisation_may_train(organisation: Organisation) -> bool:
    return organisation.effective_status(today()) == "approved"


def schedule(organisation: Organisation, *, curriculum_code: str, format: str, place: str,
             starts_on: date | None, ends_on: date | None, hours: Any, capacity: Any, lecturer_ids: list[int],
             actor: Any) -> Course:
    errors: dict[str, list[Any]] = {}
    if not organisation_may_train(organisation):
        raise ValidationFailed(status=_l("A suspended, revoked or unregistered organisation cannot schedule "
                                         "courses."))
    link = next((c for c in organisation.curricula if c.curriculum.code == curriculum_code), None)
    curriculum: Curriculum | None = link.curriculum if link else None
    if curriculum is None or curriculum.status != "active":
        errors["curriculum"] = [_l("Choose a curriculum your organisation is approved for.")]
    if format not in FORMATS:
        errors["format"] = [_l("Choose the format.")]
    if not (place or "").strip():
        errors["place"] = [_l("This field is required.")]
    if starts_on is None:
        errors["starts_on"] = [_l("This field is required.")]
    elif starts_on < today():
        errors["starts_on"] = [_l("A course is scheduled before it starts: choose today or a later date.")]
    if ends_on is None:
        errors["ends_on"] = [_l("This field is required.")]
    elif starts_on and ends_on < starts_on:
        errors["ends_on"] = [_l("The course cannot end before it starts.")]
    version = curriculum.current if curriculum else None
    if not isinstance(hours, int) or hours < 1:
        errors["hours"] = [_l("Enter a whole number.")]
    elif version and hours < version.min_hours:
        errors["hours"] = [_l("The curriculum needs at least %(n)s hours.", n=version.min_hours)]
    if not isinstance(capacity, int) or not 1 <= capacity <= 1000:
        errors["capacity"] = [_l("Enter a number from %(min)s to %(max)s.", min=1, max=1000)]
    lecturers = [db.session.get(Lecturer, i) for i in dict.fromkeys(lecturer_ids)]
    if not lecturers:
        errors["lecturers"] = [_l("Choose at least one lecturer.")]
    for lecturer in lecturers:
        problem = lecturer_problem(lecturer, organisation, curriculum, ends_on)
        if problem:
            errors.setdefault("lecturers", []).append(problem)
    if errors:
        raise ValidationFailed(errors)
    course = Course(organisation_id=organisation.id, curriculum_id=curriculum.id, curriculum_version_id=version.id,
                    format=format, place=place.strip(), starts_on=starts_on, ends_on=ends_on, hours=hours,
                    capacity=capacity, created_by_id=getattr(actor, "id", None))
    course.lecturers = [CourseLecturer(lecturer_id=lecturer.id) for lecturer in lecturers]
    db.session.add(course)
    db.session.flush()
    audit.record("course.scheduled", course, actor=actor,
                 after={"organisation_id": organisation.id, "curriculum": curriculum.code,
                        "version": version.version, "starts_on": starts_on.isoformat(),
                        "ends_on": ends_on.isoformat(), "lecturers": [lecturer.id for lecturer in lecturers]})
    return course


def lecturer_problem(lecturer: Lecturer | None, organisation: Organisation, curriculum: Curriculum | None,
                     ends_on: date | None) -> Any:
    if lecturer is None or not any(link.organisation_id == organisation.id for link in lecturer.links):
        return _l("Choose lecturers linked to your organisation.")
    name = lecturer.full_name
    if lecturer.effective_status(today()) != "certified":
        return _l("%(name)s is not certified by the Centre.", name=name)
    if curriculum is not None and curriculum.code not in lecturer.curriculum_codes():
        return _l("%(name)s is not certified for this curriculum.", name=name)
    if ends_on is not None and lecturer.valid_until and lecturer.valid_until < ends_on:
        return _l("The certification of %(name)s ends before the course does.", name=name)
    return None


def eligible_lecturers(organisation: Organisation) -> list[Lecturer]:
    return certified_lecturers(organisation, today())


def cancel(course: Course, actor: Any) -> None:
    if any(e.status == "completed" for e in course.enrolments):
        raise ValidationFailed(status=_l("A course with completed trainees cannot be cancelled."))
    course.status = "cancelled"
    audit.record("course.cancelled", course, actor=actor)
