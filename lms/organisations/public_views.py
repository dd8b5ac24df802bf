"""The public registry of training organisations and lecturers: no login."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from lms.clock import utcnow
from lms.extensions import db
from lms.organisations import queries
from lms.organisations.models import Organisation
from lms.profiles import get_profile

bp = Blueprint("registry", __name__, url_prefix="/registry")
FILTERS = ("q", "bin", "region", "curriculum", "status")


def _today():
    return get_profile().local(utcnow()).date()


@bp.get("/")
def organisations():
    filters = {name: request.args.get(name, "") for name in FILTERS}
    page = db.paginate(queries.organisations(filters), per_page=50, error_out=False)
    return render_template("registry/organisations.html", page=page, filters=filters, today=_today())


@bp.get("/lecturers")
def lecturers():
    filters = {name: request.args.get(name, "") for name in ("q", "curriculum", "organisation")}
    page = db.paginate(queries.lecturers(filters), per_page=50, error_out=False)
    return render_template("registry/lecturers.html", page=page, filters=filters, today=_today())


@bp.get("/<registry_number>")
def organisation(registry_number: str):
    org = db.session.scalar(select(Organisation).where(Organisation.registry_number == registry_number.upper(),
                                                       Organisation.status.in_(queries.PUBLIC_STATUSES)))
    if org is None:
        abort(404)
    today = _today()
    return render_template("registry/organisation.html", organisation=org, today=today,
                           lecturers=queries.certified_lecturers(org, today))
