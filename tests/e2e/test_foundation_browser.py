"""The foundation as a person uses it: languages, signing in for a role, a stale form, keyboard access."""

import re
from urllib.parse import urlparse

from playwright.sync_api import expect

from lms.demo.seed import demo_password


def sign_in(page, base: str, email: str, password: str, *, succeeds: bool = True) -> None:
    """Sign in through the form. The page's script sends the sign-in and then opens the next page itself, so
    a sign-in expected to succeed waits until the browser has left the form (or a following ``goto`` would
    race that navigation)."""
    page.goto(f"{base}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form button[type=submit]").last.click()
    if succeeds:
        page.wait_for_url(lambda url: urlparse(url).path != "/login")


def test_language_switcher_and_html_lang(page, live_server):
    page.goto(live_server + "/")
    page.steps("home")
    for code, heading in (("en", "Occupational safety training and knowledge testing"),
                          ("ru", "Обучение и проверка знаний по охране труда")):
        page.locator(f'.lang-switch button[value="{code}"]').click()
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("h1")).to_have_text(heading)
    page.locator('.lang-switch button[value="kk"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    page.reload()  # remembered
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    page.steps("kazakh")


def test_centre_admin_signs_in_and_sees_people(page, live_server):
    sign_in(page, live_server, "centre.admin@demo.osh-centre.kz", demo_password("centre_admin"))
    page.steps("signed-in")
    page.goto(live_server + "/admin/users?lang=en")
    expect(page.locator("h1")).to_have_text("People")
    # the demo registry holds thousands of people: the admin searches, as on a real one
    page.locator("input[name=q]").fill("candidate@demo")
    page.locator("input[name=q]").press("Enter")
    expect(page.get_by_text("candidate@demo.osh-centre.kz")).to_be_visible()
    page.steps("people")


def test_wrong_password_keeps_email_and_says_why(page, live_server):
    sign_in(page, live_server, "candidate@demo.osh-centre.kz", "wrong-password-1", succeeds=False)
    expect(page.locator("#email")).to_have_value("candidate@demo.osh-centre.kz")
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error")).to_be_visible()


def test_stale_form_keeps_what_was_typed(page, live_server):
    page.goto(live_server + "/login?lang=en")
    page.locator("#email").fill("candidate@demo.osh-centre.kz")
    page.locator("#password").fill(demo_password("candidate"))
    page.evaluate("document.querySelector('main form input[name=csrf_token]').value = 'stale'")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".form-alert")).to_contain_text("was not sent")
    expect(page.locator("#email")).to_have_value("candidate@demo.osh-centre.kz")
    page.locator("#password").fill(demo_password("candidate"))
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".account-menu")).to_be_visible()


def test_skip_link_and_keyboard_focus(page, live_server):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#content$"))
