"""The error services raise when input breaks a rule; views map it back onto their form fields."""

from __future__ import annotations

from typing import Any


class ValidationFailed(Exception):
    def __init__(self, errors: dict[str, list[Any]] | None = None, **field_messages: Any):
        merged: dict[str, list[Any]] = {k: list(v) for k, v in (errors or {}).items()}
        for field, message in field_messages.items():
            merged.setdefault(field, []).append(message)
        super().__init__("; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in merged.items()))
        self.errors = merged
