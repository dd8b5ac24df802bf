"""Signed, expiring tokens (itsdangerous) with one salt per purpose."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

PURPOSES = {
    "password-reset": "LMS_RESET_TOKEN_MAX_AGE",
    "account-activation": "LMS_INVITE_TOKEN_MAX_AGE",
    "enrolment-claim": "LMS_CLAIM_TOKEN_MAX_AGE",
    "certificate-share": "LMS_SHARE_TOKEN_MAX_AGE",
}


class InvalidToken(Exception):
    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise KeyError(purpose)
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"lms:{purpose}")


def make_token(purpose: str, data: Any) -> str:
    return _serializer(purpose).dumps(data)


def read_token(purpose: str, token: str) -> Any:
    max_age = current_app.config[PURPOSES[purpose]]
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidToken(expired=True) from None
    except BadSignature:
        raise InvalidToken() from None
