"""Demo courses: a finished in-person course with training records (the demo candidate among them) and a
distance course under way. Dated in the past by moving the platform clock while they are made, so their
history reads as it would have happened."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from lms import clock
from lms.accounts.models import User
from lms.extensions import db
from lms.organisations.models import Organisation
from lms.profiles import get_profile
from lms.training import completion, courses, enrolment
from lms.training.models import Course


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9)).replace(tzinfo=get_profile().tz)


def seed_training(org: Organisation, admin: User, manager: User, candidate: User, person_id) -> list[dict[str, Any]]:
    existing = db.session.scalars(select(Course).where(Course.organisation_id == org.id)).all()
    if not existing and courses.organisation_may_train(org):
        today = courses.today()
        kg = get_profile().code == "KG"
        first, second = ("KG-OSH-MGR", "KG-OSH-MGR") if kg else ("KZ-OSH-MGR", "KZ-FIRST-AID")
        lecturer_ids = [lecturer.id for lecturer in sorted(
            courses.eligible_lecturers(org), key=lambda lecturer: lecturer.user_id is None)]
        trainees = [
            {"iin": candidate.iin, "full_name": candidate.full_name, "email": candidate.email},
            {"iin": person_id(date(1988, 4, 4), "F", 6101), "full_name": "Жанна Болатқызы Серікова",
             "email": "zhanna.serikova@example.kz"},
            {"iin": person_id(date(1979, 8, 21), "M", 6102), "full_name": "Ержан Маратұлы Қасымов",
             "email": "yerzhan.kassymov@example.kz"},
        ]
        common = {"employer_bin": org.bin if not kg else "", "employer_name": "АО «Қазақ Кен»",
                  "position": "Инженер по охране труда", "audience": "managers"}
        start = today - timedelta(days=45)
        try:
            clock.freeze(_at(start))
            done = courses.schedule(org, curriculum_code=first, format="in_person", place="г. Астана, пр. Абая, 10",
                                    starts_on=start, ends_on=start + timedelta(days=4), hours=40, capacity=25,
                                    lecturer_ids=lecturer_ids[:1], actor=manager)
            rows = [enrolment.enrol(done, {**common, **t}, actor=manager)[0] for t in trainees]
            clock.freeze(_at(start + timedelta(days=4)))
            for row in rows[:2]:
                completion.record_attendance(row, {t.position for t in done.version.topics}, actor=manager)
                completion.complete(row, actor=manager)
            clock.freeze(_at(today - timedelta(days=3)))
            hours = max(16, done.version.min_hours) if first == second else 16
            online = courses.schedule(org, curriculum_code=second, format="distance",
                                      place="https://learn.demo.osh-centre.kz", starts_on=today - timedelta(days=3),
                                      ends_on=today + timedelta(days=25), hours=hours, capacity=100,
                                      lecturer_ids=lecturer_ids[:1], actor=manager)
            distance = enrolment.enrol(online, {**common, **trainees[0], "audience": "workers"}, actor=manager)[0]
        finally:
            clock.freeze(None)
        for row in (rows[0], distance):
            enrolment.link_to(row, candidate, actor=candidate)
        for position in (1, 2):
            completion.open_topic(distance, position)
        db.session.flush()
    result = []
    for course in db.session.scalars(select(Course).where(Course.organisation_id == org.id).order_by(Course.id)):
        result.append({"id": course.id, "organisation": org.registry_number, "curriculum": course.curriculum.code,
                       "format": course.format, "starts_on": course.starts_on.isoformat(),
                       "ends_on": course.ends_on.isoformat(), "enrolled": len(course.enrolments),
                       "completed": sum(1 for e in course.enrolments if e.status == "completed")})
    return result
