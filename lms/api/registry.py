from flask import request

from lms.api import ApiError, bp, paginated
from lms.extensions import limiter, public_limit
from lms.organisations import queries
from lms.util import local_today


@bp.get("/registry/organisations")
@limiter.limit(public_limit)
def registry_organisations():
    filters = {name: request.args.get(name, "") for name in queries.ORGANISATION_FILTERS}
    today = local_today()
    return paginated(queries.organisations(filters, today), lambda o: queries.organisation_json(o, today))


@bp.get("/registry/organisations/<registry_number>")
@limiter.limit(public_limit)
def registry_organisation(registry_number: str):
    org = queries.public_organisation(registry_number)
    if org is None:
        raise ApiError(404, "not_found", "no organisation with this registry number")
    return queries.organisation_json(org, local_today(), detail=True)


@bp.get("/registry/lecturers")
@limiter.limit(public_limit)
def registry_lecturers():
    filters = {name: request.args.get(name, "") for name in queries.LECTURER_FILTERS}
    today = local_today()
    return paginated(queries.lecturers(filters), lambda lecturer: queries.lecturer_json(lecturer, today))
