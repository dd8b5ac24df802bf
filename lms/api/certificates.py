"""Certificate checks for employers, with an employer API key (a training organisation's key is refused)."""

from __future__ import annotations

from sqlalchemy import select

from lms.api import ApiError, batch_items, bp
from lms.certificates.employer import public_status
from lms.certificates.models import Certificate, shown
from lms.certificates.verification import log_check, log_checks, verify_limit
from lms.extensions import db, limiter
from lms.forms import api_key_view
from lms.training import apikeys


def _employer_key() -> None:
    row = apikeys.authenticate_request()
    if row is None or row.employer_bin is None:
        raise ApiError(401, "unauthorized", "an employer API key is required (Authorization: Bearer <key>)")


@bp.get("/certificates/<number>")
@api_key_view
@limiter.limit(verify_limit)
def certificate_status(number: str):
    _employer_key()
    certificate = db.session.scalar(select(Certificate).where(Certificate.number == number.strip().upper()[:30])
                                    .options(*shown()))
    log_check(certificate.id if certificate else None, "api")
    if certificate is None:
        db.session.commit()
        raise ApiError(404, "not_found", "no certificate with this number")
    answer = public_status(certificate)
    db.session.commit()
    return answer


@bp.post("/certificates/verify")
@api_key_view
@limiter.limit(verify_limit)
def certificates_verify():
    _employer_key()
    items = batch_items('{"number": "...", "surname": "..."}')
    numbers = [str(i.get("number", "")).strip().upper()[:30] for i in items]
    found = {c.number: c for c in db.session.scalars(select(Certificate).where(Certificate.number.in_(set(numbers)))
                                                     .options(*shown()))}
    results, checked = [], []
    for number, item in zip(numbers, items, strict=True):
        surname = item.get("surname")
        certificate = found.get(number)
        results.append({"number": number, **public_status(certificate, str(surname) if surname is not None else None)})
        checked.append(certificate.id if results[-1]["found"] else None)
    log_checks(checked, "bulk")
    db.session.commit()
    return {"items": results, "total": len(results)}
