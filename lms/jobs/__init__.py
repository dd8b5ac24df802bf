"""Background jobs: register handlers and periodic tasks, enqueue work in the current transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from lms.clock import utcnow
from lms.extensions import db

HANDLERS: dict[str, Callable[[dict[str, Any]], None]] = {}


@dataclass
class PeriodicTask:
    name: str
    seconds: float
    func: Callable[[], Any]


PERIODIC: dict[str, PeriodicTask] = {}


def handler(kind: str) -> Callable[[Callable[[dict[str, Any]], None]], Callable[[dict[str, Any]], None]]:
    """Register the function that runs jobs of ``kind``; it receives the job's payload."""

    def register(func: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
        HANDLERS[kind] = func
        return func

    return register


def periodic(name: str, seconds: float) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register an idempotent task the worker runs every ``seconds``."""

    def register(func: Callable[[], Any]) -> Callable[[], Any]:
        PERIODIC[name] = PeriodicTask(name, seconds, func)
        return func

    return register


def enqueue(kind: str, payload: dict[str, Any] | None = None, *, dedupe_key: str | None = None,
            run_after: datetime | None = None) -> Any:
    """Add a job to the current transaction; with ``dedupe_key`` an existing job is reused."""
    from lms.jobs.models import Job

    if kind not in HANDLERS:
        raise KeyError(f"no handler registered for job kind {kind!r}")
    if dedupe_key is not None:
        existing = db.session.scalar(select(Job).where(Job.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    job = Job(kind=kind, payload=payload or {}, dedupe_key=dedupe_key, run_after=run_after or utcnow())
    db.session.add(job)
    return job
