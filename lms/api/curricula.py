from flask import request
from sqlalchemy.orm import selectinload

from lms.api import ApiError, bp, paginated
from lms.curricula.models import Curriculum, CurriculumVersion
from lms.curricula.queries import FILTERS, as_json, current_versions
from lms.extensions import db, limiter, public_limit


@bp.get("/curricula")
@limiter.limit(public_limit)
def curricula():
    filters = {name: request.args.get(name, "") for name in FILTERS}
    return paginated(current_versions(filters).options(selectinload(CurriculumVersion.topics)), as_json)


@bp.get("/curricula/<code>")
@limiter.limit(public_limit)
def curriculum(code: str):
    version = db.session.scalars(current_versions(statuses=("active", "retired"))
                                 .where(Curriculum.code == code)).first()
    if version is None:
        raise ApiError(404, "not_found", f"no published curriculum with code {code[:40]}")
    return as_json(version)
