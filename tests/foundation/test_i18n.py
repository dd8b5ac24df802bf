import pytest

from lms.i18n import LOCALES
from lms.i18n_tools import missing, source_messages
from tests.conftest import post_form

HEADINGS = {
    "en": "Occupational safety training and knowledge testing",
    "ru": "Обучение и проверка знаний по охране труда",
}


@pytest.mark.parametrize("locale", LOCALES)
def test_home_page_in_each_language(client, locale):
    page = client.get(f"/?lang={locale}").get_data(as_text=True)
    assert f'<html lang="{locale}">' in page


def test_home_is_really_translated(client):
    for locale, heading in HEADINGS.items():
        assert heading in client.get(f"/?lang={locale}").get_data(as_text=True)
    kk = client.get("/?lang=kk").get_data(as_text=True)
    ky = client.get("/?lang=ky").get_data(as_text=True)
    assert HEADINGS["en"] not in kk and HEADINGS["en"] not in ky
    assert kk != ky


def test_choice_is_remembered_in_a_cookie(client):
    response = post_form(client, "/lang", {"locale": "ky", "next": "/login"})
    assert response.headers["Location"] == "/login"
    assert '<html lang="ky">' in client.get("/").get_data(as_text=True)


def test_a_visitor_switches_with_a_plain_get(client):
    response = client.get("/lang?locale=ky&next=/verify")
    assert response.status_code == 302 and response.headers["Location"] == "/verify"
    assert '<html lang="ky">' in client.get("/").get_data(as_text=True)
    assert client.get("/lang?locale=xx&next=https://evil.example/").headers["Location"] == "/"
    assert '<html lang="ky">' in client.get("/").get_data(as_text=True)  # an unknown language changes nothing


def test_a_signed_in_user_is_offered_the_form_with_its_token(client, make_user, login):
    login(make_user("candidate"))
    page = client.get("/").get_data(as_text=True)
    assert 'class="lang-switch" method="post"' in page and 'name="csrf_token"' in page


def test_choice_is_stored_on_the_account(client, make_user, login):
    user = make_user("candidate")
    login(user)
    post_form(client, "/lang", {"locale": "ru", "next": "/"})
    from lms.extensions import db

    db.session.refresh(user)
    assert user.locale == "ru"


def test_accept_language_then_profile_default(app, client):
    page = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ru">' in page
    assert '<html lang="kk">' in client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    app.config["LMS_COUNTRY"] = "KG"
    try:
        assert '<html lang="ky">' in client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    finally:
        app.config["LMS_COUNTRY"] = "KZ"


def test_unknown_language_is_ignored(client):
    assert client.get("/?lang=xx", headers={"Accept-Language": "en"}).status_code == 200


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_is_translated(locale):
    """Fails when any template or Python string lacks a translation in this catalog."""
    gaps = missing(locale, source_messages())
    assert gaps == [], f"{len(gaps)} untranslated in {locale}: {gaps[:10]}"


@pytest.mark.parametrize("status_url", ["/no-such-page"])
@pytest.mark.parametrize("locale", LOCALES)
def test_error_pages_are_localized(client, locale, status_url):
    response = client.get(f"{status_url}?lang={locale}")
    assert response.status_code == 404
    assert f'<html lang="{locale}">' in response.get_data(as_text=True)


def test_templates_follow_force_locale_inside_a_request(app):
    """The templates' gettext keeps the request's catalogue beside its locale object, so a part rendered in
    another language (the certificate PDF is always Russian) gets that language and the page its own after."""
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context("/?lang=kk"):
        app.preprocess_request()
        source = '{{ _("Sign in") }}'
        page = render_template_string(source)
        with force_locale("ru"):
            inside = render_template_string(source)
        with force_locale("en"):
            english = render_template_string(source)
        assert (page, inside, english, render_template_string(source)) == ("Кіру", "Войти", "Sign in", "Кіру")
