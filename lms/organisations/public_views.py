"""The public registry of training organisations and lecturers: no login."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from lms.extensions import db
from lms.organisations import queries
from lms.util import local_today

bp = Blueprint("registry", __name__, url_prefix="/registry")


@bp.get("/")
def organisations():
    filters = {name: request.args.get(name, "") for name in queries.ORGANISATION_FILTERS}
    today = local_today()
    page = db.paginate(queries.organisations(filters, today), per_page=50, error_out=False)
    return render_template("registry/organisations.html", page=page, filters=filters, today=today)


@bp.get("/lecturers")
def lecturers():
    filters = {name: request.args.get(name, "") for name in queries.LECTURER_FILTERS}
    page = db.paginate(queries.lecturers(filters), per_page=50, error_out=False)
    return render_template("registry/lecturers.html", page=page, filters=filters, today=local_today())


@bp.get("/<registry_number>")
def organisation(registry_number: str):
    org = queries.public_organisation(registry_number)
    if org is None:
        abort(404)
    today = local_today()
    return render_template("registry/organisation.html", organisation=org, today=today,
                           lecturers=queries.certified_lecturers(org, today))
