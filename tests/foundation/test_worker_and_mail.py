from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms import jobs
from lms.extensions import db
from lms.jobs.models import Job
from lms.jobs.worker import Worker
from lms.mail.models import OutboxMessage
from lms.mail.service import queue_email, send_outbox

CALLS: list[dict] = []


@jobs.handler("test.record")
def _record(payload):
    CALLS.append(payload)
    if payload.get("fail"):
        raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _clear():
    CALLS.clear()


def test_job_runs_once_in_its_own_transaction(app):
    job = jobs.enqueue("test.record", {"n": 1})
    db.session.commit()
    assert Worker("w1").run_once() == 1
    assert CALLS == [{"n": 1}]
    db.session.refresh(job)
    assert job.status == "done" and job.finished_at is not None
    assert Worker("w2").run_once() == 0


def test_failed_job_is_retried_with_backoff_then_marked_failed(app, frozen_clock):
    now = datetime(2026, 5, 1, 8, tzinfo=UTC)
    frozen_clock(now)
    job = jobs.enqueue("test.record", {"fail": True})
    job.max_attempts = 2
    db.session.commit()
    Worker().run_once()
    db.session.refresh(job)
    assert job.status == "queued" and job.attempts == 1 and "boom" in job.last_error
    assert job.run_after > now
    assert Worker().run_once() == 0  # not due yet
    frozen_clock(now + timedelta(hours=2))
    Worker().run_once()
    db.session.refresh(job)
    assert job.status == "failed" and job.attempts == 2


def test_dedupe_key_reuses_the_job(app):
    first = jobs.enqueue("test.record", {"n": 1}, dedupe_key="render:1")
    db.session.flush()
    assert jobs.enqueue("test.record", {"n": 2}, dedupe_key="render:1") is first


def test_unknown_kind_is_refused(app):
    with pytest.raises(KeyError):
        jobs.enqueue("no.such.kind")


def test_stale_running_job_is_handed_back(app, frozen_clock):
    now = datetime(2026, 5, 1, 8, tzinfo=UTC)
    job = jobs.enqueue("test.record", {"n": 3}, run_after=now - timedelta(hours=2))
    job.status, job.locked_at, job.locked_by = "running", now - timedelta(hours=1), "dead:1"
    db.session.commit()
    frozen_clock(now)
    assert Worker().run_once() == 1 and CALLS == [{"n": 3}]


def test_outbox_waits_without_smtp(app):
    with app.test_request_context():
        queue_email("a@example.kz", "activation", "kk", user=type("U", (), {"full_name": "Әлия"}), link="http://x",
                    days=7)
    db.session.commit()
    assert send_outbox() == 0
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status == "pending" and message.locale == "kk"
    assert "Әлия" in message.body_text and message.subject


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        if "fail" in message["To"]:
            raise OSError("connection refused")
        FakeSMTP.sent.append(message)


def test_outbox_is_sent_after_commit_when_smtp_is_configured(app, monkeypatch):
    import lms.mail.service as mail

    FakeSMTP.sent = []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "LMS_SMTP_HOST", "smtp.example.kz")
    with app.test_request_context():
        queue_email("ok@example.kz", "activation", "ru", user=type("U", (), {"full_name": "Иван"}), link="http://x",
                    days=7)
        queue_email("fail@example.kz", "activation", "ru", user=type("U", (), {"full_name": "Пётр"}), link="http://x",
                    days=7)
    db.session.commit()
    Worker().run_once(force_periodic=True)
    statuses = dict(db.session.execute(select(OutboxMessage.to_address, OutboxMessage.status)).all())
    assert statuses == {"ok@example.kz": "sent", "fail@example.kz": "pending"}
    assert [m["To"] for m in FakeSMTP.sent] == ["ok@example.kz"]


def test_worker_command_once(app):
    jobs.enqueue("test.record", {"n": 9})
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0 and "ran 1 job" in result.output
    assert db.session.scalars(select(Job.status)).all() == ["done"]


def test_message_left_sending_by_a_dead_worker_is_sent_later(app, monkeypatch, frozen_clock):
    import lms.mail.service as mail

    FakeSMTP.sent = []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "LMS_SMTP_HOST", "smtp.example.kz")
    now = datetime(2026, 5, 1, 8, tzinfo=UTC)
    message = OutboxMessage(to_address="late@example.kz", subject="s", body_text="b", locale="ru",
                            status="sending", claimed_at=now - timedelta(hours=1))
    db.session.add(message)
    db.session.commit()
    frozen_clock(now)
    assert send_outbox() == 1
    db.session.refresh(message)
    assert message.status == "sent"


def test_links_in_emails_use_the_public_address_in_the_worker_and_in_a_request(app):
    manager = type("M", (), {"full_name": "Нұрлан"})
    organisation = type("O", (), {"name_ru": "Центр", "registry_number": "TO-2026-00001"})
    queue_email("a@example.kz", "organisation_approved", "ru", manager=manager, organisation=organisation)
    with app.test_request_context(base_url="http://10.0.0.7:5000"):  # the app server's own address
        queue_email("b@example.kz", "organisation_approved", "kk", manager=manager, organisation=organisation)
    bodies = [m.body_text for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert len(bodies) == 2
    assert all("http://localhost/registry/TO-2026-00001" in body and "10.0.0.7" not in body for body in bodies)
