"""Demo cohorts that took the Centre's test, so item analysis and the quality page show real numbers:
a stronger cohort at the demo organisation and a weaker one at the Karaganda organisation (which is
suspended afterwards). Everything goes through the real services, on a clock moved into the past."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from lms import clock
from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.assessments import attempts, banks
from lms.assessments.models import Attempt, Question, TestDefinition
from lms.curricula.models import Curriculum
from lms.demo.training import _at
from lms.extensions import db
from lms.lecturers import services as lecturers
from lms.organisations import queries
from lms.organisations.models import Organisation
from lms.profiles import get_profile
from lms.training import completion, courses, enrolment

COHORTS = ((30, 0.84, 700), (16, 0.52, 800))  # size, ability, serial base


def _lecturer_for(org: Organisation, code: str, admin: User, today: date) -> Any:
    ready = [lecturer for lecturer in courses.eligible_lecturers(org) if code in lecturer.curriculum_codes()]
    if ready:
        return ready[0]
    for lecturer in queries.linked_lecturers(org):
        if lecturer.status == "uncertified":
            lecturers.certify(lecturer, f"L-{today.year}-{lecturer.id:04d}", [code], today + timedelta(days=900),
                              actor=admin)
            return lecturer
    return None


def seed_assessments(orgs: list[Organisation], admin: User, person_id) -> dict[str, Any]:
    code = "KG-OSH-MGR" if get_profile().code == "KG" else "KZ-FIRST-AID"
    curriculum = db.session.scalar(select(Curriculum).where(Curriculum.code == code))
    test = curriculum and db.session.scalar(select(TestDefinition).where(TestDefinition.curriculum_id == curriculum.id))
    active = curriculum and db.session.scalar(select(func.count()).select_from(Question).where(
        Question.curriculum_id == curriculum.id, Question.status == "active"))
    if test is None or not active:
        return {"test": None}
    if not db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.test_id == test.id)):
        rng = random.Random(2026)
        today = courses.today()
        start = today - timedelta(days=70)
        state = banks.state_languages(curriculum.current.country)
        try:
            for (size, ability, base), org in zip(COHORTS, orgs, strict=False):
                if org is None or not courses.organisation_may_train(org) or code not in org.curriculum_codes():
                    continue
                clock.freeze(_at(start))
                lecturer = _lecturer_for(org, code, admin, start)
                if lecturer is None:
                    continue
                version = curriculum.current
                course = courses.schedule(org, curriculum_code=code, format="in_person", place="Учебный класс №1",
                                          starts_on=start, ends_on=start + timedelta(days=2),
                                          hours=version.min_hours, capacity=size + 5, lecturer_ids=[lecturer.id],
                                          actor=admin)
                people = []
                for n in range(size):
                    iin = person_id(date(1975 + n % 25, 1 + n % 12, 1 + n % 27), "MF"[n % 2], base + n)
                    email = f"cohort{base + n}@demo.osh-centre.kz"
                    user = accounts.find_by_email(email) or accounts.create_user(
                        email=email, full_name=f"Слушатель {base + n}", iin=iin)
                    row, _ = enrolment.enrol(course, {"iin": iin, "full_name": user.full_name, "email": email,
                                                      "employer_name": "ТОО «Демо Өндіріс»", "audience": "workers"},
                                             actor=admin)
                    enrolment.link_to(row, user, actor=user)
                    people.append((user, row))
                clock.freeze(_at(start + timedelta(days=2)))
                for _user, row in people:
                    completion.record_attendance(row, {t.position for t in version.topics}, admin)
                    completion.complete(row, admin)
                for n, (user, _row) in enumerate(people):
                    clock.freeze(_at(start + timedelta(days=5, minutes=7 * n)))
                    attempt = attempts.start(user, test, state[n % len(state)], f"demo-{user.id}", rng=rng)
                    skill = min(0.98, max(0.05, rng.gauss(ability, 0.12)))
                    for item in attempt.items:
                        hard = (item.version.difficulty or 2) - 2
                        right = rng.random() < skill - 0.08 * hard
                        key = sorted(item.version.key())
                        wrong = [o for o in item.option_order if o not in key][:1]
                        attempts.save_answer(attempt, item.position, key if right else wrong, None, actor=user)
                    clock.freeze(_at(start + timedelta(days=5, minutes=7 * n + 20)))
                    attempts.finish(attempt, actor=user)
        finally:
            clock.freeze(None)
        db.session.flush()
    finished = db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.test_id == test.id,
                                                                                 Attempt.status == "finished"))
    return {"test": code, "finished_attempts": finished}
