"""JSON conventions for /api/v1: lists are {"items", "total", "page", "per_page"};
errors are {"error": {"code", "message"}} with the right status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import Select, func, select

from lms.errors import json_error
from lms.extensions import db

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_PER_PAGE = 5000


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return json_error(error.status, error.code, error.message)


def page_args(default_per_page: int = 50) -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", default_per_page))
    except ValueError:
        raise ApiError(400, "bad_request", "page and per_page must be whole numbers") from None
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ApiError(400, "bad_request", f"page must be >= 1 and per_page between 1 and {MAX_PER_PAGE}")
    return page, per_page


def paginated(query: Select, serialize: Callable[[Any], dict[str, Any]], default_per_page: int = 50):
    page, per_page = page_args(default_per_page)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return jsonify({"items": [serialize(r) for r in rows], "total": total, "page": page, "per_page": per_page})


def batch_items(shape: str = "{...}") -> list[dict[str, Any]]:
    """The ``items`` of a JSON batch request body: a list of objects, at most ``LMS_API_BATCH_MAX`` of them."""
    body = request.get_json(silent=True)
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ApiError(400, "bad_request", f'send JSON {{"items": [{shape}, ...]}}')
    limit = current_app.config["LMS_API_BATCH_MAX"]
    if len(items) > limit:
        raise ApiError(413, "too_large", f"at most {limit} items per request")
    return items


def listing(items: list[dict[str, Any]]):
    """A complete (unpaginated) list in the same envelope."""
    return jsonify({"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)})


from lms.api import certificates, curricula, open_data, profile, registry, training  # noqa: E402,F401  (registers the routes)
