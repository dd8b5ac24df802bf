"""Four UI languages: the chosen one (remembered), else Accept-Language, else the profile's default."""

from __future__ import annotations

from flask import Blueprint, current_app, has_request_context, redirect, request
from flask_login import current_user

from lms.extensions import db
from lms.util import safe_next

LOCALES = ("kk", "ru", "ky", "en")
LOCALE_NAMES = {"kk": "Қазақша", "ru": "Русский", "ky": "Кыргызча", "en": "English"}
COOKIE = "lms_lang"

bp = Blueprint("i18n", __name__)


def default_locale() -> str:
    from lms.profiles import get_profile

    return current_app.config["LMS_DEFAULT_LOCALE"] or get_profile().state_language


def select_locale() -> str:
    if not has_request_context():
        return default_locale()
    chosen = request.args.get("lang") or request.cookies.get(COOKIE)
    if chosen not in LOCALES and current_user and current_user.is_authenticated:
        chosen = current_user.locale
    if chosen not in LOCALES:
        chosen = request.accept_languages.best_match(LOCALES)
    return chosen if chosen in LOCALES else default_locale()


def _remember(locale: str):
    """Redirect back, remembering a valid ``locale`` in a year-long cookie."""
    response = redirect(safe_next(request.values.get("next")))
    if locale in LOCALES:
        response.set_cookie(COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.get("/lang")
def choose_language():
    """The switch for visitors who are not signed in: a plain GET that only sets the cookie, so that public
    pages (the certificate check above all) need neither a session nor a form token."""
    return _remember(request.args.get("locale", ""))


@bp.post("/lang")
def set_language():
    """The switch for a signed-in user (a form with its token): also remembered on the account, for e-mail."""
    locale = request.form.get("locale", "")
    if locale in LOCALES and current_user.is_authenticated and current_user.locale != locale:
        current_user.locale = locale
        db.session.commit()
    return _remember(locale)


def install_fast_gettext(app) -> None:
    """The templates' gettext with the request's catalogue looked up once per request: Flask-Babel's own
    callables resolve the locale and its catalogue again for every string (about 10 µs each, a fifth of the
    public verify page's rendering). The catalogue is kept beside the locale object it was found for, so
    ``force_locale``, which swaps that object, still gets its own."""
    from flask import g
    from flask_babel import get_translations

    def translations():
        state = g.get("_flask_babel")
        locale = getattr(state, "babel_locale", None)
        if locale is None:  # not resolved yet in this context: let Flask-Babel do it
            return get_translations()
        kept = getattr(state, "lms_translations", None)
        if kept is None or kept[0] is not locale:
            kept = state.lms_translations = (locale, get_translations())
        return kept[1]

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
