"""Who may run a course: its organisation's managers (everything) and its lecturers (attendance and
completion). Everyone else gets 404: a guessed course id discloses nothing."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.roles import ORG_MANAGER
from lms.extensions import db
from lms.lecturers.models import Lecturer
from lms.training.models import Course, Enrolment


def is_manager(user, course: Course) -> bool:
    return user.is_authenticated and course.organisation_id in user.organisation_ids(ORG_MANAGER)


def is_lecturer(user, course: Course) -> bool:
    if not user.is_authenticated:
        return False
    lecturer_id = db.session.scalar(select(Lecturer.id).where(Lecturer.user_id == user.id))
    return lecturer_id is not None and any(link.lecturer_id == lecturer_id for link in course.lecturers)


def course_for_staff_or_404(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None or not (is_manager(current_user, course) or is_lecturer(current_user, course)):
        abort(404)
    return course


def course_for_manager_or_404(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None or not is_manager(current_user, course):
        abort(404)
    return course


def enrolment_of(course: Course, enrolment_id: int) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.course_id != course.id:
        abort(404)
    return enrolment


def own_enrolment_or_404(enrolment_id: int) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or not current_user.is_authenticated or enrolment.user_id != current_user.id:
        abort(404)
    return enrolment
