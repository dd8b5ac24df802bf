import logging

import pytest

from lms.security import mask_identifiers
from tests.conftest import CSRF_RE, csrf_from


def _unsafe_rules(app):
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"GET", "HEAD", "OPTIONS"}
        view = app.view_functions[rule.endpoint]
        if methods and not getattr(view, "_api_key_auth", False):
            yield rule, view


def _url(rule, target):
    values = {arg: target for arg in rule.arguments}
    if "token" in values:
        values["token"] = "x"
    from flask import url_for

    return url_for(rule.endpoint, **values)


def test_every_unsafe_request_without_a_token_is_refused(app, client, make_user, login):
    admin = make_user("centre_admin")
    target = make_user("candidate")
    login(admin)
    checked = 0
    for rule, view in _unsafe_rules(app):
        with app.test_request_context():
            url = _url(rule, target.id)
        response = client.post(url + ("&" if "?" in url else "?") + "lang=en", data={"email": "x@example.kz"})
        page = response.get_data(as_text=True)
        if getattr(view, "_csrf_in_form", False):
            # Form views refuse inside the form, keeping what was typed (or refuse the bad link
            # or a role the admin does not hold first).
            assert response.status_code in (200, 302, 400, 403, 404), rule
            if response.status_code == 200:
                assert "was not sent" in page, rule
        else:
            assert response.status_code == 400, rule
            assert "The form has expired" in page, rule
        checked += 1
    assert checked >= 8
    assert target.has_role("candidate")


def test_stale_token_on_login_keeps_the_email(client, make_user):
    user = make_user("candidate")
    response = client.post("/login?lang=en", data={"email": user.email, "password": "x",
                                                   "csrf_token": "stale-token"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'value="{user.email}"' in page
    assert "was not sent" in page
    assert CSRF_RE.search(page)  # a fresh token to send it again


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_inline_script_in_pages(client):
    assert "<script>" not in client.get("/").get_data(as_text=True)


def test_session_cookie_flags(app, client, make_user, login):
    login(make_user("candidate"))
    cookies = [h for h in client.application.test_client().get("/login").headers.getlist("Set-Cookie")]
    assert cookies
    for header in cookies:
        assert "HttpOnly" in header and "SameSite=Lax" in header


def test_full_identifiers_never_reach_the_logs(caplog):
    logger = logging.getLogger("lms")
    with caplog.at_level(logging.INFO, logger="lms"):
        logger.info("searching for %s and %s", "850702300001", "10903198812345")
    assert "850702300001" not in caplog.text and "10903198812345" not in caplog.text
    assert "85••••••••01" in caplog.text


@pytest.mark.parametrize(("text", "expected"), [
    ("iin=850702300001&x=1", "iin=85••••••••01&x=1"),
    ("phone 77012345678", "phone 77012345678"),  # 11 digits: not an identifier
])
def test_mask_identifiers(text, expected):
    assert mask_identifiers(text) == expected


def test_audit_log_masks_identifiers(make_user):
    from sqlalchemy import select

    from lms.audit.models import AuditEvent
    from lms.extensions import db

    user = make_user("candidate")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account.created",
                                                        AuditEvent.object_id == str(user.id))).one()
    assert user.iin not in str(event.after) and event.after["iin"].startswith(user.iin[:2])


def test_audit_note_masks_identifiers(app):
    from lms import audit

    event = audit.record("registry.exported", object_type="people", note="850702300001 and 10903198812345")
    assert event.note == "85••••••••01 and 10••••••••••45"


def test_csrf_token_helper_works(client):
    assert csrf_from(client, "/login")


def test_unexpected_error_gives_a_localized_500_without_details(app, client, monkeypatch):
    def boom():
        raise RuntimeError("secret internals")

    monkeypatch.setitem(app.view_functions, "main.index", boom)
    response = client.get("/?lang=ru")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert '<html lang="ru">' in page
    assert "secret internals" not in page and "Traceback" not in page


def test_oversized_upload_gets_a_localized_413(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post("/login?lang=kk", data={"email": "x" * 4000, "password": "y"})
    assert response.status_code == 413
    assert '<html lang="kk">' in response.get_data(as_text=True)
