"""The test page's answer queue in a real browser: an answer the server could not take (503) waits in the
browser and is sent again by the timer until it is saved; an answer the server refuses for good (403,
another device) is dropped at once and never sent again. The server's answers are simulated with
Playwright's request routing; everything else is the live platform."""

from playwright.sync_api import expect
from sqlalchemy import select

from lms.assessments.models import AttemptItem
from tests.e2e.test_exam_browser import current_attempt
from tests.e2e.test_foundation_browser import sign_in
from tests.ops.conftest import eligible_candidate

EMAIL, PASSWORD = "queue.candidate@example.kz", "Queue-Candidate-2026"


def answered(app, attempt_id: int, position: int) -> bool:
    from lms.extensions import db

    with app.app_context():
        item = db.session.scalar(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id,
                                                           AttemptItem.position == position))
        result = item.answered_at is not None
        db.session.remove()
        return result


def saves_answered(status: int, sent: list[str]):
    """A route handler: the question page loads as usual; every save gets ``status`` and is counted."""
    def handle(route):
        if route.request.method == "POST":
            sent.append(route.request.url)
            route.fulfill(status=status, body="{}", content_type="application/json")
        else:
            route.continue_()
    return handle


def test_a_failing_server_keeps_the_answer_a_refusal_drops_it(live_app, open_page):
    with live_app.app_context():
        eligible_candidate(EMAIL, PASSWORD)
        from lms.extensions import db

        db.session.remove()
    base = live_app.config["LMS_BASE_URL"]
    page = open_page("en-US")
    sign_in(page, base, EMAIL, PASSWORD)
    page.goto(base + "/tests/?lang=en")
    page.locator("article.card", has_text="KZ-OSH-MGR").locator("button[type=submit]").click()
    attempt_id, _total = current_attempt(live_app, EMAIL)
    page.wait_for_url(f"**/attempts/{attempt_id}/q/1*")
    page.steps("question 1")
    state = page.locator(".save-state")
    waiting, saved = state.get_attribute("data-waiting"), state.get_attribute("data-saved")

    # 1. The server answers 503 (restarting): the answer waits in the browser, then the timer sends it.
    posts: list[str] = []
    page.route(f"**/attempts/{attempt_id}/q/1", saves_answered(503, posts))
    page.locator("input[name=option]").first.check()
    expect(state).to_have_text(waiting)
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('lms-answer:')).length") == 1
    assert not answered(live_app, attempt_id, 1)
    page.unroute(f"**/attempts/{attempt_id}/q/1")
    expect(state).to_have_text(saved, timeout=12000)  # the timer's next round, within 5 s
    assert answered(live_app, attempt_id, 1)
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('lms-answer:')).length") == 0
    assert len(posts) == 1

    # 2. The server refuses for good (403: another device): dropped at once, the page reloads, no retries.
    page.goto(f"{base}/attempts/{attempt_id}/q/2")
    refused: list[str] = []
    page.route(f"**/attempts/{attempt_id}/q/2", saves_answered(403, refused))
    with page.expect_navigation():
        page.locator("input[name=option]").first.check()
    page.steps("after the refusal")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('lms-answer:')).length") == 0
    page.wait_for_timeout(6000)  # longer than the queue's 5 s timer (a Playwright wait: the route still runs)
    assert len(refused) == 1
