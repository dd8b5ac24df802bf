from flask import jsonify

from lms.api import bp
from lms.extensions import limiter, public_limit
from lms.reports import queries


@bp.get("/open-data/indicator5")
@limiter.limit(public_limit)
def indicator5():
    """Indicator 5 for 2025-2030 against the Concept's targets, as of the last refresh of the reports."""
    return jsonify({"as_of": queries.as_of(), "items": queries.indicator_items()})
