"""The Centre's registry work: the application queue and review, organisations' status, change requests,
lecturers' certification."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from lms import audit
from lms.accounts.roles import CENTRE_ADMIN
from lms.authz import role_required
from lms.curricula.queries import current_versions
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.forms import form_view, refused, whole_number
from lms.i18n import select_locale
from lms.lecturers import services as lecturers
from lms.lecturers.models import Lecturer
from lms.organisations import applications, registry
from lms.organisations.forms import CertificationForm, LecturerForm, ReviewForm, StatusForm, curriculum_choices
from lms.organisations.models import Application, ChangeRequest, Organisation
from lms.util import local_today

bp = Blueprint("centre_registry", __name__, url_prefix="/centre")
PER_PAGE = 50


@bp.get("/applications")
@role_required(CENTRE_ADMIN)
def queue():
    status = request.args.get("status", "submitted")
    region = request.args.get("region", "")
    query = (select(Application).join(Application.organisation).options(selectinload(Application.versions))
             .order_by(Application.submitted_at, Application.id))
    if status:
        query = query.where(Application.status == status)
    if region:
        query = query.where(Organisation.region == region)
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template("organisations/centre_queue.html", page=page, status=status, region=region)


@bp.route("/applications/<int:application_id>", methods=["GET", "POST"])
@role_required(CENTRE_ADMIN)
@form_view
def review(application_id: int):
    app_row = db.get_or_404(Application, application_id)
    form = ReviewForm()
    submitted = app_row.versions[-1] if app_row.versions else None
    requested = (submitted.data.get("curricula") if submitted else None) or []
    versions = {v.curriculum.code: v for v in db.session.scalars(current_versions(statuses=("active", "retired")))}
    form.curricula.choices = curriculum_choices([versions[c] for c in requested if c in versions], select_locale())
    if request.method == "GET":
        form.curricula.data = list(requested)
    if form.validate_on_submit():
        try:
            if form.decision.data == "approve":
                organisation = applications.approve(app_row, list(form.curricula.data or []), actor=current_user)
                message = _("Approved: registry number %(n)s.", n=organisation.registry_number)
            elif form.decision.data == "reject":
                applications.reject(app_row, form.reason.data or "", actor=current_user)
                message = _("The application has been rejected.")
            else:
                applications.return_for_changes(app_row, {s: getattr(form, f"comment_{s}").data or ""
                                                          for s in applications.SECTIONS}, actor=current_user)
                message = _("The application has been returned for changes.")
        except ValidationFailed as exc:
            db.session.rollback()
            form.apply_errors({("comment_organisation" if k == "comments" else k): v for k, v in exc.errors.items()})
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("centre_registry.review", application_id=app_row.id))
    shown = [d for d in app_row.documents if submitted and d.id in (submitted.document_ids or [])]
    return render_template("organisations/centre_review.html", application=app_row, submitted=submitted,
                           form=form, changes=applications.changes_since_last(app_row), documents=shown,
                           versions=versions, events=audit.history(app_row))


@bp.get("/organisations")
@role_required(CENTRE_ADMIN)
def organisations():
    q = request.args.get("q", "").strip()
    query = select(Organisation).order_by(Organisation.name_ru)
    if q:
        query = query.where(or_(Organisation.name_ru.ilike(f"%{q}%"), Organisation.name_state.ilike(f"%{q}%"),
                                Organisation.bin == q, Organisation.registry_number == q.upper()))
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template("organisations/centre_organisations.html", page=page, q=q)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@role_required(CENTRE_ADMIN)
@form_view
def organisation(organisation_id: int):
    org = db.get_or_404(Organisation, organisation_id)
    form = StatusForm()
    if request.method == "GET":
        form.start.data = local_today()
    if form.validate_on_submit():
        try:
            if form.action.data == "suspend":
                registry.suspend(org, form.reason.data or "", form.start.data or local_today(), form.until.data,
                                 actor=current_user)
            elif form.action.data == "reinstate":
                registry.reinstate(org, actor=current_user, reason=form.reason.data or "")
            else:
                registry.revoke(org, form.reason.data or "", bool(form.for_cause.data), actor=current_user)
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
            flash(_("The organisation's status has been changed."), "success")
            return redirect(url_for("centre_registry.organisation", organisation_id=org.id))
    apps = db.session.scalars(select(Application).where(Application.organisation_id == org.id)
                              .order_by(Application.id.desc())).all()
    return render_template("organisations/centre_organisation.html", organisation=org, form=form,
                           applications=apps, events=audit.history(org), today=local_today())


@bp.get("/change-requests")
@role_required(CENTRE_ADMIN)
def change_requests():
    rows = db.session.scalars(select(ChangeRequest).options(joinedload(ChangeRequest.organisation))
                              .order_by(ChangeRequest.status != "pending", ChangeRequest.id.desc()).limit(200)).all()
    return render_template("organisations/centre_changes.html", requests=rows)


@bp.post("/change-requests/<int:request_id>")
@role_required(CENTRE_ADMIN)
def decide_change(request_id: int):
    row = db.get_or_404(ChangeRequest, request_id)
    try:
        registry.decide_change(row, request.form.get("decision") == "approve", actor=current_user,
                               reason=request.form.get("reason", ""))
    except ValidationFailed as exc:
        refused(exc, first_only=False)
    else:
        db.session.commit()
        flash(_("The change request has been decided."), "success")
    return redirect(url_for("centre_registry.change_requests"))


@bp.get("/lecturers")
@role_required(CENTRE_ADMIN)
def lecturer_list():
    q = request.args.get("q", "").strip()
    query = select(Lecturer).order_by(Lecturer.full_name)
    if q:
        query = query.where(or_(Lecturer.full_name.ilike(f"%{q}%"), Lecturer.iin == q,
                                Lecturer.certificate_number == q.upper()))
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template("organisations/centre_lecturers.html", page=page, q=q, today=local_today())


@bp.route("/lecturers/new", methods=["GET", "POST"])
@role_required(CENTRE_ADMIN)
@form_view
def lecturer_new():
    form = LecturerForm()
    if form.validate_on_submit():
        try:
            lecturer = lecturers.create(form.iin.data, {
                "full_name": form.full_name.data, "email": form.email.data, "education": form.education.data,
                "qualification": form.qualification.data, "experience_years": whole_number(form.experience_years.data),
            }, actor=current_user)
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
            return redirect(url_for("centre_registry.lecturer", lecturer_id=lecturer.id))
    return render_template("organisations/centre_lecturer_new.html", form=form)


@bp.route("/lecturers/<int:lecturer_id>", methods=["GET", "POST"])
@role_required(CENTRE_ADMIN)
@form_view
def lecturer(lecturer_id: int):
    person = db.get_or_404(Lecturer, lecturer_id)
    form = CertificationForm()
    form.curricula.choices = curriculum_choices(db.session.scalars(current_versions()).all(), select_locale())
    if request.method == "GET":
        form.curricula.data = person.curriculum_codes()
        form.email.data = person.email
    if form.validate_on_submit():
        action = form.action.data
        try:
            if action == "certify":
                lecturers.certify(person, form.certificate_number.data, list(form.curricula.data or []),
                                  form.valid_until.data, actor=current_user)
            elif action == "renew":
                lecturers.renew(person, form.valid_until.data, actor=current_user)
            elif action == "suspend":
                lecturers.suspend(person, form.reason.data or "", actor=current_user)
            elif action == "reinstate":
                lecturers.reinstate(person, actor=current_user)
            elif action == "revoke":
                lecturers.revoke(person, form.reason.data or "", actor=current_user)
            else:
                lecturers.invite(person, (form.email.data or "").strip(), select_locale(), actor=current_user)
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("centre_registry.lecturer", lecturer_id=person.id))
    return render_template("organisations/centre_lecturer.html", lecturer=person, form=form, today=local_today(),
                           events=audit.history(person))


