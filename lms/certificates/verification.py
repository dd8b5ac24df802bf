"""Public verification: /v/<code> (the QR target), /verify by number and surname, the signed credential,
the issuer's keys and the status lists. No login; every check is counted and logged with a keyed hash of
the IP."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime

from flask import Blueprint, Response, abort, current_app, render_template, request
from sqlalchemy import Engine, bindparam, exists, func, insert, select

from lms.certificates import credentials, keys
from lms.certificates.models import Certificate, VerificationCheck, effective_status, shown
from lms.certificates.services import today
from lms.curricula.models import Curriculum, CurriculumVersion
from lms.extensions import configured_limit, db, limiter
from lms.forms import form_view
from lms.organisations.models import Organisation
from lms.util import client_ip

verify_limit = configured_limit("LMS_RATELIMIT_VERIFY")

bp = Blueprint("verification", __name__)
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
NEAR_EXPIRY_DAYS = 30


def log_check(certificate_id: int | None, channel: str) -> None:
    """Log one public check (a Core insert: no unit of work to flush on the hottest public path)."""
    log_checks([certificate_id], channel)


def log_checks(certificate_ids: list[int | None], channel: str) -> None:
    """Log checks made in one request, one row per certificate asked for (None: not found, or the surname did
    not match), so that a bulk check of 1,000 numbers is logged as 1,000 checks, in one statement."""
    if not certificate_ids:
        return
    digest, agent = _asker()
    rows = [{"certificate_id": i, "ip_hash": digest, "user_agent": agent, "channel": channel, "found": i is not None}
            for i in certificate_ids]
    db.session.execute(insert(VerificationCheck.__table__), rows)  # Core: no ORM bookkeeping per row


def _asker() -> tuple[str, str]:
    """Who asked, as the log keeps it: the IP as a keyed hash, and the user agent."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), client_ip().encode(), hashlib.sha256).hexdigest()
    return digest, (request.user_agent.string or "")[:300]


@dataclass(frozen=True)
class Shown:
    """What the public page shows about one certificate, read in one statement (columns, not objects)."""

    id: int
    number: str
    code: str
    status: str
    status_reason: str | None
    status_changed_at: datetime | None
    issued_at: datetime
    valid_until: date
    holder_name: str
    iin: str
    title: dict
    curriculum_code: str
    name_ru: str
    name_state: str
    registry_number: str | None
    checks_before: int

    def effective_status(self, day: date) -> str:
        return effective_status(self.status, self.valid_until, day)

    def organisation_name(self, locale: str) -> str:
        return Organisation.display_name(self.name_ru, self.name_state, locale)


def _shown(condition):
    """The select of what the public sees of the certificate matching ``condition``, each column labelled with
    its field of Shown, with the number of earlier checks."""
    checks = (select(func.count()).select_from(VerificationCheck)
              .where(VerificationCheck.certificate_id == Certificate.id).scalar_subquery())
    return (select(Certificate.id, Certificate.number, Certificate.code, Certificate.status,
                   Certificate.status_reason, Certificate.status_changed_at, Certificate.issued_at,
                   Certificate.valid_until, Certificate.holder_name, Certificate.iin, CurriculumVersion.title,
                   Curriculum.code.label("curriculum_code"), Organisation.name_ru, Organisation.name_state,
                   Organisation.registry_number, checks.label("checks_before"))
            .join(CurriculumVersion, CurriculumVersion.id == Certificate.curriculum_version_id)
            .join(Curriculum, Curriculum.id == Certificate.curriculum_id)
            .join(Organisation, Organisation.id == Certificate.organisation_id)
            .where(condition))


def lookup(condition) -> Shown | None:
    """The certificate matching ``condition`` as the public sees it, with the number of earlier checks."""
    row = db.session.execute(_shown(condition)).first()
    return Shown(**row._mapping) if row is not None else None


def lookup_and_log(code: str, channel: str) -> Shown | None:
    """``lookup`` by verification code and the check's log entry (found or not) together. On PostgreSQL that
    is one statement, the insert a data-modifying CTE (whose row the count of earlier checks does not see),
    sent on its own outside a transaction when the request has none open: one round trip in place of four
    (BEGIN, select, insert, COMMIT). SQLite has no such CTE; there the two statements run in the request's
    transaction, as everywhere else. Both statements are built once (building and keying the CTE cost more
    CPU than running it)."""
    bind = db.session.get_bind()
    if bind.dialect.name != "postgresql":
        row = db.session.execute(_by_code(), {"code": code}).first()
        log_check(row.id if row is not None else None, channel)
    else:
        if isinstance(bind, Engine) and not db.session().in_transaction():  # (a test's session is bound to
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})  # its transaction)
        digest, agent = _asker()
        row = db.session.execute(_by_code_logged(), {"code": code, "ip_hash": digest, "user_agent": agent,
                                                     "channel": channel}).first()
    return Shown(**row._mapping) if row is not None else None


@functools.cache
def _by_code():
    return _shown(Certificate.code == bindparam("code"))


@functools.cache
def _by_code_logged():
    found = _by_code().cte("found")
    logged = insert(VerificationCheck.__table__).from_select(
        ["certificate_id", "ip_hash", "user_agent", "channel", "found"],
        select(select(found.c.id).scalar_subquery(), bindparam("ip_hash"), bindparam("user_agent"),
               bindparam("channel"), exists(found.select()))).cte("logged")
    return select(found).add_cte(logged)


def well_formed(code: str) -> bool:
    """A tampered, truncated or overlong code never reaches the database."""
    return bool(CODE_RE.match(code or ""))


def render_status(certificate: Shown):
    """The verification page of a certificate whose check the caller logged."""
    day = today()
    status = certificate.effective_status(day)
    near = status == "valid" and (certificate.valid_until - day).days <= NEAR_EXPIRY_DAYS
    page = render_template("certificates/verify.html", certificate=certificate, status=status, near=near,
                           checks=certificate.checks_before + 1)
    db.session.commit()
    return page


@bp.get("/v/<code>")
@limiter.limit(verify_limit)
def verify(code: str):
    if well_formed(code):
        certificate = lookup_and_log(code, "page")
    else:  # a tampered, truncated or overlong code never reaches the certificates
        certificate = None
        log_check(None, "page")
    if certificate is None:
        db.session.commit()
        return render_template("certificates/not_found.html"), 404
    return render_status(certificate)


@bp.get("/v/<code>/credential")
@limiter.limit(verify_limit)
def credential(code: str):
    if not well_formed(code):
        abort(404)
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == code).options(*shown()))
    return credential_response(certificate or abort(404))


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
        certificate = lookup(Certificate.number == form.number.data.strip().upper())
        if certificate is not None and surname_matches(certificate.holder_name, form.surname.data):
            log_check(certificate.id, "number")
            return render_status(certificate)
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
