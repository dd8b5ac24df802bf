from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import created_at_column
from lms.extensions import db


class Organisation(db.Model):
    """A training organisation: the anchor that org-scoped roles point at.

    The registry issue adds the application, review and status history around it.
    """

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    bin: Mapped[str] = mapped_column(String(14), unique=True)
    name_state: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))
    region: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = created_at_column()

    def name(self, locale: str) -> str:
        return self.name_ru if locale in ("ru", "en") else self.name_state
