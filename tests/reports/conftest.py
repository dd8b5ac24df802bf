"""A small registry whose every report figure was counted by hand (see the table in ``figures``).

The clock is frozen at 2026-06-15 12:00 in Almaty (UTC+5). Two organisations: A in Karaganda region, B in
Almaty region. KZ-OSH-MGR is a general curriculum (36-month certificates), KZ-OSH-MINING a mining one (12).

person  category                org curriculum  record      attempts (local time)                 certificate
P1      managers                A   MGR         2025-03-01  #1 03-10 40% fail, #2 03-20 85%       2025, valid
P2      osh_specialists         A   MGR         2025-12-20  #1 2026-01-01 00:30 (UTC: 2025) 90% ru 2026, valid
P3      managers                B   MGR         2025-06-01  #1 2025-06-05 50% fail                -
P4      managers                B   MGR         2025-07-01  not tested                            -
P5      hazardous_workers       B   MINING      2025-05-01  #1 2025-05-03 95%                     expired 2026-05-02
P6      worker_representatives  A   MGR         2025-02-01  #1 annulled, #2 2025-02-10 80%        revoked
P7      managers                A   MGR         invalidated #1 2025-04-01 90%                     suspended
P9      hazardous_workers       A   MINING      2025-06-20  #1 2025-07-01 90%                     expiring 2026-06-30
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from lms.accounts.models import User
from lms.assessments.models import Attempt, TestDefinition
from lms.certificates.models import Certificate
from lms.curricula.models import Curriculum
from lms.extensions import db
from lms.identifiers import make_iin
from lms.reports.refresh import refresh
from lms.training.models import Course, Enrolment, TrainingRecord

ALMATY = timedelta(hours=5)
NOW = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)  # 12:00 in Almaty


def local(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> datetime:
    """A wall-clock moment in Almaty as aware UTC."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - ALMATY


@dataclass
class Registry:
    orgs: dict[str, Any]
    curricula: dict[str, Any]
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    serial: int = 0
    status_index: int = 900000

    def person(self, key: str, audience: str, org: str, code: str, completed: date | None,
               attempts: list[tuple[datetime, int | None, str]] = (), certificate: str | None = None,
               invalidated: bool = False) -> None:
        """attempts: (finished_at, percent or None for annulled, language)."""
        self.serial += 1
        n = self.serial
        curriculum = self.curricula[code]
        version = curriculum.current
        organisation = self.orgs[org]
        iin = make_iin(date(1985, 2, n), "M", 7000 + n)
        user = User(email=f"report{n}@example.kz", full_name=f"Отчёт {key}", iin=iin)
        completed = completed or date(2025, 4, 1)
        course = Course(organisation_id=organisation.id, curriculum_id=curriculum.id,
                        curriculum_version_id=version.id, format="in_person", place="Астана",
                        starts_on=completed - timedelta(days=5), ends_on=completed, hours=version.min_hours,
                        capacity=10)
        db.session.add_all([user, course])
        db.session.flush()
        enrolment = Enrolment(course_id=course.id, iin=iin, full_name=user.full_name, email=user.email,
                              audience=audience, user_id=user.id, status="completed",
                              completed_at=local(completed.year, completed.month, completed.day))
        db.session.add(enrolment)
        db.session.flush()
        record = TrainingRecord(
            enrolment_id=enrolment.id, iin=iin, full_name=user.full_name, user_id=user.id,
            curriculum_id=curriculum.id, curriculum_version_id=version.id, course_id=course.id,
            organisation_id=organisation.id, lecturers=[], hours=version.min_hours, started_on=course.starts_on,
            completed_on=completed, audience=audience,
            status="invalidated" if invalidated else "valid",
            invalidated_at=NOW - timedelta(days=10) if invalidated else None,
            invalidation_reason="проверка" if invalidated else None)
        db.session.add(record)
        db.session.flush()
        test = db.session.scalar(select(TestDefinition).where(TestDefinition.curriculum_id == curriculum.id))
        last_pass = None
        for number, (finished, pct, language) in enumerate(attempts, start=1):
            annulled = pct is None
            attempt = Attempt(test_id=test.id, candidate_id=user.id, training_record_id=record.id, number=number,
                              language=language, status="annulled" if annulled else "finished",
                              started_at=finished - timedelta(minutes=20), deadline_at=finished + timedelta(minutes=10),
                              finished_at=finished, score=None if annulled else pct // 5, max_score=20,
                              percent=pct, passed=None if annulled else pct >= 80, device_hash="t",
                              annulled_reason="нарушение" if annulled else None)
            db.session.add(attempt)
            db.session.flush()
            if not annulled and pct >= 80:
                last_pass = (attempt, finished, pct, language)
        if certificate:
            attempt, finished, pct, language = last_pass
            day = (finished + ALMATY).date()
            self.status_index += 1
            db.session.add(Certificate(
                number=f"TEST-{day.year}-{n:06d}", code=f"reportcode{n:08d}", status_index=self.status_index,
                attempt_id=attempt.id, holder_id=user.id, holder_name=user.full_name, iin=iin,
                training_record_id=record.id, curriculum_id=curriculum.id, curriculum_version_id=version.id,
                organisation_id=organisation.id, course_id=course.id, test_date=day, score_percent=pct,
                language=language, issued_at=finished,
                valid_until=day + relativedelta(months=version.validity_months) - timedelta(days=1),
                status=certificate, status_reason=None if certificate == "valid" else "причина",
                status_changed_at=None if certificate == "valid" else NOW - timedelta(days=5)))
        self.people[key] = {"iin": iin, "user": user, "record": record}


@pytest.fixture
def registry(app, make_organisation, frozen_clock) -> Registry:
    frozen_clock(NOW)
    curricula = {c.code.split("-")[-1]: c for c in db.session.scalars(
        select(Curriculum).where(Curriculum.code.in_(("KZ-OSH-MGR", "KZ-OSH-MINING"))))}
    orgs = {"A": make_organisation(region="karaganda", name_ru="Центр А", name_state="А орталығы"),
            "B": make_organisation(region="almaty_region", name_ru="Центр Б", name_state="Б орталығы")}
    r = Registry(orgs, curricula)
    r.person("P1", "managers", "A", "MGR", date(2025, 3, 1),
             [(local(2025, 3, 10), 40, "kk"), (local(2025, 3, 20), 85, "kk")], "valid")
    r.person("P2", "osh_specialists", "A", "MGR", date(2025, 12, 20),
             [(datetime(2025, 12, 31, 19, 30, tzinfo=UTC), 90, "ru")], "valid")
    r.person("P3", "managers", "B", "MGR", date(2025, 6, 1), [(local(2025, 6, 5), 50, "kk")])
    r.person("P4", "managers", "B", "MGR", date(2025, 7, 1))
    r.person("P5", "hazardous_workers", "B", "MINING", date(2025, 5, 1), [(local(2025, 5, 3), 95, "kk")], "valid")
    r.person("P6", "worker_representatives", "A", "MGR", date(2025, 2, 1),
             [(local(2025, 2, 5), None, "kk"), (local(2025, 2, 10), 80, "kk")], "revoked")
    r.person("P7", "managers", "A", "MGR", date(2025, 3, 25), [(local(2025, 4, 1), 90, "kk")], "suspended",
             invalidated=True)
    r.person("P9", "hazardous_workers", "A", "MINING", date(2025, 6, 20), [(local(2025, 7, 1), 90, "kk")], "valid")
    db.session.commit()
    refresh()
    db.session.commit()
    return r
