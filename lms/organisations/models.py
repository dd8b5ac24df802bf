"""Training organisations in the Centre's registry: status and its public history, approved curricula,
registry numbers (never reused), and change requests for registry-relevant fields."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    not_,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, created_at_column
from lms.extensions import db
from lms.types import JSONType


class Organisation(db.Model):
    """A training organisation. It exists from the moment its application starts (status ``applicant``),
    which is what the manager's role is scoped to; it enters the public registry when approved."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    bin: Mapped[str] = mapped_column(String(14), unique=True)
    name_state: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))
    region: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = created_at_column()
    status: Mapped[str] = mapped_column(String(10), default="applicant", server_default="applicant")
    registry_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    address: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(300))
    director: Mapped[str | None] = mapped_column(String(200))
    base: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspended_from: Mapped[date | None] = mapped_column(Date())
    suspended_until: Mapped[date | None] = mapped_column(Date())
    revoked_for_cause: Mapped[bool | None] = mapped_column(Boolean())

    curricula: Mapped[list[OrganisationCurriculum]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", lazy="selectin")
    events: Mapped[list[OrganisationStatusEvent]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrganisationStatusEvent.id")

    __table_args__ = (
        CheckConstraint("status IN ('applicant', 'approved', 'suspended', 'revoked')", name="known_status"),
        CheckConstraint("(status = 'applicant') = (registry_number IS NULL)", name="registered_has_number"),
        CheckConstraint("(status = 'applicant') = (approved_at IS NULL)", name="registered_has_time"),
        CheckConstraint("(status = 'suspended') = (suspended_from IS NOT NULL)", name="suspension_has_start"),
        CheckConstraint("(status = 'revoked') = (revoked_for_cause IS NOT NULL)", name="revocation_has_cause"),
    )

    def name(self, locale: str) -> str:
        return self.display_name(self.name_ru, self.name_state, locale)

    @staticmethod
    def display_name(name_ru: str, name_state: str, locale: str) -> str:
        """The name in Russian for the Russian and English pages, else in the state language."""
        return name_ru if locale in ("ru", "en") else name_state

    def effective_status(self, today: date) -> str:
        """Suspension settled on access: before its start or after its end the organisation is approved."""
        if self.status == "suspended" and (
            (self.suspended_from and self.suspended_from > today)
            or (self.suspended_until and self.suspended_until < today)
        ):
            return "approved"
        return self.status

    @classmethod
    def effective_status_is(cls, status: str, today: date) -> Any:
        """``effective_status(today) == status`` as SQL, for filtering lists the same way the pages show them."""
        outside = or_(cls.suspended_from > today, cls.suspended_until < today)  # NULL bounds are open
        if status == "approved":
            return or_(cls.status == "approved", and_(cls.status == "suspended", outside))
        if status == "suspended":
            return and_(cls.status == "suspended", not_(func.coalesce(outside, False)))
        return cls.status == status

    def curriculum_codes(self) -> list[str]:
        return sorted(link.curriculum.code for link in self.curricula)


class OrganisationCurriculum(db.Model):
    """A model curriculum the Centre approved this organisation to deliver."""

    __tablename__ = "organisation_curricula"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    curriculum_id: Mapped[int] = mapped_column(ForeignKey("curricula.id"), primary_key=True)
    approved_at: Mapped[datetime] = created_at_column()

    organisation: Mapped[Organisation] = relationship(back_populates="curricula")
    curriculum: Mapped[Any] = relationship("Curriculum", lazy="joined")


class OrganisationStatusEvent(db.Model):
    """The public history of an organisation's registry status."""

    __tablename__ = "organisation_status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(1000))
    effective_from: Mapped[date | None] = mapped_column(Date())
    effective_until: Mapped[date | None] = mapped_column(Date())
    for_cause: Mapped[bool | None] = mapped_column(Boolean())
    at: Mapped[datetime] = created_at_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship(back_populates="events")

    __table_args__ = (
        CheckConstraint("status IN ('approved', 'suspended', 'reinstated', 'revoked')", name="known_status"),
    )


class RegistryCounter(db.Model):
    """The last registry number given per year; it only grows, so numbers are never reused."""

    __tablename__ = "registry_counters"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class ChangeRequest(db.Model):
    """A manager's request to change registry-relevant fields (names, BIN, base, curricula)."""

    __tablename__ = "organisation_change_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changes: Mapped[dict[str, Any]] = mapped_column(JSONType())
    status: Mapped[str] = mapped_column(String(10), default="pending")
    reason: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = created_at_column()
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="known_status"),
        CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name="decided_has_time"),
        Index("uq_change_requests_pending", "organisation_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )


class Application(db.Model):
    """An organisation's application for registration: a draft the manager edits, frozen on submission."""

    __tablename__ = "organisation_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    data: Mapped[dict[str, Any]] = mapped_column(JSONType(), default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str | None] = mapped_column(Text())
    review_comments: Mapped[dict[str, str] | None] = mapped_column(JSONType())
    created_at: Mapped[datetime] = created_at_column()

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    versions: Mapped[list[ApplicationVersion]] = relationship(
        back_populates="application", order_by="ApplicationVersion.number", cascade="all, delete-orphan")
    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", order_by="ApplicationDocument.id", cascade="all, delete-orphan",
        lazy="selectin")

    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'returned', 'approved', 'rejected')", name="known_status"),
        CheckConstraint("(status IN ('approved', 'rejected')) = (decided_at IS NOT NULL)", name="decided_has_time"),
        CheckConstraint("(status = 'draft') OR (submitted_at IS NOT NULL)", name="submitted_has_time"),
        # One open application per organisation at a time.
        Index("uq_applications_open", "organisation_id", unique=True,
              sqlite_where=text("status IN ('draft', 'submitted', 'returned')"),
              postgresql_where=text("status IN ('draft', 'submitted', 'returned')")),
    )

    @property
    def editable(self) -> bool:
        return self.status in ("draft", "returned")


class ApplicationVersion(db.Model):
    """What was submitted, frozen: the version the Centre reviews."""

    __tablename__ = "application_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("organisation_applications.id", ondelete="CASCADE"),
                                                index=True)
    number: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(JSONType())
    document_ids: Mapped[list[int]] = mapped_column(JSONType(), default=list)
    submitted_at: Mapped[datetime] = created_at_column()

    application: Mapped[Application] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("application_id", "number"),)


class ApplicationDocument(db.Model):
    """A supporting document, kept in the file storage (never under the web root)."""

    __tablename__ = "application_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("organisation_applications.id", ondelete="CASCADE"),
                                                index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    uploaded_at: Mapped[datetime] = created_at_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    application: Mapped[Application] = relationship(back_populates="documents")

    __table_args__ = (
        CheckConstraint("content_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="known_type"),
        CheckConstraint("size > 0", name="size_positive"),
    )
