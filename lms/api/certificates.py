"""Certificate checks for employers, with an employer API key (a training organisation's key is refused)."""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy import select

from lms.api import ApiError, bp
from lms.certificates.employer import public_status
from lms.certificates.models import Certificate
from lms.certificates.verification import log_check
from lms.extensions import db, limiter
from lms.forms import api_key_view
from lms.training import apikeys


def _verify_limit() -> str:
    return current_app.config["LMS_RATELIMIT_VERIFY"]


def _employer_key() -> None:
    header = request.headers.get("Authorization", "")
    key = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else request.headers.get("X-API-Key")
    row = apikeys.authenticate(key)
    if row is None or row.employer_bin is None:
        raise ApiError(401, "unauthorized", "an employer API key is required (Authorization: Bearer <key>)")


@bp.get("/certificates/<number>")
@api_key_view
@limiter.limit(_verify_limit)
def certificate_status(number: str):
    _employer_key()
    certificate = db.session.scalar(select(Certificate).where(Certificate.number == number.strip().upper()[:30]))
    log_check(certificate, "api")
    db.session.commit()
    if certificate is None:
        raise ApiError(404, "not_found", "no certificate with this number")
    return public_status(certificate)


@bp.post("/certificates/verify")
@api_key_view
@limiter.limit(_verify_limit)
def certificates_verify():
    _employer_key()
    body = request.get_json(silent=True)
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ApiError(400, "bad_request", 'send JSON {"items": [{"number": "...", "surname": "..."}, ...]}')
    if len(items) > 1000:
        raise ApiError(413, "too_large", "at most 1000 numbers per request")
    numbers = {str(i.get("number", "")).strip().upper()[:30] for i in items}
    found = {c.number: c for c in db.session.scalars(select(Certificate).where(Certificate.number.in_(numbers)))}
    results = []
    for item in items:
        number = str(item.get("number", "")).strip().upper()[:30]
        surname = item.get("surname")
        results.append({"number": number, **public_status(found.get(number),
                                                          str(surname) if surname is not None else None)})
    db.session.commit()
    return {"items": results, "total": len(results)}
