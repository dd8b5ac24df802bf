"""Public verification: /v/<code> (the QR target), /verify by number and surname, the signed credential,
the issuer's keys and the status lists. No login; every check is counted and logged with a keyed hash of
the IP."""

from __future__ import annotations

import hashlib
import hmac
import re

from flask import Blueprint, Response, abort, current_app, render_template, request
from sqlalchemy import select

from lms.certificates import credentials, keys
from lms.certificates.models import Certificate, VerificationCheck, shown
from lms.certificates.services import today
from lms.extensions import configured_limit, db, limiter
from lms.forms import form_view
from lms.util import client_ip

verify_limit = configured_limit("LMS_RATELIMIT_VERIFY")

bp = Blueprint("verification", __name__)
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
NEAR_EXPIRY_DAYS = 30



def log_check(certificate: Certificate | None, channel: str) -> None:
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), client_ip().encode(), hashlib.sha256).hexdigest()
    db.session.add(VerificationCheck(certificate_id=certificate.id if certificate else None, ip_hash=digest,
                                     user_agent=(request.user_agent.string or "")[:300], channel=channel,
                                     found=certificate is not None))


def by_code(code: str) -> Certificate | None:
    if not CODE_RE.match(code or ""):
        return None  # a tampered, truncated or overlong code never reaches the database
    return db.session.scalar(select(Certificate).where(Certificate.code == code).options(*shown()))


def render_status(certificate: Certificate, channel: str = "page"):
    """The verification page; the check is logged and committed after rendering, so that the commit does not
    expire the certificate and make the page load it again."""
    log_check(certificate, channel)
    day = today()
    status = certificate.effective_status(day)
    near = status == "valid" and (certificate.valid_until - day).days <= NEAR_EXPIRY_DAYS
    page = render_template("certificates/verify.html", certificate=certificate, status=status, near=near,
                           checks=db.session.scalar(select(db.func.count()).select_from(VerificationCheck).where(
                               VerificationCheck.certificate_id == certificate.id)))
    db.session.commit()
    return page


@bp.get("/v/<code>")
@limiter.limit(verify_limit)
def verify(code: str):
    certificate = by_code(code)
    if certificate is None:
        log_check(None, "page")
        db.session.commit()
        return render_template("certificates/not_found.html"), 404
    return render_status(certificate)


@bp.get("/v/<code>/credential")
@limiter.limit(verify_limit)
def credential(code: str):
    return credential_response(by_code(code) or abort(404))


def credential_response(certificate: Certificate) -> Response:
    """The certificate's signed credential as a download (for the public and for its holder)."""
    token = credentials.credential_jwt(certificate)
    db.session.commit()
    return Response(token, mimetype="application/vc+jwt", headers={
        "Content-Disposition": f'attachment; filename="{certificate.number}.vc.jwt"'})


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(verify_limit, methods=["POST"])
@form_view
def by_number():
    from lms.certificates.forms import CheckForm

    form = CheckForm()
    not_found = False
    if form.validate_on_submit():
        certificate = db.session.scalar(select(Certificate).where(
            Certificate.number == form.number.data.strip().upper()).options(*shown()))
        if certificate is not None and surname_matches(certificate.holder_name, form.surname.data):
            return render_status(certificate, "number")
        log_check(None, "number")
        db.session.commit()
        not_found = True
    return render_template("certificates/check.html", form=form, not_found=not_found)


def surname_matches(full_name: str, surname: str) -> bool:
    """The surname must be one of the words of the holder's name (case and ё/е insensitive)."""
    def norm(value: str) -> str:
        return value.strip().lower().replace("ё", "е")

    wanted = norm(surname)
    return bool(wanted) and wanted in {norm(part) for part in full_name.split()}


@bp.get("/.well-known/jwks.json")
@limiter.limit(verify_limit)
def jwks():
    data = keys.jwks()
    db.session.commit()
    return data


@bp.get("/credentials/status/<purpose>")
@limiter.limit(verify_limit)
def status_list(purpose: str):
    if purpose not in credentials.PURPOSES:
        abort(404)
    token = credentials.status_list_jwt(purpose)
    db.session.commit()
    return Response(token, mimetype="application/vc+jwt", headers={"Cache-Control": "no-cache"})
