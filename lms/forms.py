"""Form base and field validators that speak the user's language.

CSRF: every unsafe request is checked. Views built on a form are marked with ``@form_view``; their
form checks the token itself, so an expired token comes back as a message on the form with the user's
input kept. Every other unsafe request is checked before the view runs (a 400 page on failure).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, flash, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from lms import identifiers
from lms.extensions import csrf, db
from lms.profiles import get_profile

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def form_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view whose FlaskForm validates the CSRF token (it must change nothing unless the form validates)."""
    view._csrf_in_form = True  # type: ignore[attr-defined]
    return view


def api_key_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a JSON endpoint authenticated by an API key header, never by the session cookie."""
    view._api_key_auth = True  # type: ignore[attr-defined]
    return view


def install_csrf(app: Flask) -> None:
    @app.before_request
    def _check_csrf() -> None:
        if request.method in SAFE_METHODS or request.routing_exception is not None:
            return  # no view will run: the 404 or 405 itself answers
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and (getattr(view, "_csrf_in_form", False) or getattr(view, "_api_key_auth", False)):
            return
        csrf.protect()


class BaseForm(FlaskForm):
    """All our forms. ``csrf_expired`` tells the template to explain an expired page."""

    @property
    def csrf_expired(self) -> bool:
        return bool(getattr(self, "csrf_token", None) and self.csrf_token.errors)

    def refused(self, exc: Any) -> None:
        """A service refused the input: undo the transaction and show its messages on the fields."""
        db.session.rollback()
        self.apply_errors(exc.errors)

    def apply_errors(self, errors: dict[str, list[Any]]) -> None:
        """Put service-level errors onto the matching fields (or the form when there is no such field)."""
        for name, messages in errors.items():
            field = getattr(self, name, None)
            target = field.errors if field is not None and hasattr(field, "errors") else self.form_errors
            if isinstance(target, tuple):
                target = list(target)
                field.errors = target
            target.extend(messages)


def refused(exc: Any, first_only: bool = True) -> None:
    """A service refused an action that has no form to carry the message: undo and tell the user."""
    db.session.rollback()
    messages = [m for ms in exc.errors.values() for m in ms]
    for message in messages[:1] if first_only else messages:
        flash(message, "error")


def choices(pairs: object) -> list[SelectChoice]:
    """Select options from a mapping or (value, label) pairs; labels may be lazy translations."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


def whole_number(value: str | None) -> int | None:
    """A text input's whole number, or None when it is empty or not one (the service then says why).

    ASCII digits only: ``str.isdigit`` also accepts "²", on which ``int()`` raises."""
    value = (value or "").strip()
    # 18 digits fit any column; int() refuses beyond 4300 digits with a ValueError.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def number_or_text(value: str | None) -> Any:
    """A whole number where one was typed, otherwise the text as typed (None when empty), so a draft keeps
    it and a schema can say why it is not a number."""
    number = whole_number(value)
    return number if number is not None else ((value or "").strip() or None)


def required() -> DataRequired:
    return DataRequired(message=_l("This field is required."))


def length(maximum: int, minimum: int = -1) -> Length:
    return Length(min=minimum, max=maximum, message=_l("Enter between %(min)d and %(max)d characters."))


class _IdentifierValidator:
    func: Callable[[str], str]

    def __call__(self, form: Any, field: Any) -> None:
        if not field.data:
            return
        try:
            field.data = type(self).func(field.data)
        except identifiers.InvalidIdentifier as exc:
            raise ValidationError(str(exc.message)) from None


class Email(_IdentifierValidator):
    func = staticmethod(identifiers.validate_email)


class PersonId(_IdentifierValidator):
    """IIN in the KZ profile, the 14-digit PIN in the KG profile."""

    func = staticmethod(lambda value: get_profile().validate_person_id(value))


class OrgId(_IdentifierValidator):
    """BIN in the KZ profile, INN in the KG profile."""

    func = staticmethod(lambda value: get_profile().validate_org_id(value))


class Phone(_IdentifierValidator):
    func = staticmethod(lambda value: identifiers.validate_phone(value, get_profile().phone_region))
