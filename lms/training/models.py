"""Courses run by training organisations, enrolments, attendance, distance-learning progress, the
immutable training records they produce, and organisations' API keys."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, created_at_column
from lms.extensions import db
from lms.types import JSONType

FORMATS = ("in_person", "distance", "blended")


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    curriculum_id: Mapped[int] = mapped_column(ForeignKey("curricula.id"), index=True)
    curriculum_version_id: Mapped[int] = mapped_column(ForeignKey("curriculum_versions.id"))
    format: Mapped[str] = mapped_column(String(10))
    place: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[date] = mapped_column(Date())
    ends_on: Mapped[date] = mapped_column(Date())
    hours: Mapped[int]
    capacity: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    created_at: Mapped[datetime] = created_at_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Any] = relationship("Organisation", lazy="joined")
    curriculum: Mapped[Any] = relationship("Curriculum", lazy="joined")
    version: Mapped[Any] = relationship("CurriculumVersion", lazy="joined")
    lecturers: Mapped[list[CourseLecturer]] = relationship(back_populates="course", cascade="all, delete-orphan",
                                                           lazy="selectin")
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="course", order_by="Enrolment.full_name")

    __table_args__ = (
        CheckConstraint("format IN ('in_person', 'distance', 'blended')", name="known_format"),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="known_status"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    def lecturer_names(self) -> list[str]:
        return [link.lecturer.full_name for link in self.lecturers]


class CourseLecturer(db.Model):
    __tablename__ = "course_lecturers"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    lecturer_id: Mapped[int] = mapped_column(ForeignKey("lecturers.id"), primary_key=True, index=True)

    course: Mapped[Course] = relationship(back_populates="lecturers")
    lecturer: Mapped[Any] = relationship("Lecturer", lazy="joined")


class Enrolment(db.Model):
    """A trainee on a course. Linked to an account only after the trainee confirms through the link sent
    to the e-mail the organisation recorded."""

    __tablename__ = "enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    iin: Mapped[str] = mapped_column(String(14), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    employer_bin: Mapped[str | None] = mapped_column(String(14))
    employer_name: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[str | None] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    claim_nonce: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(10), default="enrolled")
    created_at: Mapped[datetime] = created_at_column()
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    course: Mapped[Course] = relationship(back_populates="enrolments", lazy="joined")
    attendance: Mapped[list[Attendance]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    progress: Mapped[list[TopicProgress]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        UniqueConstraint("course_id", "iin"),
        CheckConstraint("status IN ('enrolled', 'completed', 'withdrawn')", name="known_status"),
        CheckConstraint("(status = 'completed') = (completed_at IS NOT NULL)", name="completed_has_time"),
    )

    def attended(self) -> set[int]:
        return {a.position for a in self.attendance}

    def opened(self) -> set[int]:
        return {p.position for p in self.progress}


class Attendance(db.Model):
    __tablename__ = "attendance"

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    recorded_at: Mapped[datetime] = created_at_column()
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class TopicProgress(db.Model):
    __tablename__ = "topic_progress"

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    opened_at: Mapped[datetime] = created_at_column()


class TrainingRecord(db.Model):
    """Who completed which curriculum version, where, taught by whom: immutable once written. Only the
    Centre may invalidate it (audited); nothing else about it ever changes."""

    __tablename__ = "training_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), unique=True)
    iin: Mapped[str] = mapped_column(String(14), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    curriculum_id: Mapped[int] = mapped_column(ForeignKey("curricula.id"), index=True)
    curriculum_version_id: Mapped[int] = mapped_column(ForeignKey("curriculum_versions.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    lecturers: Mapped[list[dict[str, Any]]] = mapped_column(JSONType())
    hours: Mapped[int]
    started_on: Mapped[date] = mapped_column(Date())
    completed_on: Mapped[date] = mapped_column(Date())
    employer_bin: Mapped[str | None] = mapped_column(String(14), index=True)
    employer_name: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[str | None] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = created_at_column()
    status: Mapped[str] = mapped_column(String(12), default="valid")
    invalidated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invalidated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invalidation_reason: Mapped[str | None] = mapped_column(String(1000))

    curriculum: Mapped[Any] = relationship("Curriculum", lazy="joined")
    version: Mapped[Any] = relationship("CurriculumVersion", lazy="joined")
    organisation: Mapped[Any] = relationship("Organisation", lazy="joined")
    course: Mapped[Course] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("status IN ('valid', 'invalidated')", name="known_status"),
        CheckConstraint("(status = 'invalidated') = (invalidated_at IS NOT NULL)", name="invalidated_has_time"),
        CheckConstraint("completed_on >= started_on", name="completed_after_start"),
        Index("ix_training_records_person_curriculum", "iin", "curriculum_id"),
    )


MUTABLE_RECORD_FIELDS = {"status", "invalidated_at", "invalidated_by_id", "invalidation_reason", "user_id"}


@event.listens_for(TrainingRecord, "before_update")
def _records_are_immutable(mapper: Any, connection: Any, target: TrainingRecord) -> None:
    state = inspect(target)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    if changed - MUTABLE_RECORD_FIELDS:
        raise ValueError(f"training records are immutable; tried to change {sorted(changed - MUTABLE_RECORD_FIELDS)}")


class ApiKey(db.Model):
    """A training organisation's key for the batch API; only its hash is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                        index=True)
    employer_bin: Mapped[str | None] = mapped_column(String(14), index=True)  # an employer's key instead
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("(organisation_id IS NULL) <> (employer_bin IS NULL)", name="one_owner"),
    )
