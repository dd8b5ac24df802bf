"""The sign-in waiting room in a real browser: when the server answers a sign-in with 503 and Retry-After
(its password lane is full at an exam-day peak), the page says so, waits, and sends the same sign-in again by
itself; the candidate never retypes the password. The busy answer is simulated with Playwright's request
routing; the second sign-in reaches the live platform."""

from urllib.parse import urlparse

from playwright.sync_api import expect

from tests.e2e.test_foundation_browser import sign_in

PASSWORD = "Waiting-Candidate-2026"


def candidate(app, email: str) -> None:
    from lms.accounts import services
    from lms.extensions import db

    with app.app_context():
        user = services.create_user(email=email, full_name="Кандидат Күтуші", password=PASSWORD)
        services.grant_role(user, "candidate")
        db.session.commit()
        db.session.remove()


def test_a_busy_sign_in_is_retried_by_the_page(live_app, open_page):
    candidate(live_app, "waiting.one@example.kz")
    base = live_app.config["LMS_BASE_URL"]
    page = open_page("en-US")
    sent: list[str] = []

    def busy_once(route):
        if route.request.method != "POST":
            route.continue_()
            return
        sent.append(route.request.post_data or "")
        if len(sent) == 1:
            route.fulfill(status=503, headers={"Retry-After": "2"}, body="busy", content_type="text/html")
        else:
            route.continue_()

    page.route(lambda url: urlparse(url).path == "/login", busy_once)
    page.goto(f"{base}/login?lang=en&next=/tests/")
    waiting = page.locator("#login-form").get_attribute("data-waiting")
    page.locator("#email").fill("waiting.one@example.kz")
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".waiting-state")).to_have_text(waiting)
    page.steps("waiting")
    page.wait_for_url(lambda url: urlparse(url).path == "/tests/", timeout=15000)  # not ?next=/tests/
    page.steps("signed in")
    assert len(sent) == 2 and sent[0] == sent[1]  # the same sign-in, password included, sent again
    expect(page.locator(".account-menu")).to_be_visible()


def test_a_wrong_password_still_shows_its_message(live_app, open_page):
    """The script follows any answer other than 'busy' as the plain form would: the error page is shown."""
    candidate(live_app, "waiting.two@example.kz")
    base = live_app.config["LMS_BASE_URL"]
    page = open_page("en-US")
    sign_in(page, base, "waiting.two@example.kz", "not the password at all", succeeds=False)
    expect(page.locator("#login-form")).to_contain_text("The e-mail or password is not correct.")
    expect(page.locator(".account-menu")).to_have_count(0)
    page.locator("#password").fill(PASSWORD)  # the page still works after being replaced
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".account-menu")).to_be_visible()
