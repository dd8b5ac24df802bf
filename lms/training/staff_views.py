"""Running courses: the organisation's managers schedule, enrol and complete; lecturers mark attendance
and complete; API keys for the batch API."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from lms.accounts.roles import LECTURER
from lms.authz import role_required
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.forms import form_view, refused, whole_number
from lms.i18n import select_locale
from lms.lecturers.models import Lecturer
from lms.organisations.authz import organisation_for_manager_or_404
from lms.training import apikeys, completion, courses, enrolment
from lms.training.authz import course_for_manager_or_404, course_for_staff_or_404, enrolment_of, is_manager
from lms.training.forms import FORMAT_LABELS, ApiKeyForm, CourseForm, EnrolForm, UploadForm
from lms.training.models import ApiKey, Course, CourseLecturer

bp = Blueprint("courses", __name__)


@bp.get("/org/<int:organisation_id>/courses")
@login_required
def index(organisation_id: int):
    organisation = organisation_for_manager_or_404(organisation_id)
    rows = db.session.scalars(select(Course).where(Course.organisation_id == organisation.id)
                              .order_by(Course.starts_on.desc())).all()
    counts = dict(db.session.execute(
        select(Course.id, func.count()).join(Course.enrolments).where(Course.organisation_id == organisation.id)
        .group_by(Course.id)).all())
    return render_template("training/courses.html", organisation=organisation, courses=rows, counts=counts,
                           may_train=courses.organisation_may_train(organisation), format_labels=FORMAT_LABELS)


@bp.route("/org/<int:organisation_id>/courses/new", methods=["GET", "POST"])
@login_required
@form_view
def new(organisation_id: int):
    organisation = organisation_for_manager_or_404(organisation_id)
    form = CourseForm()
    locale = select_locale()
    form.curriculum.choices = [(link.curriculum.code, f"{link.curriculum.code} — "
                                f"{link.curriculum.current.text('title', locale)}") for link in organisation.curricula]
    lecturers = courses.eligible_lecturers(organisation)
    form.lecturers.choices = [(str(lecturer.id), f"{lecturer.full_name} ({', '.join(lecturer.curriculum_codes())}"
                               f"; {lecturer.valid_until})") for lecturer in lecturers]
    offered = {str(lecturer.id) for lecturer in lecturers}
    if form.validate_on_submit():
        try:
            course = courses.schedule(
                organisation, curriculum_code=form.curriculum.data, format=form.format.data,
                place=form.place.data or "", starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                hours=whole_number(form.hours.data), capacity=whole_number(form.capacity.data),
                lecturer_ids=[int(i) for i in form.lecturers.data or [] if i in offered], actor=current_user)
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
            flash(_("The course has been scheduled."), "success")
            return redirect(url_for("courses.course", course_id=course.id))
    return render_template("training/course_new.html", organisation=organisation, form=form,
                           may_train=courses.organisation_may_train(organisation))


def test_outcomes(course: Course) -> dict[int, tuple[bool, object]]:
    """Per enrolment, the latest result of the Centre's test: pass or fail and the date, nothing more
    (training organisations never see questions, answers or scores)."""
    from lms.assessments.models import Attempt
    from lms.training.models import TrainingRecord

    rows = db.session.execute(
        select(TrainingRecord.enrolment_id, Attempt.passed, Attempt.finished_at)
        .join(Attempt, Attempt.training_record_id == TrainingRecord.id)
        .where(TrainingRecord.course_id == course.id, Attempt.status == "finished")
        .order_by(Attempt.finished_at)).all()
    return {enrolment_id: (passed, finished_at) for enrolment_id, passed, finished_at in rows}


def _course_page(course: Course, enrol_form: EnrolForm | None = None):
    manager = is_manager(current_user, course)
    return render_template("training/course.html", course=course, manager=manager,
                           enrol_form=enrol_form or EnrolForm(), upload_form=UploadForm(), format_labels=FORMAT_LABELS,
                           problems={e.id: completion.completion_problem(e) for e in course.enrolments},
                           open=enrolment.course_is_open(course), outcomes=test_outcomes(course))


@bp.get("/courses/<int:course_id>")
@login_required
def course(course_id: int):
    return _course_page(course_for_staff_or_404(course_id))


@bp.post("/courses/<int:course_id>/enrol")
@login_required
@form_view
def enrol(course_id: int):
    course = course_for_manager_or_404(course_id)
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            _row, created = enrolment.enrol(course, {k: getattr(form, k).data for k in enrolment.FIELDS},
                                            actor=current_user, locale=select_locale())
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
            flash(_("The trainee has been enrolled; a link to their account was sent to their e-mail.") if created
                  else _("This person is already enrolled on the course."), "success" if created else "info")
            return redirect(url_for("courses.course", course_id=course.id))
    return _course_page(course, enrol_form=form), 200


@bp.post("/courses/<int:course_id>/upload")
@login_required
@form_view
def upload(course_id: int):
    course = course_for_manager_or_404(course_id)
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_("The page was open too long, so for your security it was not sent. Please try again."), "error")
        return redirect(url_for("courses.course", course_id=course.id))
    file = request.files.get("file")
    data = file.read() if file else b""
    try:
        if not data:
            raise enrolment.FileProblem(_("Choose a file."))
        rows, extra = enrolment.read_rows(data)
    except enrolment.FileProblem as exc:
        flash(exc.message, "error")
        return redirect(url_for("courses.course", course_id=course.id))
    results = enrolment.enrol_rows(course, rows, actor=current_user, locale=select_locale())
    db.session.commit()
    return render_template("training/upload_report.html", course=course, results=results, extra=extra)


@bp.post("/courses/<int:course_id>/enrolments/<int:enrolment_id>/attendance")
@login_required
def attendance(course_id: int, enrolment_id: int):
    course = course_for_staff_or_404(course_id)
    row = enrolment_of(course, enrolment_id)
    topics = {str(t.position): t.position for t in course.version.topics}
    try:
        completion.record_attendance(row, {topics[p] for p in request.form.getlist("topics") if p in topics},
                                     actor=current_user)
    except ValidationFailed as exc:
        refused(exc)
    else:
        db.session.commit()
        flash(_("Attendance saved for %(name)s.", name=row.full_name), "success")
    return redirect(url_for("courses.course", course_id=course.id) + f"#e{row.id}")


@bp.post("/courses/<int:course_id>/enrolments/<int:enrolment_id>/complete")
@login_required
def complete(course_id: int, enrolment_id: int):
    course = course_for_staff_or_404(course_id)
    row = enrolment_of(course, enrolment_id)
    try:
        completion.complete(row, actor=current_user)
    except ValidationFailed as exc:
        refused(exc)
    else:
        db.session.commit()
        flash(_("%(name)s has completed the course: the training record is written.", name=row.full_name), "success")
    return redirect(url_for("courses.course", course_id=course.id) + f"#e{row.id}")


@bp.post("/courses/<int:course_id>/cancel")
@login_required
def cancel(course_id: int):
    course = course_for_manager_or_404(course_id)
    try:
        courses.cancel(course, actor=current_user)
    except ValidationFailed as exc:
        refused(exc)
    else:
        db.session.commit()
        flash(_("The course has been cancelled."), "success")
    return redirect(url_for("courses.course", course_id=course.id))


@bp.route("/org/<int:organisation_id>/api-keys", methods=["GET", "POST"])
@login_required
@form_view
def api_keys(organisation_id: int):
    organisation = organisation_for_manager_or_404(organisation_id)
    form = ApiKeyForm()
    new_key = None
    if form.validate_on_submit():
        try:
            _row, new_key = apikeys.create(organisation, form.name.data, actor=current_user)
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
    keys = db.session.scalars(select(ApiKey).where(ApiKey.organisation_id == organisation.id)
                              .order_by(ApiKey.id.desc())).all()
    return render_template("training/api_keys.html", organisation=organisation, form=form, keys=keys,
                           new_key=new_key)


@bp.post("/org/<int:organisation_id>/api-keys/<int:key_id>/revoke")
@login_required
def revoke_key(organisation_id: int, key_id: int):
    organisation = organisation_for_manager_or_404(organisation_id)
    row = db.session.get(ApiKey, key_id)
    if row is None or row.organisation_id != organisation.id:
        abort(404)
    apikeys.revoke(row, actor=current_user)
    db.session.commit()
    flash(_("The key has been revoked."), "success")
    return redirect(url_for("courses.api_keys", organisation_id=organisation.id))


@bp.get("/lecturer/courses")
@role_required(LECTURER)
def lecturer_courses():
    lecturer = db.session.scalar(select(Lecturer).where(Lecturer.user_id == current_user.id))
    rows = [] if lecturer is None else db.session.scalars(
        select(Course).join(CourseLecturer).where(CourseLecturer.lecturer_id == lecturer.id)
        .order_by(Course.starts_on.desc())).all()
    return render_template("training/lecturer_courses.html", courses=rows)
