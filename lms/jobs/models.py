from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.clock import utcnow
from lms.db import UTCDateTime, created_at_column
from lms.extensions import db
from lms.types import JSONType


class Job(db.Model):
    """A unit of background work, taken by ``flask worker`` from this table (SQLite or PostgreSQL)."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType(), default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    last_error: Mapped[str | None] = mapped_column(Text)
    locked_by: Mapped[str | None] = mapped_column(String(80))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="known_status"),
        CheckConstraint("(status = 'running') = (locked_at IS NOT NULL)", name="running_is_locked"),
        CheckConstraint("(status IN ('done', 'failed')) = (finished_at IS NOT NULL)", name="finished_has_time"),
        Index("ix_jobs_ready", "status", "run_after"),
    )
