"""The Centre's curriculum pages: list, create, edit (a new version), activate, retire."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms import audit
from lms.accounts.roles import CENTRE_ADMIN
from lms.authz import role_required
from lms.curricula import services
from lms.curricula.forms import CurriculumForm, fill, to_document
from lms.curricula.models import Curriculum
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.forms import form_view, refused

bp = Blueprint("centre_curricula", __name__, url_prefix="/centre/curricula")


def _curriculum_or_404(code: str) -> Curriculum:
    curriculum = services.get_by_code(code)
    if curriculum is None:
        abort(404)
    return curriculum


@bp.get("/")
@role_required(CENTRE_ADMIN)
def index():
    curricula = db.session.scalars(select(Curriculum).order_by(Curriculum.code)).all()
    return render_template("curricula/centre_list.html", curricula=curricula)


def _editor(form: CurriculumForm, save, previous=None, **context):
    """Shared POST handling: add a topic, or validate with the loader's rules and save."""
    if request.method == "POST" and form.add_topic.data:
        form.topics.append_entry()
    elif form.validate_on_submit():
        document, layout_errors = to_document(form, previous)
        try:
            if layout_errors:
                raise ValidationFailed(layout_errors)
            result = save(document)
        except ValidationFailed as exc:
            form.refused(exc)
        else:
            db.session.commit()
            return result
    return render_template("curricula/centre_edit.html", form=form, **context)


@bp.route("/new", methods=["GET", "POST"])
@role_required(CENTRE_ADMIN)
@form_view
def create():
    form = CurriculumForm()

    def save(document):
        curriculum = services.create(document, actor=current_user)
        flash(_("The curriculum %(code)s has been created.", code=curriculum.code), "success")
        return redirect(url_for("centre_curricula.edit", code=curriculum.code))

    return _editor(form, save, curriculum=None)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@role_required(CENTRE_ADMIN)
@form_view
def edit(code: str):
    curriculum = _curriculum_or_404(code)
    previous = services.document(curriculum)
    form = CurriculumForm()
    if request.method == "GET":
        fill(form, previous)
    form.code.data = curriculum.code
    form.status.data = curriculum.status if curriculum.status != "retired" else "active"

    def save(document):
        before = curriculum.current.version
        version = services.edit(curriculum, document, actor=current_user)
        if version.version != before:
            flash(_("Saved as version %(n)s. Anything that used an earlier version keeps it.", n=version.version),
                  "success")
        else:
            flash(_("Saved."), "success")
        return redirect(url_for("centre_curricula.edit", code=curriculum.code))

    events = audit.history(curriculum, limit=30)
    return _editor(form, save, previous, curriculum=curriculum, events=events)


@bp.post("/<code>/status")
@role_required(CENTRE_ADMIN)
def change_status(code: str):
    curriculum = _curriculum_or_404(code)
    try:
        services.change_status(curriculum, request.form.get("status", ""), actor=current_user,
                               reason=(request.form.get("reason") or "").strip()[:500] or None)
    except ValidationFailed as exc:
        refused(exc)
    else:
        db.session.commit()
        flash(_("The status has been changed."), "success")
    return redirect(url_for("centre_curricula.edit", code=curriculum.code))
