from flask import jsonify

from lms.api import bp, listing
from lms.extensions import limiter, public_limit
from lms.i18n import LOCALES
from lms.profiles import get_profile


@bp.get("/profile")
@limiter.limit(public_limit)
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
@limiter.limit(public_limit)
def regions():
    return listing([{"code": r.code, "names": r.names} for r in get_profile().regions])
