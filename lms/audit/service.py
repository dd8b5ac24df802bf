from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.identifiers import mask
from lms.security import mask_identifiers

_MASKED_KEYS = {"iin", "pin", "person_id"}


def _clean(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    cleaned: dict[str, Any] = {}
    for key, value in data.items():
        if key in _MASKED_KEYS and isinstance(value, str):
            cleaned[key] = mask(value)
        elif key in {"password", "password_hash"}:
            continue
        elif isinstance(value, dict):
            cleaned[key] = _clean(value)
        else:
            cleaned[key] = value if isinstance(value, (str, int, float, bool, list, type(None))) else str(value)
    return cleaned


def record(action: str, obj: Any = None, *, object_type: str | None = None, object_id: Any = None,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           note: str | None = None, actor: Any = None) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the change it describes)."""
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    if obj is not None:
        object_type = object_type or getattr(obj, "__tablename__", type(obj).__name__.lower())
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or "-",
        object_id=None if object_id is None else str(object_id),
        before=_clean(before),
        after=_clean(after),
        ip=request.remote_addr if has_request_context() else None,
        note=mask_identifiers(note) if note else note,  # a search term or a reason may hold an IIN
    )
    db.session.add(event)
    return event


def history(obj: Any, limit: int = 50) -> list[AuditEvent]:
    """The latest audit events about one object, newest first."""
    return list(db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == obj.__tablename__, AuditEvent.object_id == str(obj.id))
        .order_by(AuditEvent.id.desc()).limit(limit)
    ))
