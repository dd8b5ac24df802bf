"""Public catalogue of model curricula: no login."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from lms.curricula.models import Curriculum, CurriculumVersion
from lms.curricula.queries import FILTERS, current_versions
from lms.curricula.services import get_by_code
from lms.extensions import db, limiter, public_limit
from lms.i18n import select_locale
from lms.pdf import render_pdf

bp = Blueprint("curricula", __name__, url_prefix="/curricula")



@bp.get("/")
def catalogue():
    filters = {name: request.args.get(name, "") for name in FILTERS}
    versions = db.session.scalars(current_versions(filters)).all()
    return render_template("curricula/catalogue.html", versions=versions, filters=filters)


def _published(code: str) -> tuple[Curriculum, CurriculumVersion]:
    """A published curriculum and the version asked for (``?version=N``; the current one otherwise)."""
    curriculum = get_by_code(code)
    if curriculum is None or curriculum.status == "draft":
        abort(404)
    number = request.args.get("version", type=int)  # None when absent or not a whole number
    if number is None:
        return curriculum, curriculum.current
    version = next((v for v in curriculum.versions if v.version == number), None)
    if version is None:
        abort(404)
    return curriculum, version


@bp.get("/<code>")
def detail(code: str):
    curriculum, version = _published(code)
    return render_template("curricula/detail.html", curriculum=curriculum, version=version)


@bp.get("/<code>/pdf")
@limiter.limit(public_limit)
def pdf(code: str):
    """The printable curriculum in the page's language (``?lang=``, as every page)."""
    curriculum, version = _published(code)
    data = render_pdf(render_template("pdf/curriculum.html", curriculum=curriculum, version=version))
    filename = f"{curriculum.code}-v{version.version}-{select_locale()}.pdf"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
