"""Employers whose BIN the Centre confirmed: their staff's certificates, a CSV check of numbers with
surnames, and API keys for GET /api/v1/certificates/<number> and POST /api/v1/certificates/verify."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.roles import EMPLOYER
from lms.authz import role_required
from lms.certificates.forms import BulkCheckForm, KeyForm
from lms.certificates.models import Certificate, shown
from lms.certificates.services import today
from lms.certificates.verification import log_checks, surname_matches
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.forms import form_view, refused
from lms.training import apikeys
from lms.training.models import ApiKey
from lms.util import UnreadableFile, csv_response, external_url, read_csv

bp = Blueprint("employer", __name__, url_prefix="/employer")


def public_status(certificate: Certificate | None, surname: str | None = None) -> dict[str, Any]:
    """The minimum an employer or inspector learns about a certificate."""
    if certificate is None or (surname is not None and not surname_matches(certificate.holder_name, surname)):
        return {"found": False}
    return {"found": True, "number": certificate.number, "status": certificate.effective_status(today()),
            "holder": certificate.holder_name, "curriculum": certificate.curriculum.code,
            "valid_until": certificate.valid_until.isoformat(),
            "verify_url": external_url("verification.verify", code=certificate.code)}


def check_rows(data: bytes) -> list[list[str]]:
    """Number and surname pairs from an uploaded CSV (a header row is skipped)."""
    limit = current_app.config["LMS_ENROLMENT_MAX_ROWS"]
    try:
        rows = read_csv(data)
    except UnreadableFile as exc:
        raise ValidationFailed(file=_("The file is not a readable CSV file.")) from exc
    if rows and rows[0] and not any(ch.isdigit() for ch in rows[0][0]):
        rows = rows[1:]  # a header
    if len(rows) > limit:
        raise ValidationFailed(file=_("The file has %(n)s rows; at most %(max)s are accepted at once.",
                                      n=len(rows), max=limit))
    if any(len(r) < 2 for r in rows):
        raise ValidationFailed(file=_("Each row needs two columns: the certificate number and the surname."))
    return rows


def _bins() -> set[str]:
    return current_user.employer_bins()


@bp.get("/")
@role_required(EMPLOYER)
def staff():
    day = today()
    rows = db.session.scalars(select(Certificate).where(Certificate.employer_bin.in_(_bins()))
                              .order_by(Certificate.valid_until).options(*shown())).all()
    groups: dict[str, list[Certificate]] = {"expired": [], "30": [], "60": [], "90": [], "valid": [], "other": []}
    for certificate in rows:
        status = certificate.effective_status(day)
        left = (certificate.valid_until - day).days
        key = ("expired" if status == "expired" else "other" if status != "valid" else
               "30" if left <= 30 else "60" if left <= 60 else "90" if left <= 90 else "valid")
        groups[key].append(certificate)
    return render_template("certificates/employer.html", groups=groups, form=BulkCheckForm(), today=day,
                           bins=sorted(_bins()))


@bp.post("/check")
@role_required(EMPLOYER)
@form_view
def bulk_check():
    form = BulkCheckForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash(_("Choose a CSV file."), "error")
        return redirect(url_for("employer.staff"))
    raw = upload.read(5 * 1024 * 1024 + 1)
    try:
        if len(raw) > 5 * 1024 * 1024:
            raise ValidationFailed(file=_("The file is larger than %(n)s MB.", n=5))
        rows = check_rows(raw)
    except ValidationFailed as exc:
        refused(exc)
        return redirect(url_for("employer.staff"))
    numbers = {r[0].strip().upper() for r in rows}
    found = {c.number: c for c in db.session.scalars(select(Certificate).where(Certificate.number.in_(numbers))
                                                     .options(*shown()))}
    table, checked = [], []
    for number, surname, *_rest in rows:
        certificate = found.get(number.strip().upper())
        info = public_status(certificate, surname)
        checked.append(certificate.id if info["found"] else None)
        table.append([number, surname, "yes" if info["found"] else "no", info.get("status", ""),
                      info.get("holder", ""), info.get("curriculum", ""), info.get("valid_until", ""),
                      info.get("verify_url", "")])
    log_checks(checked, "bulk")  # each number is a check of its own, logged like any other
    db.session.commit()
    return csv_response("certificate-statuses.csv", ["number", "surname", "found", "status", "holder", "curriculum",
                                                     "valid_until", "verify_url"], table)


@bp.route("/api-keys", methods=["GET", "POST"])
@role_required(EMPLOYER)
@form_view
def keys():
    form = KeyForm()
    new_key = None
    bins = sorted(_bins())
    if form.validate_on_submit() and bins:
        row, new_key = apikeys.create_for_employer(bins[0], form.name.data, current_user)
        db.session.commit()
    rows = db.session.scalars(select(ApiKey).where(ApiKey.employer_bin.in_(bins)).order_by(ApiKey.id.desc())).all()
    return render_template("certificates/employer_keys.html", form=form, keys=rows, new_key=new_key)


@bp.post("/api-keys/<int:key_id>/revoke")
@role_required(EMPLOYER)
def revoke_key(key_id: int):
    row = db.session.get(ApiKey, key_id)
    if row is None or row.employer_bin not in _bins():
        abort(404)
    apikeys.revoke(row, current_user)
    db.session.commit()
    return redirect(url_for("employer.keys"))


