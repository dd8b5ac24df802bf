"""The worker loop: claim a job with a conditional UPDATE (safe with several workers on either
database), run its handler in its own transaction, record the outcome; run periodic tasks."""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
from datetime import timedelta

from sqlalchemy import select, update

from lms.clock import utcnow
from lms.extensions import db
from lms.jobs import HANDLERS, PERIODIC
from lms.jobs.models import Job

log = logging.getLogger("lms.worker")
STALE_AFTER = timedelta(minutes=10)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(name: str) -> Job | None:
    now = utcnow()
    # A worker that died mid-job leaves it running: hand it back after a while.
    db.session.execute(
        update(Job)
        .where(Job.status == "running", Job.locked_at < now - STALE_AFTER)
        .values(status="queued", locked_by=None, locked_at=None)
    )
    db.session.commit()
    candidates = db.session.scalars(
        select(Job.id).where(Job.status == "queued", Job.run_after <= now).order_by(Job.id).limit(5)
    ).all()
    for job_id in candidates:
        claimed = db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status="running", locked_by=name, locked_at=now, attempts=Job.attempts + 1)
        ).rowcount
        db.session.commit()
        if claimed == 1:
            return db.session.get(Job, job_id, populate_existing=True)
    return None


def run_job(job: Job) -> bool:
    func = HANDLERS.get(job.kind)
    job_id, payload = job.id, dict(job.payload or {})
    try:
        if func is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        func(payload)
        db.session.commit()
    except Exception:  # noqa: BLE001 - a failing job must never stop the worker
        db.session.rollback()
        job = db.session.get(Job, job_id, populate_existing=True)
        job.last_error = traceback.format_exc(limit=5)[-4000:]
        job.locked_by = None
        job.locked_at = None
        if job.attempts >= job.max_attempts:
            job.status = "failed"
            job.finished_at = utcnow()
        else:
            job.status = "queued"
            job.run_after = utcnow() + timedelta(seconds=min(3600, 5 * 2 ** job.attempts))
        db.session.commit()
        log.warning("job %s (%s) failed, attempt %s", job_id, job.kind, job.attempts)
        return False
    job = db.session.get(Job, job_id, populate_existing=True)
    job.status = "done"
    job.finished_at = utcnow()
    job.locked_by = None
    job.locked_at = None
    db.session.commit()
    return True


class Worker:
    def __init__(self, name: str | None = None):
        self.name = name or worker_name()
        self.last_run: dict[str, float] = {}

    def run_periodic(self, force: bool = False) -> None:
        now = time.monotonic()
        for task in PERIODIC.values():
            if not force and now - self.last_run.get(task.name, -1e9) < task.seconds:
                continue
            self.last_run[task.name] = now
            try:
                task.func()
                db.session.commit()
            except Exception:  # noqa: BLE001
                db.session.rollback()
                log.exception("periodic task %s failed", task.name)

    def run_once(self, max_jobs: int = 100, force_periodic: bool = False) -> int:
        """Run due periodic tasks and up to ``max_jobs`` queued jobs; return how many jobs ran."""
        self.run_periodic(force=force_periodic)
        done = 0
        while done < max_jobs:
            job = _claim(self.name)
            if job is None:
                break
            run_job(job)
            done += 1
        return done

    def run_forever(self, poll_seconds: float) -> None:
        log.info("worker %s started", self.name)
        while True:
            try:
                ran = self.run_once()
            except Exception:  # noqa: BLE001 - e.g. the database restarting: wait and go on
                db.session.rollback()
                log.exception("worker loop error")
                ran = 0
            finally:
                db.session.remove()
            if not ran:
                time.sleep(poll_seconds)
