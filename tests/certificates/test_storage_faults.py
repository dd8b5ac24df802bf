"""The file storage failing: a pass still issues its certificate whole (the PDF is not part of issuing), the
holder still downloads the PDF (rendered on the spot), the worker's job fails and is retried, and once the
storage is back the PDF is stored with no manual repair."""

from __future__ import annotations

from sqlalchemy import select

from lms.assessments import attempts
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.jobs.models import Job
from lms.jobs.worker import Worker
from lms.storage import LocalStorage, StorageError, storage
from tests.assessments.conftest import answer_all


def _fail(self, key, data, content_type="application/octet-stream"):
    raise StorageError("disk full")


def test_a_pass_issues_the_certificate_while_the_storage_is_down(exam, client, login, monkeypatch):
    with monkeypatch.context() as broken:
        broken.setattr(LocalStorage, "put", _fail)
        attempt = attempts.start(exam.candidate, exam.test, "kk", "device")
        answer_all(attempt)
        attempts.finish(attempt)
        db.session.commit()
        certificate = db.session.scalar(select(Certificate).where(Certificate.attempt_id == attempt.id))
        assert certificate is not None and certificate.status == "valid" and certificate.pdf_key is None

        # the worker's render job fails and is put back in the queue with a delay
        Worker().run_once()
        job = db.session.scalar(select(Job).where(Job.kind == "render_certificate_pdf"))
        assert job.status == "queued" and "disk full" in job.last_error and job.attempts == 1

        # the holder still gets the PDF, rendered on the spot
        login(exam.candidate)
        response = client.get(f"/me/certificates/{certificate.id}/pdf")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        db.session.refresh(certificate)
        assert certificate.pdf_key is None

    # the storage is back (the suite's network guard stays): the retried job stores the PDF, downloads read it
    job.run_after = job.created_at
    db.session.commit()
    Worker().run_once()
    db.session.refresh(job)
    db.session.refresh(certificate)
    assert job.status == "done" and certificate.pdf_key
    assert client.get(f"/me/certificates/{certificate.id}/pdf").data == storage().get(certificate.pdf_key)
