"""Certificates: issued on a pass in the grading transaction (through ``on_attempt_passed``), rendered to
PDF by the worker, revoked, suspended and reinstated by the Centre (audited, never deleted), renewal
notices before expiry, and the mass suspension after an organisation is revoked for cause."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import Any

import segno
from dateutil.relativedelta import relativedelta
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms import audit
from lms.assessments.attempts import on_attempt_passed
from lms.certificates.models import Certificate, CertificateEvent, shown
from lms.clock import utcnow
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.jobs import enqueue, handler, periodic
from lms.mail.service import queue_email
from lms.organisations.numbers import next_number
from lms.pdf import STATIC, render_pdf
from lms.profiles import get_profile
from lms.storage import StorageError, storage
from lms.training.models import TrainingRecord
from lms.util import external_url, local_today

TEMPLATE_VERSION = "cert-2026.1"
RENEWAL_DAYS = 60


today = local_today  # the profile's date; callers of this module say today()


def certificate_number(year: int) -> str:
    prefix = get_profile().certificate_prefix
    return f"{prefix}-{year}-{next_number(prefix, year):06d}"


@on_attempt_passed
def issue_on_pass(sender: Any, attempt: Any) -> None:
    issue(attempt)


def issue(attempt: Any) -> Certificate:
    """One certificate per passed attempt, in the grading transaction."""
    existing = db.session.scalar(select(Certificate).where(Certificate.attempt_id == attempt.id))
    if existing is not None:
        return existing
    record = db.session.get(TrainingRecord, attempt.training_record_id)
    from lms.accounts.models import User

    holder = db.session.get(User, attempt.candidate_id)
    issued = attempt.finished_at or utcnow()
    local_day = get_profile().local(issued).date()
    certificate = Certificate(
        number=certificate_number(local_day.year), code=secrets.token_urlsafe(15),
        status_index=next_number("STATUS", 0) - 1, attempt_id=attempt.id, holder_id=holder.id,
        holder_name=record.full_name, iin=record.iin, training_record_id=record.id,
        curriculum_id=record.curriculum_id, curriculum_version_id=record.curriculum_version_id,
        organisation_id=record.organisation_id, course_id=record.course_id, employer_bin=record.employer_bin,
        test_date=local_day, score_percent=attempt.percent or 0, language=attempt.language, issued_at=issued,
        valid_until=local_day + relativedelta(months=record.version.validity_months) - timedelta(days=1),
    )
    db.session.add(certificate)
    db.session.flush()
    certificate.events.append(CertificateEvent(status="valid", reason=None))
    audit.record("certificate.issued", certificate, actor=holder,
                 after={"number": certificate.number, "iin": certificate.iin, "attempt_id": attempt.id})
    enqueue("render_certificate_pdf", {"id": certificate.id}, dedupe_key=f"certificate-pdf:{certificate.id}")
    queue_email(holder.email, "certificate_issued", holder.locale or get_profile().state_language,
                certificate=certificate, link=external_url("verification.verify", code=certificate.code))
    return certificate


# ---------------------------------------------------------------------------- PDF
def qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def render(certificate: Certificate) -> bytes:
    profile = get_profile()
    url = external_url("verification.verify", code=certificate.code)
    languages = profile.certificate_languages
    css = (STATIC / "certificate.css").read_text(encoding="utf-8")
    with force_locale("ru"):
        html = render_template("pdf/certificate.html", certificate=certificate, url=url, qr=qr_data_uri(url),
                               languages=languages, css=css, centre=profile.centre_names)
    return render_pdf(html)


def pdf_bytes(certificate: Certificate, must_store: bool = False) -> bytes:
    """The stored PDF; rendered and stored first if the worker has not done it yet. When the storage fails
    the holder still gets the freshly rendered PDF (the worker's job, ``must_store``, fails and is retried)."""
    if certificate.pdf_key and certificate.pdf_template == TEMPLATE_VERSION:
        try:
            return storage().get(certificate.pdf_key)
        except StorageError:
            current_app.logger.warning("stored PDF of certificate %s is missing; rendering again", certificate.id)
    data = render(certificate)
    key = f"certificates/{certificate.issued_at:%Y}/{certificate.number}-{hashlib.sha256(data).hexdigest()[:8]}.pdf"
    try:
        storage().put(key, data, "application/pdf")
    except StorageError:
        if must_store:
            raise
        current_app.logger.warning("could not store the PDF of certificate %s; served without storing", certificate.id)
        return data
    certificate.pdf_key, certificate.pdf_template = key, TEMPLATE_VERSION
    db.session.flush()
    return data


@handler("render_certificate_pdf")
def render_job(payload: dict[str, Any]) -> None:
    certificate = db.session.get(Certificate, payload["id"])
    if certificate is not None:
        pdf_bytes(certificate, must_store=True)  # a storage failure fails the job: the worker retries it


# ---------------------------------------------------------------------------- status
TRANSITIONS = {"revoke": ({"valid", "suspended"}, "revoked"), "suspend": ({"valid"}, "suspended"),
               "reinstate": ({"suspended"}, "valid")}


def change_status(certificate: Certificate, action: str, reason: str, actor: Any) -> None:
    allowed, status = TRANSITIONS[action]
    if certificate.status not in allowed:
        raise ValidationFailed(status=_l("This change is not possible for the certificate's current status."))
    if not reason.strip():
        raise ValidationFailed(reason=_l("Give the reason: it is shown on the verification page."))
    before = certificate.status
    certificate.status = status
    certificate.status_reason = reason.strip()
    certificate.status_changed_at = utcnow()
    certificate.events.append(CertificateEvent(status=status, reason=reason.strip(), actor_id=actor.id))
    audit.record(f"certificate.{action}d" if action.endswith("e") else f"certificate.{action}ed", certificate,
                 actor=actor, before={"status": before}, after={"status": status}, note=reason.strip())


def affected_by(organisation_id: int, start: date, end: date) -> list[TrainingRecord]:
    return list(db.session.scalars(select(TrainingRecord).where(
        TrainingRecord.organisation_id == organisation_id, TrainingRecord.status == "valid",
        TrainingRecord.completed_on >= start, TrainingRecord.completed_on <= end).order_by(TrainingRecord.full_name)))


def invalidate_range(organisation: Any, start: date, end: date, reason: str, actor: Any) -> tuple[int, int]:
    """After a revocation for cause: invalidate the organisation's training records in the range and suspend
    every certificate resting on them, in one transaction."""
    from lms.training.completion import invalidate

    if organisation.status != "revoked" or not organisation.revoked_for_cause:
        raise ValidationFailed(status=_l("Only for an organisation whose registration was revoked for cause."))
    if end < start:
        raise ValidationFailed(end=_l("The end cannot be before the start."))
    if not reason.strip():
        raise ValidationFailed(reason=_l("Give the reason."))
    records = affected_by(organisation.id, start, end)
    for record in records:
        invalidate(record, reason, actor)
    certificates = db.session.scalars(select(Certificate).where(
        Certificate.training_record_id.in_([r.id for r in records]), Certificate.status == "valid")).all()
    for certificate in certificates:
        change_status(certificate, "suspend", reason, actor)
    suspended = len(certificates)
    audit.record("organisation.records_invalidated", organisation, actor=actor, note=reason.strip(),
                 after={"from": start.isoformat(), "to": end.isoformat(), "records": len(records),
                        "certificates": suspended})
    return len(records), suspended


@periodic("certificate_renewal_notices", seconds=3600)
def renewal_notices(now: datetime | None = None) -> int:
    """E-mail holders whose certificate ends within RENEWAL_DAYS, once."""
    from lms.accounts.models import User

    day = get_profile().local(now or utcnow()).date()
    due = db.session.execute(select(Certificate, User).join(User, User.id == Certificate.holder_id).where(
        Certificate.status == "valid", Certificate.renewal_notified_at.is_(None),
        Certificate.valid_until >= day, Certificate.valid_until <= day + timedelta(days=RENEWAL_DAYS))
        .options(*shown())).all()
    for certificate, holder in due:
        queue_email(holder.email, "certificate_renewal", holder.locale or get_profile().state_language,
                    certificate=certificate, link=external_url("curricula.detail", code=certificate.curriculum.code))
        certificate.renewal_notified_at = utcnow()
    return len(due)
