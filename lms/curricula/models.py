from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, created_at_column
from lms.extensions import db
from lms.types import JSONType


def localized(values: dict[str, str] | None, locale: str) -> str:
    """A text in ``locale``, else in Russian, else in any language given."""
    values = values or {}
    return values.get(locale) or values.get("ru") or next(iter(values.values()), "")


class CurriculumVersion(db.Model):
    """One immutable version of a curriculum's content (a draft's latest version may still change)."""

    __tablename__ = "curriculum_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    curriculum_id: Mapped[int] = mapped_column(ForeignKey("curricula.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    origin: Mapped[str] = mapped_column(String(4))  # where this version was made: "file" or "ui"
    in_files: Mapped[bool] = mapped_column(default=False)  # its content is what the shipped file holds
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[dict[str, str]] = mapped_column(JSONType())
    description: Mapped[dict[str, str]] = mapped_column(JSONType())
    country: Mapped[str] = mapped_column(String(4))
    audience: Mapped[str] = mapped_column(String(40))
    sector: Mapped[str] = mapped_column(String(40))
    risk_level: Mapped[str] = mapped_column(String(10))
    min_hours: Mapped[int]
    validity_months: Mapped[int]
    created_at: Mapped[datetime] = created_at_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    topics: Mapped[list[CurriculumTopic]] = relationship(
        back_populates="version_row", order_by="CurriculumTopic.position", cascade="all, delete-orphan",
    )
    curriculum: Mapped[Curriculum] = relationship(back_populates="versions", foreign_keys=[curriculum_id])

    __table_args__ = (
        UniqueConstraint("curriculum_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("origin IN ('file', 'ui')", name="known_origin"),
        CheckConstraint("country IN ('KZ', 'KG', 'BOTH')", name="known_country"),
        CheckConstraint("risk_level IN ('any', 'low', 'medium', 'high')", name="known_risk_level"),
        CheckConstraint("min_hours > 0", name="hours_positive"),
        CheckConstraint("validity_months > 0", name="validity_positive"),
    )

    def text(self, field: str, locale: str) -> str:
        return localized(getattr(self, field), locale)


class CurriculumTopic(db.Model):
    __tablename__ = "curriculum_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("curriculum_versions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    hours: Mapped[int]
    title: Mapped[dict[str, str]] = mapped_column(JSONType())
    outcomes: Mapped[list[dict[str, str]]] = mapped_column(JSONType())
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSONType())

    version_row: Mapped[CurriculumVersion] = relationship(back_populates="topics")

    __table_args__ = (
        UniqueConstraint("version_id", "position"),
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint("position >= 1", name="position_positive"),
    )

    def text(self, locale: str) -> str:
        return localized(self.title, locale)


class Curriculum(db.Model):
    """A model curriculum of the Centre: a stable code (never reused) and its versions."""

    __tablename__ = "curricula"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    created_at: Mapped[datetime] = created_at_column()
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    versions: Mapped[list[CurriculumVersion]] = relationship(
        back_populates="curriculum", order_by=CurriculumVersion.version, cascade="all, delete-orphan",
        foreign_keys=[CurriculumVersion.curriculum_id],
    )

    __table_args__ = (
        CheckConstraint("status IN ('draft', 'active', 'retired')", name="known_status"),
        CheckConstraint("(status = 'retired') = (retired_at IS NOT NULL)", name="retired_has_time"),
    )

    @property
    def current(self) -> CurriculumVersion:
        return self.versions[-1]
