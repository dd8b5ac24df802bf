"""The test with scripts off (a locked-down exam computer, a script that failed to load): the pages are plain
forms, and jumping to another question by the navigator saves the answer given on this one first."""

from playwright.sync_api import expect

from tests.e2e.test_exam_browser import current_attempt
from tests.e2e.test_foundation_browser import sign_in
from tests.ops.conftest import eligible_candidate

EMAIL, PASSWORD = "noscript.candidate@example.kz", "No-Script-Candidate-2026"


def test_the_navigator_keeps_an_answer_without_scripts(live_app, open_page):
    with live_app.app_context():
        eligible_candidate(EMAIL, PASSWORD, n=1)
        from lms.extensions import db

        db.session.remove()
    base = live_app.config["LMS_BASE_URL"]
    page = open_page("en-US", javascript=False)
    sign_in(page, base, EMAIL, PASSWORD)
    page.goto(base + "/tests/?lang=en")
    page.locator("article.card", has_text="KZ-OSH-MGR").locator("button[type=submit]").click()
    attempt_id, total = current_attempt(live_app, EMAIL)
    assert total >= 3
    page.wait_for_url(f"**/attempts/{attempt_id}/q/1*")
    expect(page.locator(".save-state")).to_be_empty()  # no script: nothing saves by itself

    chosen = page.locator("input[name=option]").first
    value = chosen.get_attribute("value")
    chosen.check()
    page.steps("question 1 answered")
    page.locator(".navigator button[value='3']").click()  # straight to question 3, no "save" pressed
    page.wait_for_url(f"**/attempts/{attempt_id}/q/3")
    expect(page.locator(".navigator button.answered")).to_have_count(1)
    page.locator(".navigator button[value='1']").click()
    page.wait_for_url(f"**/attempts/{attempt_id}/q/1")
    expect(page.locator(f"input[name=option][value='{value}']")).to_be_checked()
    page.steps("question 1 again")

    # Enter on an option saves and goes on to the next question, not to the navigator's first number
    page.locator("input[name=option]").last.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/attempts/{attempt_id}/q/2")
    expect(page.locator(".navigator button.answered")).to_have_count(1)  # question 1, its answer changed
