from flask import current_app, jsonify

from lms.api import bp, listing
from lms.extensions import limiter
from lms.i18n import LOCALES
from lms.profiles import get_profile


def _public_limit() -> str:
    return current_app.config["LMS_RATELIMIT_PUBLIC"]


@bp.get("/profile")
@limiter.limit(_public_limit)
def profile():
    p = get_profile()
    return jsonify({
        "country": p.code,
        "timezone": p.timezone,
        "state_language": p.state_language,
        "languages": list(LOCALES),
        "certificate_prefix": p.certificate_prefix,
        "centre": p.centre_names,
        "person_identifier": {"name": str(p.person_id_label), "length": p.person_id_length},
        "organisation_identifier": {"name": str(p.org_id_label), "length": p.org_id_length},
    })


@bp.get("/regions")
@limiter.limit(_public_limit)
def regions():
    return listing([{"code": r.code, "names": r.names} for r in get_profile().regions])
