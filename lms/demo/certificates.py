"""Demo certificates: the passes of the demo cohorts got certificates when they were graded; here one is
suspended, one revoked, and one moved into the past so that it has expired — through the real services."""

from __future__ import annotations

from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from lms.accounts.models import User
from lms.certificates import services
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.util import external_url


def seed_certificates(admin: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    if rows and not any(c.status != "valid" for c in rows) and len(rows) >= 4:
        services.change_status(rows[1], "suspend", "Проверка подлинности документов работодателем", admin)
        services.change_status(rows[2], "revoke", "Попытка аннулирована: выявлена подмена личности", admin)
        old = rows[3]
        # issued two validity periods ago: expired (an UPDATE of demo data, not a certificate operation)
        old.issued_at = old.issued_at - relativedelta(years=3)
        old.test_date = old.test_date - relativedelta(years=3)
        old.valid_until = services.today() - relativedelta(days=20)
        db.session.flush()
    day = services.today()
    return [{"number": c.number, "status": c.effective_status(day),
             "verify_url": external_url("verification.verify", code=c.code)}
            for c in db.session.scalars(select(Certificate).order_by(Certificate.id))]
