"""Certificate fixtures: a candidate who passed the Centre's test (built with the assessment fixtures)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.assessments import attempts
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.training import completion, enrolment
from tests.assessments.conftest import answer_all, exam  # noqa: F401  (shared fixtures)
from tests.training.conftest import make_course, setup, trainee  # noqa: F401


@pytest.fixture
def issued(exam):  # noqa: F811
    attempt = attempts.start(exam.candidate, exam.test, "kk", "device")
    answer_all(attempt)
    attempts.finish(attempt)
    db.session.commit()
    certificate = db.session.scalar(select(Certificate).where(Certificate.attempt_id == attempt.id))
    assert certificate is not None
    return certificate


@pytest.fixture
def trained(app, exam):  # noqa: F811
    """trained(n): n more people ("Слушатель 2", ...) complete the exam's course; returns their records."""

    def factory(n: int) -> list:
        records = []
        for i in range(2, n + 2):
            with app.test_request_context():
                row, _ = enrolment.enrol(exam.course, trainee(i, audience="workers"), actor=exam.setup.manager)
            completion.record_attendance(row, {t.position for t in exam.course.version.topics}, exam.setup.manager)
            records.append(completion.complete(row, exam.setup.manager))
        db.session.commit()
        return records

    return factory
