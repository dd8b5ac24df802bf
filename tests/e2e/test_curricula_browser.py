"""Curricula as people use them: a visitor filters the catalogue and prints a curriculum; the Centre
edits a published curriculum and the public page shows the new version."""

from playwright.sync_api import expect

from lms.demo.seed import demo_password
from tests.e2e.test_foundation_browser import sign_in


def test_visitor_finds_a_curriculum_and_prints_it(page, live_server):
    page.goto(live_server + "/curricula/")
    page.locator('.lang-switch button[value="kk"]').click()
    page.locator("#f-country").select_option("KG")
    page.locator(".filters button[type=submit]").click()
    expect(page.locator(".curriculum-list li")).to_have_count(1)
    page.steps("filtered")
    page.locator(".curriculum-list h2 a").click()
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.get_by_text("001_2fac2be8ce76cb66.txt").first).to_be_visible()
    page.steps("curriculum")
    with page.expect_response(lambda r: "/pdf" in r.url) as info:
        page.evaluate("url => fetch(url)", page.locator("a[href*='/pdf']").get_attribute("href"))
    response = info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"


def test_centre_edits_a_published_curriculum(page, live_server):
    sign_in(page, live_server, "centre.admin@demo.osh-centre.kz", demo_password("centre_admin"))
    page.goto(live_server + "/centre/curricula/KZ-OSH-CONSTR/edit?lang=en")
    page.steps("editor")
    page.locator("#title_en").fill("Construction and work at height (revised)")
    page.locator("#min_hours").fill("25")
    page.locator("#save").click()
    expect(page.locator("#min_hours-error")).to_contain_text("not 25")
    expect(page.locator("#title_en")).to_have_value("Construction and work at height (revised)")
    page.steps("error-kept")
    page.locator("#min_hours").fill("24")
    page.locator("#save").click()
    expect(page.locator(".flash-success")).to_contain_text("version 2")
    page.goto(live_server + "/curricula/KZ-OSH-CONSTR?lang=en")
    expect(page.locator("h1")).to_have_text("Construction and work at height (revised)")
    page.goto(live_server + "/curricula/KZ-OSH-CONSTR?lang=en&version=1")
    expect(page.locator("h1")).not_to_have_text("Construction and work at height (revised)")
    page.steps("old-version")
