"""The Centre: a certificate's status, the unified registry of people, and the mass suspension after an
organisation is revoked for cause."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from lms import audit
from lms.accounts.roles import CENTRE_ADMIN
from lms.assessments.models import Attempt
from lms.authz import role_required
from lms.certificates import services
from lms.certificates.forms import InvalidateForm, StatusForm
from lms.certificates.models import Certificate, shown
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.forms import form_view
from lms.organisations.models import Organisation
from lms.training.models import TrainingRecord
from lms.util import csv_response

bp = Blueprint("centre_certificates", __name__, url_prefix="/centre")


@bp.route("/certificates/<int:certificate_id>", methods=["GET", "POST"])
@role_required(CENTRE_ADMIN)
@form_view
def certificate(certificate_id: int):
    row = db.get_or_404(Certificate, certificate_id, options=shown())
    form = StatusForm()
    if form.validate_on_submit():
        try:
            services.change_status(row, form.action.data, form.reason.data, actor=current_user)
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
            flash(_("The certificate's status has been changed."), "success")
            return redirect(url_for("centre_certificates.certificate", certificate_id=row.id))
    return render_template("certificates/centre_certificate.html", certificate=row, form=form,
                           today=services.today(), events=audit.history(row))


def _people(q: str) -> list[tuple[str, str]]:
    """(IIN, name) of the people matching an IIN, a name or a certificate number."""
    q = q.strip()
    if not q:
        return []
    found: dict[str, str] = {}
    for iin, name in db.session.execute(select(TrainingRecord.iin, TrainingRecord.full_name).where(
            or_(TrainingRecord.iin == q, TrainingRecord.full_name.icontains(q, autoescape=True))).limit(200)):
        found.setdefault(iin, name)
    for iin, name in db.session.execute(select(Certificate.iin, Certificate.holder_name).where(
            or_(Certificate.number == q.upper(), Certificate.iin == q))):
        found.setdefault(iin, name)
    return sorted(found.items(), key=lambda kv: kv[1])


@bp.get("/people")
@role_required(CENTRE_ADMIN)
def people():
    q = request.args.get("q", "")
    rows = _people(q)
    if request.args.get("format") == "csv":
        iins = [iin for iin, _name in rows]
        records = dict(db.session.execute(select(TrainingRecord.iin, func.count()).where(TrainingRecord.iin.in_(iins))
                                          .group_by(TrainingRecord.iin)).all())
        numbers: dict[str, list[str]] = {}
        for iin, number in db.session.execute(select(Certificate.iin, Certificate.number)
                                              .where(Certificate.iin.in_(iins)).order_by(Certificate.id)):
            numbers.setdefault(iin, []).append(number)
        audit.record("registry.exported", object_type="people", note=q[:100])
        db.session.commit()
        return csv_response("people.csv", ["iin", "name", "training_records", "certificates"],
                            ([iin, name, records.get(iin, 0), ";".join(numbers.get(iin, []))] for iin, name in rows))
    return render_template("certificates/people.html", q=q, rows=rows)


@bp.get("/people/<iin>")
@role_required(CENTRE_ADMIN)
def person(iin: str):
    records = db.session.scalars(select(TrainingRecord).where(TrainingRecord.iin == iin)
                                 .order_by(TrainingRecord.completed_on.desc())).all()
    certificates = db.session.scalars(select(Certificate).where(Certificate.iin == iin)
                                      .order_by(Certificate.issued_at.desc())
                                      .options(*shown(), selectinload(Certificate.events))).all()
    if not records and not certificates:
        return render_template("errors/error.html", status=404, title=_("Nothing found."), message=""), 404
    attempts = db.session.scalars(select(Attempt).where(Attempt.training_record_id.in_([r.id for r in records]))
                                  .order_by(Attempt.started_at.desc())).all()
    return render_template("certificates/person.html", iin=iin, records=records, certificates=certificates,
                           attempts=attempts, today=services.today())


@bp.route("/organisations/<int:organisation_id>/invalidate", methods=["GET", "POST"])
@role_required(CENTRE_ADMIN)
@form_view
def invalidate(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    form = InvalidateForm()
    preview = None
    if form.validate_on_submit():
        if form.confirm.data:
            try:
                records, suspended = services.invalidate_range(organisation, form.start.data, form.end.data,
                                                               form.reason.data or "", actor=current_user)
            except ValidationFailed as exc:
                form.refused(exc)
            else:
                db.session.commit()
                flash(_("%(r)s training records invalidated, %(c)s certificates suspended.", r=records, c=suspended),
                      "success")
                return redirect(url_for("centre_registry.organisation", organisation_id=organisation.id))
        preview = services.affected_by(organisation.id, form.start.data, form.end.data)
    numbers: dict[int, list[str]] = {}
    if preview:
        for record_id, number in db.session.execute(select(Certificate.training_record_id, Certificate.number).where(
                Certificate.training_record_id.in_([r.id for r in preview])).order_by(Certificate.id)):
            numbers.setdefault(record_id, []).append(number)
    return render_template("certificates/invalidate.html", organisation=organisation, form=form, preview=preview,
                           numbers=numbers)
