"""The Centre's view of training: every course and every training record, searchable; invalidation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from lms import audit
from lms.accounts.roles import CENTRE_ADMIN
from lms.authz import role_required
from lms.curricula.models import Curriculum
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.forms import form_view
from lms.organisations.models import Organisation
from lms.training import completion
from lms.training.forms import FORMAT_LABELS, ReasonForm
from lms.training.models import Course, TrainingRecord

bp = Blueprint("centre_training", __name__, url_prefix="/centre")
PER_PAGE = 50


@bp.get("/courses")
@role_required(CENTRE_ADMIN)
def courses():
    q = request.args.get("q", "").strip()
    query = select(Course).join(Course.organisation).join(Course.curriculum).order_by(Course.starts_on.desc())
    if q:
        query = query.where(or_(Organisation.name_ru.ilike(f"%{q}%"), Organisation.name_state.ilike(f"%{q}%"),
                                Organisation.registry_number == q.upper(), Curriculum.code == q.upper()))
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template("training/centre_courses.html", page=page, q=q, format_labels=FORMAT_LABELS)


@bp.get("/courses/<int:course_id>")
@role_required(CENTRE_ADMIN)
def course(course_id: int):
    row = db.get_or_404(Course, course_id)
    from lms.training.staff_views import test_outcomes

    return render_template("training/course.html", course=row, manager=False, centre=True,
                           format_labels=FORMAT_LABELS, problems={}, open=False, outcomes=test_outcomes(row))


@bp.get("/training-records")
@role_required(CENTRE_ADMIN)
def records():
    q = request.args.get("q", "").strip()
    query = select(TrainingRecord).order_by(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc())
    if q:
        query = query.where(or_(TrainingRecord.iin == q, TrainingRecord.full_name.ilike(f"%{q}%"),
                                TrainingRecord.employer_bin == q,
                                TrainingRecord.curriculum.has(Curriculum.code == q.upper()),
                                TrainingRecord.organisation.has(Organisation.registry_number == q.upper())))
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template("training/centre_records.html", page=page, q=q)


@bp.route("/training-records/<int:record_id>", methods=["GET", "POST"])
@role_required(CENTRE_ADMIN)
@form_view
def record(record_id: int):
    row = db.get_or_404(TrainingRecord, record_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            completion.invalidate(row, form.reason.data, actor=current_user)
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
            flash(_("The training record has been invalidated."), "success")
            return redirect(url_for("centre_training.record", record_id=row.id))
    return render_template("training/centre_record.html", record=row, form=form, events=audit.history(row))
