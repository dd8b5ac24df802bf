"""The holder's certificates: list, PDF, signed credential, an expiring share link."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from lms.certificates import services
from lms.certificates.models import Certificate, shown
from lms.certificates.verification import credential_response, log_check, lookup, render_status
from lms.extensions import db
from lms.tokens import InvalidToken, make_token, read_token
from lms.util import external_url

bp = Blueprint("holder", __name__)


def own_certificate_or_404(certificate_id: int, *options) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id, options=options)
    if certificate is None or certificate.holder_id != current_user.id:
        abort(404)
    return certificate


@bp.get("/me/certificates")
@login_required
def mine():
    rows = db.session.scalars(select(Certificate).where(Certificate.holder_id == current_user.id)
                              .order_by(Certificate.issued_at.desc()).options(*shown())).all()
    return render_template("certificates/mine.html", certificates=rows, today=services.today())


@bp.get("/me/certificates/<int:certificate_id>/pdf")
@login_required
def pdf(certificate_id: int):
    # a stored PDF needs the row alone; what a first rendering shows loads then
    certificate = own_certificate_or_404(certificate_id, lazyload("*"))
    data = services.pdf_bytes(certificate)  # a storage failure still serves the PDF, rendered on the spot
    db.session.commit()
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{certificate.number}.pdf"', "Cache-Control": "private"})


@bp.get("/me/certificates/<int:certificate_id>/credential")
@login_required
def credential(certificate_id: int):
    return credential_response(own_certificate_or_404(certificate_id))


@bp.get("/me/certificates/<int:certificate_id>/share")
@login_required
def share(certificate_id: int):
    certificate = own_certificate_or_404(certificate_id)
    link = external_url("holder.shared", token=make_token("certificate-share", {"c": certificate.id}))
    return render_template("certificates/share.html", certificate=certificate, link=link)


@bp.get("/s/<token>")
def shared(token: str):
    try:
        data = read_token("certificate-share", token)
    except InvalidToken:
        return render_template("certificates/not_found.html"), 404
    wanted = data.get("c") if isinstance(data, dict) else None
    certificate = lookup(Certificate.id == wanted) if isinstance(wanted, int) else None
    if certificate is None:
        return render_template("certificates/not_found.html"), 404
    log_check(certificate.id, "share")
    return render_status(certificate)
