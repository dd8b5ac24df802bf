"""The training organisation's side: apply, keep the draft, submit, documents, profile and lecturers."""

from __future__ import annotations

from collections.abc import Collection

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms import audit
from lms.accounts.roles import ORG_MANAGER
from lms.authz import role_required
from lms.curricula.queries import current_versions
from lms.domain import ValidationFailed
from lms.extensions import db, limiter
from lms.forms import form_view, refused, whole_number
from lms.i18n import select_locale
from lms.lecturers import services as lecturers
from lms.lecturers.models import Lecturer
from lms.organisations import applications, documents, queries, registry
from lms.organisations.authz import can_read_document, organisation_for_manager_or_404
from lms.organisations.forms import (
    ApplicationForm,
    ChangeRequestForm,
    ContactsForm,
    LinkLecturerForm,
    StartForm,
    apply_errors,
    curriculum_choices,
    fill,
    region_choices,
    to_data,
)
from lms.organisations.models import Application, ApplicationDocument, ChangeRequest, Organisation
from lms.storage import StorageError, storage
from lms.util import local_today

bp = Blueprint("org", __name__)


def _start_limit() -> str:
    return current_app.config["LMS_RATELIMIT_RESET"]


@bp.route("/apply", methods=["GET", "POST"])
@limiter.limit(_start_limit, methods=["POST"])
@form_view
def start():
    form = StartForm()
    form.region.choices = region_choices()
    if form.validate_on_submit():
        signed_in = current_user.is_authenticated
        try:
            application = applications.start(
                bin_=form.bin.data, name=form.name.data, region=form.region.data,
                manager=current_user._get_current_object() if signed_in else None,
                full_name=form.full_name.data or "", email=form.email.data or "", locale=select_locale())
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
            if signed_in:
                return redirect(url_for("org.application", organisation_id=application.organisation_id))
            return render_template("organisations/started.html", email=form.email.data)
    return render_template("organisations/start.html", form=form)


@bp.get("/org/")
@login_required
@role_required(ORG_MANAGER)
def dashboard():
    ids = current_user.organisation_ids(ORG_MANAGER)
    organisations = db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))
                                       .order_by(Organisation.name_ru)).all()
    open_apps = {a.organisation_id: a for a in db.session.scalars(
        select(Application).where(Application.organisation_id.in_(ids)).order_by(Application.id))}
    return render_template("organisations/dashboard.html", organisations=organisations, applications=open_apps)


def _curriculum_versions(keep: Collection[str] = ()):
    """The active curricula, plus those in ``keep`` (approved earlier, retired since) so a form keeps them."""
    return [v for v in db.session.scalars(current_versions(statuses=("active", "retired")))
            if v.curriculum.status == "active" or v.curriculum.code in keep]


def _latest_application(organisation: Organisation) -> Application | None:
    return db.session.scalars(select(Application).where(Application.organisation_id == organisation.id)
                              .order_by(Application.id.desc())).first()


@bp.route("/org/<int:organisation_id>/application", methods=["GET", "POST"])
@login_required
@form_view
def application(organisation_id: int):
    organisation = organisation_for_manager_or_404(organisation_id)
    app_row = _latest_application(organisation)
    if app_row is None:
        abort(404)
    form = ApplicationForm()
    form.org_region.choices = region_choices()
    form.curricula.choices = curriculum_choices(_curriculum_versions(), select_locale())
    problems: dict = {}
    if request.method == "GET":
        fill(form, app_row.data)
        problems = applications.check(app_row.data, documents=len(app_row.documents), submit=False)
    elif form.add_lecturer.data and app_row.editable:
        form.lecturers.append_entry()
    elif form.validate_on_submit():
        try:
            problems = applications.save_draft(app_row, to_data(form), actor=current_user)
            _attach(app_row, form)
            if form.submit_application.data:
                applications.submit(app_row, actor=current_user)
        except ValidationFailed as exc:
            if not app_row.editable:  # submitted meanwhile (another tab): nothing was saved
                refused(exc)
                return redirect(url_for("org.application", organisation_id=organisation.id))
            # The draft keeps everything typed; the submission is refused with the reasons on the fields.
            db.session.commit()
            problems = exc.errors
            flash(_("The application was not submitted: see the messages below.") if form.submit_application.data
                  else _("The draft has been saved, but the file was not attached: see the message below."), "error")
        else:
            db.session.commit()
            if form.submit_application.data:
                flash(_("Your application has been submitted. The Centre will review it; you will get an e-mail."),
                      "success")
            else:
                flash(_("The draft has been saved."), "success")
            return redirect(url_for("org.application", organisation_id=organisation.id))
    apply_errors(form, problems)
    return render_template("organisations/application.html", form=form, organisation=organisation,
                           application=app_row,
                           frozen={d.id for d in app_row.documents if documents.is_frozen(d)})


def _attach(app_row: Application, form: ApplicationForm) -> None:
    """A file chosen in the draft form is attached when the draft is saved; if it is refused, the draft
    is still saved and the message stands on the file field."""
    upload = request.files.get("document")
    if upload is None or not upload.filename:
        return
    try:
        with db.session.begin_nested():
            documents.add_document(app_row, upload.stream, upload.filename, form.document_kind.data,
                                   actor=current_user)
    except ValidationFailed as exc:
        raise ValidationFailed({"document": [m for ms in exc.errors.values() for m in ms]}) from None
    finally:
        upload.close()


@bp.post("/org/<int:organisation_id>/application/documents/<int:document_id>/remove")
@login_required
def remove_document(organisation_id: int, document_id: int):
    organisation = organisation_for_manager_or_404(organisation_id)
    document = db.session.get(ApplicationDocument, document_id)
    if document is None or document.organisation_id != organisation.id or not document.application.editable:
        abort(404)
    try:
        documents.remove_document(document)
    except ValidationFailed as exc:
        refused(exc)
    else:
        db.session.commit()
        flash(_("The document has been removed."), "success")
    return redirect(url_for("org.application", organisation_id=organisation.id) + "#documents")


@bp.get("/documents/<int:document_id>")
@login_required
def document(document_id: int):
    """A supporting document, only for the Centre and the organisation it belongs to."""
    row = db.session.get(ApplicationDocument, document_id)
    if row is None or not can_read_document(current_user, row):
        abort(404)
    try:
        data = storage().get(row.storage_key)
    except StorageError:
        abort(503)
    return Response(data, mimetype=row.content_type, headers={
        "Content-Disposition": f'attachment; filename="document-{row.id}.{row.storage_key.rsplit(".", 1)[-1]}"',
        "Cache-Control": "private, no-store",
    })


@bp.route("/org/<int:organisation_id>/profile", methods=["GET", "POST"])
@login_required
@form_view
def profile(organisation_id: int):
    organisation = organisation_for_manager_or_404(organisation_id)
    contacts = ContactsForm(obj=organisation, prefix="c")
    change = ChangeRequestForm(prefix="r")
    change.curricula.choices = curriculum_choices(_curriculum_versions(organisation.curriculum_codes()),
                                                  select_locale())
    if request.method == "GET":
        change.name_state.data, change.name_ru.data = organisation.name_state, organisation.name_ru
        change.bin.data = organisation.bin
        change.curricula.data = organisation.curriculum_codes()
    if contacts.save_contacts.data and contacts.validate_on_submit():
        try:
            registry.update_contacts(organisation, {k: getattr(contacts, k).data for k in registry.CONTACT_FIELDS},
                                     actor=current_user)
        except ValidationFailed as exc:
            contacts.refused(exc)
        else:
            db.session.commit()
            flash(_("The contacts have been saved."), "success")
            return redirect(url_for("org.profile", organisation_id=organisation.id))
    elif change.send_request.data and change.validate_on_submit():
        try:
            registry.request_change(organisation, {
                "name_state": (change.name_state.data or "").strip(), "name_ru": (change.name_ru.data or "").strip(),
                "bin": (change.bin.data or "").strip(), "curricula": sorted(change.curricula.data or []),
            }, actor=current_user)
        except ValidationFailed as exc:
            change.refused(exc)
        else:
            db.session.commit()
            flash(_("Your change request has been sent to the Centre."), "success")
            return redirect(url_for("org.profile", organisation_id=organisation.id))
    pending = db.session.scalar(select(ChangeRequest).where(ChangeRequest.organisation_id == organisation.id,
                                                            ChangeRequest.status == "pending"))
    return render_template("organisations/profile.html", organisation=organisation, contacts=contacts,
                           change=change, pending=pending, events=audit.history(organisation, limit=20))


@bp.route("/org/<int:organisation_id>/lecturers", methods=["GET", "POST"])
@login_required
@form_view
def org_lecturers(organisation_id: int):
    organisation = organisation_for_manager_or_404(organisation_id)
    form = LinkLecturerForm()
    if form.validate_on_submit():
        try:
            lecturers.link_by_iin(organisation, form.iin.data, {
                "full_name": form.full_name.data, "education": form.education.data,
                "qualification": form.qualification.data, "experience_years": whole_number(form.experience_years.data),
            }, actor=current_user)
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
            flash(_("The lecturer has been linked to your organisation."), "success")
            return redirect(url_for("org.org_lecturers", organisation_id=organisation.id))
    return render_template("organisations/lecturers.html", organisation=organisation, form=form,
                           lecturers=queries.linked_lecturers(organisation), today=local_today())


@bp.post("/org/<int:organisation_id>/lecturers/<int:lecturer_id>/unlink")
@login_required
def unlink_lecturer(organisation_id: int, lecturer_id: int):
    organisation = organisation_for_manager_or_404(organisation_id)
    lecturer = db.session.get(Lecturer, lecturer_id)
    if lecturer is None or not any(link.organisation_id == organisation.id for link in lecturer.links):
        abort(404)
    lecturers.unlink(organisation, lecturer, actor=current_user)
    db.session.commit()
    flash(_("The lecturer has been unlinked."), "success")
    return redirect(url_for("org.org_lecturers", organisation_id=organisation.id))
