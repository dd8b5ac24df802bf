"""Supporting documents: type checked from the content, size and count limits, stored outside the web root."""

from __future__ import annotations

import hashlib
import uuid
from typing import IO, Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from lms.domain import ValidationFailed
from lms.extensions import db
from lms.organisations.models import Application, ApplicationDocument
from lms.storage import StorageError, storage

SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
KINDS = {
    "registration": _l("State registration certificate"),
    "premises": _l("Premises (ownership or lease)"),
    "equipment": _l("Equipment and teaching aids"),
    "lecturer": _l("Lecturer's diploma or certificate"),
    "curriculum": _l("Working curriculum"),
    "other": _l("Other"),
}


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def clean_name(name: str | None) -> str:
    """The file's own name, refusing any path in it."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(document=_l("Choose a file."))
    if "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise ValidationFailed(document=_l("The file name must not contain a folder path."))
    return name[-200:]


def add_document(application: Application, stream: IO[bytes], filename: str | None, kind: str,
                 actor: Any = None) -> ApplicationDocument:
    cfg = current_app.config
    if kind not in KINDS:
        raise ValidationFailed(kind=_l("Choose the kind of document."))
    name = clean_name(filename)
    if len(application.documents) >= cfg["LMS_DOCUMENTS_MAX"]:
        raise ValidationFailed(document=_l("At most %(n)s documents per application.", n=cfg["LMS_DOCUMENTS_MAX"]))
    limit = cfg["LMS_DOCUMENT_MAX_MB"] * 1024 * 1024
    data = stream.read(limit + 1)
    if not data:
        raise ValidationFailed(document=_l("The file is empty."))
    if len(data) > limit:
        raise ValidationFailed(document=_l("The file is larger than %(n)s MB.", n=cfg["LMS_DOCUMENT_MAX_MB"]))
    found = sniff(data[:16])
    if found is None:
        raise ValidationFailed(document=_l("Only PDF, JPEG and PNG files are accepted; this file is none of them."))
    content_type, extension = found
    key = f"documents/{application.organisation_id}/{uuid.uuid4().hex}.{extension}"
    try:
        storage().put(key, data, content_type)
    except StorageError:
        raise ValidationFailed(document=_l("The file could not be stored. Please try again.")) from None
    document = ApplicationDocument(
        application=application, organisation_id=application.organisation_id, kind=kind, filename=name,
        content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(), storage_key=key,
        uploaded_by_id=getattr(actor, "id", None),
    )
    db.session.add(document)
    db.session.flush()
    return document


def is_frozen(document: ApplicationDocument) -> bool:
    """Part of a submitted version: the Centre may be reviewing it, so it stays."""
    return any(document.id in (v.document_ids or []) for v in document.application.versions)


def remove_document(document: ApplicationDocument) -> None:
    if is_frozen(document):
        raise ValidationFailed(document=_l("This document was submitted to the Centre and cannot be removed; "
                                           "add a new one instead."))
    document.application.documents.remove(document)
    db.session.flush()
    try:
        storage().delete(document.storage_key)
    except StorageError:
        current_app.logger.warning("could not delete stored document %s", document.storage_key)
