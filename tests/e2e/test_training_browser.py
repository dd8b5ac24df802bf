"""A distance course from scheduling to the training record, as the manager and the trainee use it."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from lms.demo.seed import demo_password
from lms.identifiers import make_iin
from tests.e2e.test_foundation_browser import sign_in
from tests.e2e.test_registry_browser import outbox_link, set_password


def test_distance_course_to_training_record(open_page, live_server):
    base = live_server
    today = datetime.now(ZoneInfo("Asia/Almaty")).date()
    manager = open_page("en-US")
    centre = open_page("en-US")
    trainee = open_page("kk-KZ")
    sign_in(manager, base, "org.manager@demo.osh-centre.kz", demo_password("org_manager"))
    sign_in(centre, base, "centre.admin@demo.osh-centre.kz", demo_password("centre_admin"))

    # Schedule.
    manager.goto(base + "/org/")
    manager.locator("a", has_text="Courses").first.click()
    manager.locator("a", has_text="Schedule a course").click()
    manager.locator("#curriculum").select_option("KZ-FIRST-AID")
    manager.locator("#format").select_option("distance")
    manager.locator("#place").fill("https://learn.demo.osh-centre.kz")
    manager.locator("#starts_on").fill(today.isoformat())
    manager.locator("#ends_on").fill((today + timedelta(days=14)).isoformat())
    manager.locator("#hours").fill("8")
    manager.locator("#capacity").fill("20")
    manager.locator("input[name=lecturers]").first.check()
    manager.locator("form button[type=submit]").last.click()
    expect(manager.locator("#hours-error")).to_contain_text("16")
    expect(manager.locator("#place")).to_have_value("https://learn.demo.osh-centre.kz")
    manager.locator("#hours").fill("16")
    manager.locator("input[name=lecturers]").first.check()
    manager.locator("form button[type=submit]").last.click()
    expect(manager.locator(".flash-success")).to_be_visible()
    course_url = manager.url
    manager.steps("scheduled")

    # Enrol one trainee.
    iin = make_iin(date(1994, 6, 15), "F", 9191)
    manager.locator("#iin").fill(iin)
    manager.locator("#full_name").fill("Әсел Дәуренқызы Нұрғалиева")
    manager.locator("#email").fill("asel.nurgaliyeva@example.kz")
    manager.locator("#employer_name").fill("ТОО «Қазақ Құрылыс»")
    manager.locator("#audience").select_option("workers")
    manager.locator("form[action$='/enrol'] button[type=submit]").click()
    expect(manager.locator(".flash-success")).to_be_visible()
    expect(manager.locator("table")).to_contain_text("Әсел Дәуренқызы Нұрғалиева")

    # The trainee creates an account through the link and reads every topic.
    set_password(trainee, base, outbox_link(centre, base, "asel.nurgaliyeva@example.kz", "/enrolment"),
                 "Asel-Qauipsiz-2026")
    expect(trainee.locator("html")).to_have_attribute("lang", "kk")
    trainee.locator(".curriculum-list a").first.click()
    trainee.locator(".topics-list a").first.click()
    expect(trainee.locator("article.material h2").first).to_be_visible()
    trainee.steps("first-topic")
    while trainee.locator("nav.actions a.button:not(.button-secondary)").count():
        trainee.locator("nav.actions a.button:not(.button-secondary)").click()
    trainee.steps("last-topic")

    # The manager completes; the record appears on the trainee's page with the right to the test.
    manager.goto(course_url)
    manager.locator("form[action$='/complete'] button").click()
    expect(manager.locator(".flash-success")).to_contain_text("training record")
    trainee.goto(base + "/me/?lang=en")
    expect(trainee.locator("table")).to_contain_text("KZ-FIRST-AID")
    expect(trainee.locator("body")).to_contain_text("you may take the Centre's test")
    trainee.steps("record")
    assert re.search(r"/courses/\d+$", course_url)
