"""The Centre's test in the browser, in Kazakh: an answer survives a reload, a moment offline and a browser
restart; the candidate finishes and passes. The answer key is read from the database by the test itself —
it is never in the page."""

from playwright.sync_api import expect
from sqlalchemy import select

from lms.assessments.models import Attempt
from lms.demo.seed import demo_password
from tests.e2e.test_foundation_browser import sign_in


def key_for(app, attempt_id: int, position: int) -> list[str]:
    from lms.extensions import db

    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        item = next(i for i in attempt.items if i.position == position)
        key = sorted(item.version.key())
        db.session.remove()
        return key


def current_attempt(app, email: str = "candidate@demo.osh-centre.kz") -> tuple[int, int]:
    from lms.accounts.services import find_by_email
    from lms.extensions import db

    with app.app_context():
        user = find_by_email(email)
        attempt = db.session.scalar(select(Attempt).where(Attempt.candidate_id == user.id,
                                                          Attempt.status == "in_progress"))
        result = (attempt.id, len(attempt.items))
        db.session.remove()
        return result


def test_take_the_test_in_kazakh_and_survive_faults(browser, live_app, tmp_path):
    base = live_app.config["LMS_BASE_URL"]
    context = browser.new_context(locale="kk-KZ", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    sign_in(page, base, "candidate@demo.osh-centre.kz", demo_password("candidate"))
    page.goto(base + "/tests/")
    card = page.locator("article.card", has_text="KZ-OSH-MGR")
    card.locator("select").select_option("kk")
    card.locator("button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    attempt_id, total = current_attempt(live_app)

    # 1. An answer, then a reload: it is still there.
    page.locator("input[name=option]").first.check()
    expect(page.locator(".save-state")).not_to_be_empty()
    page.reload()
    expect(page.locator("input[name=option]").first).to_be_checked()

    # 2. Offline for a moment: the answer waits, then is sent when the network is back.
    page.goto(f"{base}/attempts/{attempt_id}/q/2")
    context.set_offline(True)
    page.locator("input[name=option]").nth(1).check()
    expect(page.locator(".save-state")).to_contain_text("желі")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator(".save-state")).to_contain_text("Сақталды")
    page.reload()
    expect(page.locator("input[name=option]").nth(1)).to_be_checked()

    # 3. The browser closes and comes back (same profile): the attempt goes on.
    state = tmp_path / "state.json"
    context.storage_state(path=str(state))
    context.close()
    context = browser.new_context(locale="kk-KZ", storage_state=str(state))
    page = context.new_page()
    page.goto(f"{base}/attempts/{attempt_id}/q/2")
    expect(page.locator("input[name=option]").nth(1)).to_be_checked()

    # 4. Answer everything correctly and finish.
    for position in range(1, total + 1):
        page.goto(f"{base}/attempts/{attempt_id}/q/{position}")
        key = key_for(live_app, attempt_id, position)
        for option in page.locator("input[name=option]").all():
            if option.get_attribute("value") in key:
                option.check()
            elif option.get_attribute("type") == "checkbox":
                option.uncheck()
        page.locator("button[name=go]").last.click()
    page.goto(f"{base}/attempts/{attempt_id}/summary")
    page.locator("form[action$='/finish'] button").click()
    expect(page.locator(".result")).to_have_class("result result-pass")
    context.close()
