"""API keys of training organisations (and employers): shown once, stored as a SHA-256 hash, looked up by
prefix."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms import audit
from lms.clock import utcnow
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.organisations.models import Organisation
from lms.training.models import ApiKey


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _issue(name: str, actor: Any, **owner: Any) -> tuple[ApiKey, str]:
    prefix = secrets.token_hex(6)
    key = f"lms_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(name=name[:100], prefix=prefix, key_hash=_digest(key), created_by_id=actor.id, **owner)
    db.session.add(row)
    db.session.flush()
    audit.record("api_key.created", row, actor=actor, after={**owner, "name": row.name})
    return row, key


def create(organisation: Organisation, name: str, actor: Any) -> tuple[ApiKey, str]:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(name=_l("This field is required."))
    return _issue(name, actor, organisation_id=organisation.id)


def create_for_employer(employer_bin: str, name: str, actor: Any) -> tuple[ApiKey, str]:
    """An employer's key: it checks certificates, nothing else."""
    return _issue((name or "").strip() or "API", actor, employer_bin=employer_bin)


def revoke(row: ApiKey, actor: Any) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record("api_key.revoked", row, actor=actor)


def authenticate(key: str | None) -> ApiKey | None:
    """The live key matching ``key``, or None (a constant-time comparison of the hash)."""
    if not key or not key.startswith("lms_") or key.count("_") < 2:
        return None
    prefix = key.split("_", 2)[1]
    row = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.key_hash, _digest(key)):
        return None
    row.last_used_at = utcnow()
    return row


def authenticate_request() -> ApiKey | None:
    """The live key sent with this request as ``Authorization: Bearer <key>`` or ``X-API-Key``, or None."""
    header = request.headers.get("Authorization", "")
    return authenticate(header.removeprefix("Bearer ").strip() if header.startswith("Bearer ")
                        else request.headers.get("X-API-Key"))
