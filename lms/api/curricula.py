from flask import request
from sqlalchemy.orm import selectinload

from lms.api import ApiError, bp, paginated
from lms.api.profile import _public_limit
from lms.curricula.models import Curriculum, CurriculumVersion
from lms.curricula.queries import FILTERS, as_json, current_versions
from lms.extensions import db, limiter


@bp.get("/curricula")
@limiter.limit(_public_limit)
def curricula():
    filters = {name: request.args.get(name, "") for name in FILTERS}
    query = current_versions(filters).options(selectinload(CurriculumVersion.topics))
    return paginated(query, as_json)


@bp.get("/curricula/<code>")
@limiter.limit(_public_limit)
def curriculum(code: str):
    version = db.session.scalars(current_versions(statuses=("active", "retired"))
                                 .where(Curriculum.code == code)).first()
    if version is None:
        raise ApiError(404, "not_found", f"no published curriculum with code {code[:40]}")
    return as_json(version)
