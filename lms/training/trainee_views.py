"""The trainee's side: the one-time enrolment link, my courses and their materials, my training records,
my eligibility for the Centre's test."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

from lms.accounts.forms import SetPasswordForm
from lms.domain import ValidationFailed
from lms.extensions import db, limiter
from lms.forms import BaseForm, form_view, refused
from lms.i18n import select_locale
from lms.tokens import InvalidToken
from lms.training import completion, enrolment, materials
from lms.training.authz import own_enrolment_or_404
from lms.training.models import Enrolment, TrainingRecord

bp = Blueprint("trainee", __name__)


class ConfirmForm(BaseForm):
    """A single button; the form exists for its CSRF token."""


def _limit() -> str:
    from flask import current_app

    return current_app.config["LMS_RATELIMIT_RESET"]


@bp.route("/enrolment/<token>", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
@form_view
def claim(token: str):
    try:
        row = enrolment.enrolment_for_claim(token)
    except InvalidToken as exc:
        message = (_("This link has expired. Ask your training organisation to send it again.") if exc.expired
                   else _("This link is not valid or has already been used."))
        return render_template("accounts/bad_link.html", message=message), 400
    existing = enrolment.account_for(row)
    form = SetPasswordForm()
    if existing is not None:
        # An account exists: only its owner, signed in, can confirm the link.
        if not current_user.is_authenticated:
            flash(_("Sign in to your account to add this course to it."), "info")
            return redirect(url_for("accounts.login", next=url_for("trainee.claim", token=token)))
        if current_user.id != existing.id:
            return render_template("training/claim.html", enrolment=row, wrong_account=True, form=None), 403
        confirm = ConfirmForm()
        if confirm.validate_on_submit():
            try:
                enrolment.link_to(row, current_user._get_current_object(), actor=current_user)
            except ValidationFailed as exc:
                refused(exc)
            else:
                db.session.commit()
                flash(_("The course has been added to your account."), "success")
                return redirect(url_for("trainee.home"))
        return render_template("training/claim.html", enrolment=row, confirm=confirm, form=None)
    if form.validate_on_submit():
        try:
            user = enrolment.create_account(row, form.password.data)
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Your account is ready and the course is in it."), "success")
            return redirect(url_for("trainee.home"))
    return render_template("training/claim.html", enrolment=row, form=form)


@bp.get("/me/")
@login_required
def home():
    rows = db.session.scalars(select(Enrolment).where(Enrolment.user_id == current_user.id)
                              .order_by(Enrolment.created_at.desc())).all()
    records = db.session.scalars(select(TrainingRecord).where(TrainingRecord.user_id == current_user.id)
                                 .order_by(TrainingRecord.completed_on.desc())).all()
    return render_template("training/me.html", enrolments=rows, records=records,
                           eligibility=completion.eligibility(current_user))


@bp.get("/me/courses/<int:enrolment_id>")
@login_required
def my_course(enrolment_id: int):
    row = own_enrolment_or_404(enrolment_id)
    return render_template("training/my_course.html", enrolment=row)


@bp.get("/me/courses/<int:enrolment_id>/topics/<int:position>")
@login_required
def topic(enrolment_id: int, position: int):
    row = own_enrolment_or_404(enrolment_id)
    topic_row = next((t for t in row.course.version.topics if t.position == position), None)
    if topic_row is None:
        abort(404)
    languages = materials.languages_for(row.course.version.country)
    locale = select_locale()
    found = materials.material(row.course.curriculum.code, position,
                               (locale, *[lang for lang in languages if lang != locale]))
    completion.open_topic(row, position)
    db.session.commit()
    return render_template("training/topic.html", enrolment=row, topic=topic_row, material=found,
                           languages=languages)
