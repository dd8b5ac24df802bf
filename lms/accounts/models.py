from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.roles import ORG_SCOPED, ROLES
from lms.db import UTCDateTime, created_at_column
from lms.extensions import db, login_manager

_ROLE_LIST = ", ".join(f"'{r}'" for r in ROLES)
_ORG_LIST = ", ".join(f"'{r}'" for r in ORG_SCOPED)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    iin: Mapped[str | None] = mapped_column(String(14), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(5))
    is_active_flag: Mapped[bool] = mapped_column("is_active", default=True, server_default=text("true"))
    created_at: Mapped[datetime] = created_at_column()
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="RoleAssignment.user_id",
    )

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(
            "(password_hash IS NULL) OR (activated_at IS NOT NULL)", name="password_needs_activation"
        ),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.is_active_flag) and self.password_hash is not None

    @property
    def fingerprint(self) -> str:
        """Changes whenever the password changes: invalidates sessions and one-time links."""
        return hashlib.sha256((self.password_hash or "unset").encode()).hexdigest()[:16]

    def get_id(self) -> str:
        return f"{self.id}:{self.fingerprint}"

    def has_role(self, *roles: str) -> bool:
        return any(r.role in roles for r in self.roles)

    def role_names(self) -> list[str]:
        return sorted({r.role for r in self.roles})

    def organisation_ids(self, *roles: str) -> set[int]:
        wanted = roles or ORG_SCOPED
        return {r.organisation_id for r in self.roles if r.role in wanted and r.organisation_id}

    def employer_bins(self) -> set[str]:
        return {r.employer_bin for r in self.roles if r.role == "employer" and r.employer_bin}

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class RoleAssignment(db.Model):
    """One role held by one person, scoped to an organisation or an employer BIN where the role needs it."""

    __tablename__ = "role_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    employer_bin: Mapped[str | None] = mapped_column(String(14), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at_column()

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])

    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLE_LIST})", name="known_role"),
        CheckConstraint(
            f"(role IN ({_ORG_LIST})) = (organisation_id IS NOT NULL)", name="org_scope_matches_role"
        ),
        CheckConstraint("(role = 'employer') = (employer_bin IS NOT NULL)", name="bin_scope_matches_role"),
        Index("uq_role_assignments_global", "user_id", "role", unique=True,
              sqlite_where=text("organisation_id IS NULL AND employer_bin IS NULL"),
              postgresql_where=text("organisation_id IS NULL AND employer_bin IS NULL")),
        Index("uq_role_assignments_org", "user_id", "role", "organisation_id", unique=True,
              sqlite_where=text("organisation_id IS NOT NULL"),
              postgresql_where=text("organisation_id IS NOT NULL")),
        Index("uq_role_assignments_bin", "user_id", "role", "employer_bin", unique=True,
              sqlite_where=text("employer_bin IS NOT NULL"),
              postgresql_where=text("employer_bin IS NOT NULL")),
    )


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Session ids are ``<id>:<password fingerprint>``: a password change ends other sessions."""
    user_id, _, fingerprint = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.fingerprint != fingerprint:
        return None
    return user
