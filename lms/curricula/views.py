"""Public catalogue of model curricula: no login."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import force_locale

from lms.curricula.models import Curriculum
from lms.curricula.queries import FILTERS, current_versions
from lms.curricula.services import get_by_code
from lms.curricula.vocab import AUDIENCES, COUNTRIES, RISK_LEVELS, SECTORS
from lms.extensions import db, limiter
from lms.i18n import LOCALES, select_locale
from lms.pdf import render_pdf

bp = Blueprint("curricula", __name__, url_prefix="/curricula")


def _public_limit() -> str:
    return current_app.config["LMS_RATELIMIT_PUBLIC"]


@bp.get("/")
def catalogue():
    filters = {name: request.args.get(name, "") for name in FILTERS}
    versions = db.session.scalars(current_versions(filters)).all()
    return render_template("curricula/catalogue.html", versions=versions, filters=filters, countries=COUNTRIES,
                           audiences=AUDIENCES, sectors=SECTORS, risk_levels=RISK_LEVELS)


def _published(code: str) -> tuple[Curriculum, object]:
    curriculum = get_by_code(code)
    if curriculum is None or curriculum.status == "draft":
        abort(404)
    number = request.args.get("version", "")
    version = curriculum.current
    if number.isdigit():
        version = next((v for v in curriculum.versions if v.version == int(number)), None)
        if version is None:
            abort(404)
    return curriculum, version


@bp.get("/<code>")
def detail(code: str):
    curriculum, version = _published(code)
    return render_template("curricula/detail.html", curriculum=curriculum, version=version)


@bp.get("/<code>/pdf")
@limiter.limit(_public_limit)
def pdf(code: str):
    curriculum, version = _published(code)
    locale = select_locale()
    with force_locale(locale if locale in LOCALES else "ru"):
        html = render_template("pdf/curriculum.html", curriculum=curriculum, version=version,
                               css=(current_app.static_folder and _pdf_css()))
    data = render_pdf(html)
    filename = f"{curriculum.code}-v{version.version}-{locale}.pdf"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


def _pdf_css() -> str:
    from lms.pdf import STATIC

    return (STATIC / "pdf.css").read_text(encoding="utf-8")
