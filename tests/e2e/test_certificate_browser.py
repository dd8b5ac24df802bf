"""A certificate as an inspector and the Centre use it: the verify page on a phone, then the Centre revokes
and the same page says so at once."""

from playwright.sync_api import expect
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.demo.seed import demo_password
from tests.e2e.test_foundation_browser import sign_in


def first_valid(app):
    from lms.certificates.services import today
    from lms.extensions import db

    with app.app_context():
        for certificate in db.session.scalars(select(Certificate).order_by(Certificate.id)):
            if certificate.effective_status(today()) == "valid":
                result = (certificate.id, certificate.code, certificate.number)
                db.session.remove()
                return result
    raise AssertionError("no valid demo certificate")


def test_inspector_checks_and_the_centre_revokes(browser, live_app):
    base = live_app.config["LMS_BASE_URL"]
    certificate_id, code, number = first_valid(live_app)
    phone = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    phone.goto(f"{base}/v/{code}")
    expect(phone.locator("h1")).to_have_text(number)
    expect(phone.locator(".verdict .status")).to_have_text("Сертификат действителен")
    assert phone.goto(f"{base}/v/NOT-A-REAL-CODE-AT-ALL").status == 404  # the friendly page, not a 500
    expect(phone.locator("h1")).to_be_visible()

    centre = browser.new_context(locale="en-US").new_page()
    sign_in(centre, base, "centre.admin@demo.osh-centre.kz", demo_password("centre_admin"))
    centre.goto(f"{base}/centre/certificates/{certificate_id}")
    centre.locator("#action").select_option("revoke")
    centre.locator("#reason").fill("Подмена личности на проверке знаний")
    centre.locator("form button[type=submit]").last.click()
    expect(centre.locator(".flash-success")).to_be_visible()

    phone.goto(f"{base}/v/{code}")
    expect(phone.locator(".verdict .status")).to_have_text("Сертификат аннулирован")
    expect(phone.locator("main")).to_contain_text("Подмена личности")
