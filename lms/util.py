from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request, url_for


def safe_next(target: str | None, default: str = "main.index") -> str:
    """A redirect target on this site only (no scheme, no host, no protocol-relative URL)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for(default)


def client_ip() -> str:
    return request.remote_addr or "-"


def external_url(endpoint: str, **values: object) -> str:
    """An absolute URL on the public address (LMS_BASE_URL), with or without a request: e-mails, PDFs and QR
    codes must point at the site people reach, not at whatever host served the request."""
    with current_app.test_request_context(base_url=current_app.config["LMS_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)
