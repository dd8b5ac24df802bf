"""Jinja globals and filters: the profile, languages, dates in the profile's time zone."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, request
from flask_babel import format_date, format_datetime, get_locale
from flask_wtf.csrf import generate_csrf

from lms.accounts.roles import ROLE_LABELS
from lms.curricula import vocab
from lms.curricula.models import localized
from lms.i18n import LOCALE_NAMES, LOCALES
from lms.identifiers import mask
from lms.organisations import vocab as registry_vocab
from lms.organisations.documents import KINDS as DOCUMENT_KINDS
from lms.profiles import get_profile
from lms.util import external_url


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def local_date(value: date | datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = get_profile().local(value).date()
    return format_date(value, fmt)


def install_templating(app: Flask) -> None:
    app.jinja_env.filters.update(local_datetime=local_datetime, local_date=local_date, mask=mask,
                                 localized=localized)
    app.jinja_env.globals.update(LOCALES=LOCALES, LOCALE_NAMES=LOCALE_NAMES, ROLE_LABELS=ROLE_LABELS,
                                 csrf_token=generate_csrf, external_url=external_url, vocab=vocab,
                                 registry_vocab=registry_vocab, DOCUMENT_KINDS=DOCUMENT_KINDS)

    @app.context_processor
    def _context() -> dict:
        profile = get_profile()
        locale = str(get_locale() or "ru")
        return {
            "profile": profile,
            "current_locale": locale,
            "centre_name": current_app.config["LMS_CENTRE_NAME"] or profile.centre_names.get(locale),
            "current_path": request.full_path.rstrip("?") if request else "/",
            "region_name": lambda code: (profile.region(code).name(locale) if profile.region(code) else code),
        }
