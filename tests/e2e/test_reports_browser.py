"""The reports as the Ministry's analyst and the public see them, on the demo data (two years of history)."""

import json
import re

from playwright.sync_api import expect

from lms.demo.seed import demo_password
from tests.e2e.test_foundation_browser import sign_in


def test_analyst_reads_indicator_5_drills_down_and_downloads_csv(page, live_server):
    sign_in(page, live_server, "analyst@demo.osh-centre.kz", demo_password("analyst"))
    page.locator('.lang-switch button[value="en"]').click()
    page.get_by_role("link", name="Reports").click()
    expect(page.locator("h1")).to_contain_text("Indicator 5")
    chart = page.locator("svg[role=img]").first
    expect(chart).to_be_visible()
    expect(page.locator("#years tbody tr").filter(has_text="2025")).to_contain_text("40.0%")
    page.steps("indicator")
    page.locator("#audience").select_option("hazardous_workers")
    page.get_by_role("button", name="Show").first.click()
    expect(page.locator("h2").nth(1)).to_have_text("Workers in harmful or hazardous conditions")
    page.get_by_role("link", name="By region").click()
    expect(page.locator("h1")).to_have_text("Test results and certificates by region")
    expect(page.locator("table tbody tr").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as saved:
        text = saved.read()
    assert text.startswith("region,name,attempts,passes,first_attempts")
    page.steps("by-region")


def test_anyone_reads_open_data_on_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ru-RU")
    phone = context.new_page()
    phone.goto(live_server + "/")
    phone.locator('.lang-switch button[value="ru"]').click()
    phone.get_by_role("link", name="Открытые данные").click()
    expect(phone.locator("h1")).to_contain_text("Открытые данные")
    expect(phone.get_by_text(re.compile("Данные на"))).to_be_visible()
    response = phone.request.get(live_server + "/api/v1/open-data/indicator5")
    body = json.loads(response.text())
    assert [i["target"] for i in body["items"]] == [40, 50, 60, 70, 80, 90]
    assert body["items"][0]["value"] is not None  # 2025 has enough people to publish
    context.close()
