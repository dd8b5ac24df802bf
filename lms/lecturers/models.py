"""Lecturers: certified by the Centre (never by an organisation), linked to the organisations they teach for."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, created_at_column
from lms.extensions import db


class Lecturer(db.Model):
    __tablename__ = "lecturers"

    id: Mapped[int] = mapped_column(primary_key=True)
    iin: Mapped[str] = mapped_column(String(14), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    education: Mapped[str | None] = mapped_column(String(300))
    qualification: Mapped[str | None] = mapped_column(String(300))
    experience_years: Mapped[int | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="uncertified")
    certificate_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_until: Mapped[date | None] = mapped_column(Date())
    status_reason: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = created_at_column()

    curricula: Mapped[list[LecturerCurriculum]] = relationship(
        back_populates="lecturer", cascade="all, delete-orphan", lazy="selectin")
    links: Mapped[list[OrganisationLecturer]] = relationship(
        back_populates="lecturer", cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        CheckConstraint("status IN ('uncertified', 'certified', 'suspended', 'revoked')", name="known_status"),
        CheckConstraint("(status = 'uncertified') = (certificate_number IS NULL)", name="certified_has_number"),
        CheckConstraint("(status = 'uncertified') = (valid_until IS NULL)", name="certified_has_term"),
    )

    def effective_status(self, today: date) -> str:
        """Certification expiry settled on access."""
        if self.status == "certified" and self.valid_until and self.valid_until < today:
            return "expired"
        return self.status

    def curriculum_codes(self) -> list[str]:
        return sorted(link.curriculum.code for link in self.curricula)


class LecturerCurriculum(db.Model):
    """A curriculum the Centre certified this lecturer to teach."""

    __tablename__ = "lecturer_curricula"

    lecturer_id: Mapped[int] = mapped_column(ForeignKey("lecturers.id", ondelete="CASCADE"), primary_key=True)
    curriculum_id: Mapped[int] = mapped_column(ForeignKey("curricula.id"), primary_key=True)

    lecturer: Mapped[Lecturer] = relationship(back_populates="curricula")
    curriculum: Mapped[Any] = relationship("Curriculum", lazy="joined")


class OrganisationLecturer(db.Model):
    """A lecturer working for an organisation (a lecturer may work for several)."""

    __tablename__ = "organisation_lecturers"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    lecturer_id: Mapped[int] = mapped_column(ForeignKey("lecturers.id", ondelete="CASCADE"), primary_key=True)
    linked_at: Mapped[datetime] = created_at_column()

    lecturer: Mapped[Lecturer] = relationship(back_populates="links")
    organisation: Mapped[Any] = relationship("Organisation", lazy="joined")

    __table_args__ = (Index("ix_organisation_lecturers_lecturer", "lecturer_id"),)


