from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for


def safe_next(target: str | None, default: str = "main.index") -> str:
    """A redirect target on this site only (no scheme, no host, no protocol-relative URL)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for(default)


def client_ip() -> str:
    return request.remote_addr or "-"
