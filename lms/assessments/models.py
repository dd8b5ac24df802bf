"""Question banks, the Centre's test definitions, proctored sittings, attempts and their audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import utcnow
from lms.db import UTCDateTime, created_at_column
from lms.extensions import db
from lms.types import JSONType


class Question(db.Model):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(40), unique=True)
    curriculum_id: Mapped[int] = mapped_column(ForeignKey("curricula.id"), index=True)
    topic: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_at: Mapped[datetime] = created_at_column()

    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.version", lazy="selectin", cascade="all, delete-orphan")

    __table_args__ = (CheckConstraint("status IN ('active', 'retired')", name="known_status"),)

    @property
    def current(self) -> QuestionVersion:
        return self.versions[-1]


class QuestionVersion(db.Model):
    """Immutable: a change of text or answers makes a new version; attempts keep the version they drew."""

    __tablename__ = "question_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    type: Mapped[str] = mapped_column(String(10))
    difficulty: Mapped[int | None]
    text: Mapped[dict[str, str]] = mapped_column(JSONType())
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSONType())
    explanation: Mapped[dict[str, str]] = mapped_column(JSONType())
    source: Mapped[dict[str, Any]] = mapped_column(JSONType())
    content_hash: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(4))
    in_files: Mapped[bool] = mapped_column(Boolean(), default=False)
    created_at: Mapped[datetime] = created_at_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    question: Mapped[Question] = relationship(back_populates="versions")

    __table_args__ = (
        UniqueConstraint("question_id", "version"),
        CheckConstraint("type IN ('single', 'multiple', 'true_false')", name="known_type"),
        CheckConstraint("origin IN ('file', 'ui')", name="known_origin"),
    )

    def key(self) -> set[str]:
        return {o["id"] for o in self.options if o.get("correct")}

    def option_text(self, option_id: str, locale: str) -> str:
        option = next((o for o in self.options if o["id"] == option_id), None)
        return "" if option is None else (option["text"].get(locale) or option["text"].get("ru", ""))


class TestDefinition(db.Model):
    """The Centre's test on one curriculum."""

    __tablename__ = "test_definitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    curriculum_id: Mapped[int] = mapped_column(ForeignKey("curricula.id"), unique=True)
    blueprint: Mapped[dict[str, int]] = mapped_column(JSONType())  # topic position (as text) -> questions
    time_limit_minutes: Mapped[int]
    pass_mark_percent: Mapped[int]
    attempts_allowed: Mapped[int]
    wait_hours: Mapped[int]
    languages: Mapped[list[str]] = mapped_column(JSONType())
    proctored: Mapped[bool] = mapped_column(Boolean(), default=False)
    show_answers: Mapped[bool] = mapped_column(Boolean(), default=False)
    updated_at: Mapped[datetime] = created_at_column()

    curriculum: Mapped[Any] = relationship("Curriculum", lazy="joined")

    __table_args__ = (
        CheckConstraint("time_limit_minutes > 0", name="time_positive"),
        CheckConstraint("pass_mark_percent BETWEEN 1 AND 100", name="pass_mark_range"),
        CheckConstraint("attempts_allowed > 0", name="attempts_positive"),
        CheckConstraint("wait_hours >= 0", name="wait_not_negative"),
    )

    @property
    def size(self) -> int:
        return sum(self.blueprint.values())


class Sitting(db.Model):
    """A proctored sitting opened by an examiner: an access code valid inside a time window."""

    __tablename__ = "sittings"

    id: Mapped[int] = mapped_column(primary_key=True)
    test_id: Mapped[int] = mapped_column(ForeignKey("test_definitions.id"), index=True)
    examiner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    access_code: Mapped[str] = mapped_column(String(12), unique=True)
    place: Mapped[str] = mapped_column(String(300))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at_column()

    test: Mapped[TestDefinition] = relationship(lazy="joined")

    __table_args__ = (CheckConstraint("closes_at > opens_at", name="closes_after_opening"),)


class Attempt(db.Model):
    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    test_id: Mapped[int] = mapped_column(ForeignKey("test_definitions.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    training_record_id: Mapped[int] = mapped_column(ForeignKey("training_records.id"), index=True)
    number: Mapped[int]  # 1 for the first attempt on this training record
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(12), default="in_progress")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[int | None]
    max_score: Mapped[int]
    percent: Mapped[int | None]
    passed: Mapped[bool | None] = mapped_column(Boolean())
    device_hash: Mapped[str] = mapped_column(String(64))
    device_unlocked: Mapped[bool] = mapped_column(Boolean(), default=False)
    sitting_id: Mapped[int | None] = mapped_column(ForeignKey("sittings.id"))
    annulled_reason: Mapped[str | None] = mapped_column(String(1000))

    test: Mapped[TestDefinition] = relationship(lazy="joined")
    candidate: Mapped[Any] = relationship("User")
    items: Mapped[list[AttemptItem]] = relationship(back_populates="attempt", order_by="AttemptItem.position",
                                                    cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("status IN ('in_progress', 'finished', 'annulled')", name="known_status"),
        CheckConstraint("(status = 'in_progress') = (finished_at IS NULL)", name="finished_has_time"),
        CheckConstraint("(status = 'finished') = (passed IS NOT NULL)", name="finished_is_graded"),
        CheckConstraint("deadline_at > started_at", name="deadline_after_start"),
        # One attempt in progress per candidate and test.
        Index("uq_attempts_in_progress", "candidate_id", "test_id", unique=True,
              sqlite_where=text("status = 'in_progress'"), postgresql_where=text("status = 'in_progress'")),
        Index("ix_attempts_finished", "test_id", "status", "finished_at"),
    )

    def seconds_left(self) -> int:
        """For the page's countdown: counted from the server's clock, so a wrong clock on the candidate's
        computer does not end (or stretch) the test on screen."""
        return max(0, int((self.deadline_at - utcnow()).total_seconds()))


class AttemptItem(db.Model):
    """One drawn question in an attempt: the version, the order its options were shown in, the answer."""

    __tablename__ = "attempt_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"), index=True)
    topic: Mapped[int]
    option_order: Mapped[list[str]] = mapped_column(JSONType())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    flagged: Mapped[bool] = mapped_column(Boolean(), default=False)
    correct: Mapped[bool | None] = mapped_column(Boolean())

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    version: Mapped[QuestionVersion] = relationship(lazy="joined")
    answers: Mapped[list[AttemptAnswer]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    def chosen(self) -> set[str]:
        return {a.option_id for a in self.answers}


class AttemptAnswer(db.Model):
    """A chosen option (one row per option, so item analysis is a plain SQL aggregate)."""

    __tablename__ = "attempt_answers"

    item_id: Mapped[int] = mapped_column(ForeignKey("attempt_items.id", ondelete="CASCADE"), primary_key=True)
    option_id: Mapped[str] = mapped_column(String(4), primary_key=True)


class AttemptEvent(db.Model):
    """The attempt's audit trail: start, answers, device changes, unlocks, refusals, finish."""

    __tablename__ = "attempt_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = created_at_column()
    kind: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    ip: Mapped[str | None] = mapped_column(String(45))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class QuestionStat(db.Model):
    """Running sums per test and question, updated when an attempt is graded (and undone when it is
    annulled), so item analysis reads one row per question however many attempts there are:
    n, Σx, ΣT, ΣT², ΣxT with x the item's 0/1 and T the attempt's score."""

    __tablename__ = "question_stats"

    test_id: Mapped[int] = mapped_column(ForeignKey("test_definitions.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)
    sum_x: Mapped[int] = mapped_column(default=0)
    sum_t: Mapped[int] = mapped_column(default=0)
    sum_tt: Mapped[int] = mapped_column(default=0)
    sum_xt: Mapped[int] = mapped_column(default=0)


class OptionStat(db.Model):
    """How often each option of a question was chosen in graded attempts of a test."""

    __tablename__ = "option_stats"

    test_id: Mapped[int] = mapped_column(ForeignKey("test_definitions.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    option_id: Mapped[str] = mapped_column(String(4), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
