from flask import request
from sqlalchemy import select

from lms.api import ApiError, bp, paginated
from lms.api.profile import _public_limit
from lms.clock import utcnow
from lms.extensions import db, limiter
from lms.organisations import queries
from lms.organisations.models import Organisation
from lms.profiles import get_profile


def _today():
    return get_profile().local(utcnow()).date()


@bp.get("/registry/organisations")
@limiter.limit(_public_limit)
def registry_organisations():
    filters = {name: request.args.get(name, "") for name in ("q", "bin", "region", "curriculum", "status")}
    today = _today()
    return paginated(queries.organisations(filters), lambda o: queries.organisation_json(o, today))


@bp.get("/registry/organisations/<registry_number>")
@limiter.limit(_public_limit)
def registry_organisation(registry_number: str):
    org = db.session.scalar(select(Organisation).where(Organisation.registry_number == registry_number.upper(),
                                                       Organisation.status.in_(queries.PUBLIC_STATUSES)))
    if org is None:
        raise ApiError(404, "not_found", "no organisation with this registry number")
    return queries.organisation_json(org, _today(), detail=True)


@bp.get("/registry/lecturers")
@limiter.limit(_public_limit)
def registry_lecturers():
    filters = {name: request.args.get(name, "") for name in ("q", "curriculum", "organisation")}
    today = _today()
    return paginated(queries.lecturers(filters), lambda lecturer: queries.lecturer_json(lecturer, today))
