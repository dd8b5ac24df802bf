"""Certificate fixtures: a candidate who passed the Centre's test (built with the assessment fixtures)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.assessments import attempts
from lms.certificates.models import Certificate
from lms.extensions import db
from tests.assessments.conftest import answer_all, exam  # noqa: F401  (shared fixtures)
from tests.training.conftest import make_course, setup  # noqa: F401


@pytest.fixture
def issued(exam):  # noqa: F811
    attempt = attempts.start(exam.candidate, exam.test, "kk", "device")
    answer_all(attempt)
    attempts.finish(attempt)
    db.session.commit()
    certificate = db.session.scalar(select(Certificate).where(Certificate.attempt_id == attempt.id))
    assert certificate is not None
    return certificate
