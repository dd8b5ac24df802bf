"""Security headers, and logging that never writes a full IIN."""

from __future__ import annotations

import logging
import re

from flask import Flask, Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

_LONG_DIGITS = re.compile(r"(?<!\d)(\d{2})\d{8}(\d{2})(?!\d)|(?<!\d)(\d{2})\d{10}(\d{2})(?!\d)")


def _mask_digits(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return f"{match.group(1)}{'•' * 8}{match.group(2)}"
    return f"{match.group(3)}{'•' * 10}{match.group(4)}"


def mask_identifiers(text: str) -> str:
    """Mask every 12- or 14-digit number (IIN, BIN, PIN) in free text."""
    return _LONG_DIGITS.sub(_mask_digits, text)


class MaskIdentifiersFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001
            return True
        masked = mask_identifiers(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install_security(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response



_FILTER = MaskIdentifiersFilter()
LOGGERS = ("lms", "lms.worker", "lms.mail", "werkzeug", "gunicorn.access", "gunicorn.error", "sqlalchemy.engine")


def configure_logging(level: str) -> None:
    """Attach the IIN-masking filter to every logger that may carry request data."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    logging.getLogger("lms").setLevel(level)
