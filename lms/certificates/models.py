"""Certificates issued by the Centre on a passed test, their status history, every public check, and the
Centre's signing keys (public halves; private keys stay in files)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from lms.db import UTCDateTime, created_at_column
from lms.extensions import db
from lms.types import JSONType


class Certificate(db.Model):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # random, >= 96 bits, URL-safe
    status_index: Mapped[int] = mapped_column(unique=True)  # this certificate's bit in the status lists
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), unique=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(200))
    iin: Mapped[str] = mapped_column(String(14), index=True)
    training_record_id: Mapped[int] = mapped_column(ForeignKey("training_records.id"), index=True)
    curriculum_id: Mapped[int] = mapped_column(ForeignKey("curricula.id"))
    curriculum_version_id: Mapped[int] = mapped_column(ForeignKey("curriculum_versions.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    employer_bin: Mapped[str | None] = mapped_column(String(14), index=True)
    test_date: Mapped[date] = mapped_column(Date())
    score_percent: Mapped[int]
    language: Mapped[str] = mapped_column(String(5))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[date] = mapped_column(Date())
    status: Mapped[str] = mapped_column(String(10), default="valid")
    status_reason: Mapped[str | None] = mapped_column(String(1000))
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pdf_key: Mapped[str | None] = mapped_column(String(200))
    pdf_template: Mapped[str | None] = mapped_column(String(20))
    renewal_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    curriculum: Mapped[Any] = relationship("Curriculum", lazy="joined")
    version: Mapped[Any] = relationship("CurriculumVersion", lazy="joined")
    organisation: Mapped[Any] = relationship("Organisation", lazy="joined")
    events: Mapped[list[CertificateEvent]] = relationship(order_by="CertificateEvent.id", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("status IN ('valid', 'suspended', 'revoked')", name="known_status"),
        CheckConstraint("(status = 'valid') OR (status_reason IS NOT NULL AND status_changed_at IS NOT NULL)",
                        name="status_has_reason"),
        CheckConstraint("status_index >= 0", name="index_not_negative"),
        CheckConstraint("length(code) >= 16", name="code_long_enough"),
    )

    def effective_status(self, today: date) -> str:
        return effective_status(self.status, self.valid_until, today)


def effective_status(status: str, valid_until: date, today: date) -> str:
    """The status as of ``today``: a valid certificate past its date is expired (never stored as such)."""
    return "expired" if status == "valid" and valid_until < today else status


def shown() -> tuple[Any, ...]:
    """Loader options for what a page or an answer about certificates shows: the curriculum, the version and
    the organisation in the certificate's own query, and nothing beneath them (the organisation's approved
    curricula load eagerly for the registry's lists; a certificate never shows them)."""
    return (joinedload(Certificate.curriculum).lazyload("*"), joinedload(Certificate.version).lazyload("*"),
            joinedload(Certificate.organisation).lazyload("*"))


class CertificateEvent(db.Model):
    __tablename__ = "certificate_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(1000))
    at: Mapped[datetime] = created_at_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class VerificationCheck(db.Model):
    """One public check of a certificate: counted and logged, with the IP only as a keyed hash."""

    __tablename__ = "verification_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"))
    at: Mapped[datetime] = created_at_column()
    ip_hash: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(10))  # page, number, api, bulk, share
    found: Mapped[bool] = mapped_column(Boolean())

    __table_args__ = (Index("ix_verification_checks_certificate", "certificate_id", "at"),)


class SigningKey(db.Model):
    """The Centre's Ed25519 keys by key id; retired keys stay published so old credentials still verify."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(40), primary_key=True)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSONType())
    created_at: Mapped[datetime] = created_at_column()
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
