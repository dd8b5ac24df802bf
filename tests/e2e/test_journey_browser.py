"""The whole journey in one browser session per person: an organisation applies and the Centre approves it
and certifies its lecturer; a course runs and the trainee completes it; the trainee takes the Centre's test
in Kazakh, reloads, goes offline for a moment, closes the browser and comes back, passes and downloads the
PDF; the QR code read from the PDF opens the verify page, which says valid; the Centre revokes; the page
says revoked. Screenshots of every step are kept when it fails (tests/e2e/artifacts/)."""

import re
import subprocess
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from lms.demo.seed import demo_password
from lms.identifiers import make_bin, make_iin
from tests.e2e.test_exam_browser import current_attempt, key_for
from tests.e2e.test_foundation_browser import sign_in
from tests.e2e.test_registry_browser import PDF, outbox_link, set_password

LECTURER_IIN = make_iin(date(1981, 4, 4), "F", 6161)
TRAINEE_IIN = make_iin(date(1990, 10, 10), "M", 6262)


def test_from_application_to_revoked_certificate(open_page, browser, live_app, tmp_path):
    base = live_app.config["LMS_BASE_URL"]
    today = datetime.now(ZoneInfo("Asia/Almaty")).date()
    centre = open_page("en-US")
    sign_in(centre, base, "centre.admin@demo.osh-centre.kz", demo_password("centre_admin"))

    # 1. The organisation applies; the Centre approves.
    manager = open_page("ru-RU")
    manager.goto(base + "/apply?lang=en")
    manager.locator("#full_name").fill("Дина Маратқызы Серікова")
    manager.locator("#email").fill("dina@journey.kz")
    manager.locator("#bin").fill(make_bin(date(2021, 6, 1), 7171))
    manager.locator("#name").fill("«Жол» оқу орталығы")
    manager.locator("#region").select_option("akmola")
    manager.locator("form button[type=submit]").last.click()
    set_password(manager, base, outbox_link(centre, base, "dina@journey.kz", "/activate"), "Zhol-Ortalygy-2026")
    manager.goto(base + "/org/?lang=en")
    manager.locator("a", has_text="Application").first.click()
    for field, value in {"#org_name_ru": "Учебный центр «Путь»", "#org_address": "Кокшетау, ул. Абая, 5",
                         "#org_phone": "+7 716 200 0000", "#org_email": "info@journey.kz",
                         "#org_director": "Серікова Дина", "#base_classrooms": "1", "#base_seats": "20",
                         "#base_computers": "12", "#lecturers-0-iin": LECTURER_IIN,
                         "#lecturers-0-full_name": "Лектор Жолова", "#lecturers-0-education": "Высшее",
                         "#lecturers-0-qualification": "Инженер ОТ", "#lecturers-0-experience_years": "11"}.items():
        manager.locator(field).fill(value)
    manager.locator("input[name=curricula][value=KZ-OSH-MGR]").check()
    pdf = tmp_path / "licence.pdf"
    pdf.write_bytes(PDF)
    manager.locator("#document").set_input_files(str(pdf))
    manager.locator("#save").click()
    expect(manager.locator(".flash-success")).to_be_visible()
    manager.locator("#submit_application").click()
    expect(manager.locator(".flash-success")).to_be_visible()
    centre.goto(base + "/centre/applications?status=submitted")
    centre.locator("a", has_text="Жол").click()
    centre.locator("#decision").select_option("approve")
    centre.locator("form button[type=submit]").last.click()
    expect(centre.locator(".flash-success")).to_contain_text("TO-")
    centre.steps("approved")

    # 2. The Centre certifies the organisation's lecturer for the curriculum.
    centre.goto(f"{base}/centre/lecturers?q={LECTURER_IIN}")
    centre.locator("td a").first.click()
    centre.locator("#action").select_option("certify")
    centre.locator("#certificate_number").fill("L-JOURNEY-1")
    centre.locator("input[name=curricula][value=KZ-OSH-MGR]").check()
    centre.locator("#valid_until").fill((today + timedelta(days=700)).isoformat())
    centre.locator("form button[type=submit]").last.click()
    expect(centre.locator(".flash-success")).to_be_visible()

    # 3. A course runs: scheduled, one trainee enrolled, attendance for every topic, completed.
    manager.goto(base + "/org/?lang=en")
    manager.locator("a", has_text="Courses").first.click()
    manager.locator("a", has_text="Schedule a course").click()
    manager.locator("#curriculum").select_option("KZ-OSH-MGR")
    manager.locator("#format").select_option("in_person")
    manager.locator("#place").fill("Кокшетау, ул. Абая, 5")
    manager.locator("#starts_on").fill(today.isoformat())
    manager.locator("#ends_on").fill((today + timedelta(days=5)).isoformat())
    manager.locator("#hours").fill("40")
    manager.locator("#capacity").fill("20")
    manager.locator("input[name=lecturers]").first.check()
    manager.locator("form button[type=submit]").last.click()
    expect(manager.locator(".flash-success")).to_be_visible()
    course_url = manager.url
    manager.locator("#iin").fill(TRAINEE_IIN)
    manager.locator("#full_name").fill("Ержан Болатұлы Құдайбергенов")
    manager.locator("#email").fill("yerzhan@journey.kz")
    manager.locator("#employer_name").fill("ТОО «Көкше Құрылыс»")
    manager.locator("#audience").select_option("managers")
    manager.locator("form[action$='/enrol'] button[type=submit]").click()
    expect(manager.locator(".flash-success")).to_be_visible()
    for box in manager.locator("form.attendance input[name=topics]").all():
        box.check()
    manager.locator("form.attendance button[type=submit]").click()
    expect(manager.locator(".flash-success")).to_be_visible()
    manager.goto(course_url)
    manager.locator("form[action$='/complete'] button").click()
    expect(manager.locator(".flash-success")).to_contain_text("training record")
    manager.steps("completed")

    # 4. The trainee takes the test in Kazakh: a reload, a moment offline, the browser closed and back.
    context = browser.new_context(locale="kk-KZ", viewport={"width": 1100, "height": 900})
    trainee = context.new_page()
    set_password(trainee, base, outbox_link(centre, base, "yerzhan@journey.kz", "/enrolment"), "Kokshe-Qauipsiz-77")
    trainee.goto(base + "/tests/")
    card = trainee.locator("article.card", has_text="KZ-OSH-MGR")
    card.locator("select").select_option("kk")
    card.locator("button[type=submit]").click()
    expect(trainee.locator("html")).to_have_attribute("lang", "kk")
    attempt_id, total = current_attempt(live_app, email="yerzhan@journey.kz")

    def answer(page, position: int) -> None:
        page.goto(f"{base}/attempts/{attempt_id}/q/{position}")
        key = key_for(live_app, attempt_id, position)
        changed = False
        for option in page.locator("input[name=option]").all():
            wanted = option.get_attribute("value") in key
            if option.is_checked() != wanted and (wanted or option.get_attribute("type") == "checkbox"):
                option.set_checked(wanted)
                changed = True
        if changed:
            expect(page.locator(".save-state")).to_contain_text("Сақталды")

    answer(trainee, 1)
    trainee.reload()  # the answer is still there
    expect(trainee.locator("input[name=option]:checked")).not_to_have_count(0)
    trainee.goto(f"{base}/attempts/{attempt_id}/q/2")
    context.set_offline(True)  # a moment offline: the answer waits in the browser
    trainee.locator("input[name=option]").first.check()
    expect(trainee.locator(".save-state")).to_contain_text("желі")
    context.set_offline(False)
    trainee.evaluate("window.dispatchEvent(new Event('online'))")
    expect(trainee.locator(".save-state")).to_contain_text("Сақталды")
    state = tmp_path / "state.json"
    context.storage_state(path=str(state))
    context.close()
    context = browser.new_context(locale="kk-KZ", storage_state=str(state))
    trainee = context.new_page()
    for position in range(1, total + 1):
        answer(trainee, position)
    trainee.goto(f"{base}/attempts/{attempt_id}/summary")
    trainee.locator("form[action$='/finish'] button").click()
    expect(trainee.locator(".result")).to_have_class("result result-pass")

    # 5. The PDF, its QR code, the verify page: valid.
    trainee.goto(base + "/me/certificates")
    with trainee.expect_download() as download:
        trainee.locator("a[href$='/pdf']").first.click()
    pdf_path = tmp_path / "certificate.pdf"
    download.value.save_as(pdf_path)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf_path), str(tmp_path / "page")],
                   check=True)
    page_png = next(tmp_path.glob("page*.png"))
    url = subprocess.run(["zbarimg", "-q", "--raw", str(page_png)], capture_output=True, text=True,
                         check=True).stdout.strip()
    code = re.search(r"/v/([A-Za-z0-9_-]+)", url).group(1)
    inspector = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    inspector.goto(f"{base}/v/{code}")
    expect(inspector.locator(".verdict .status")).to_have_text("Сертификат действителен")

    # 6. The Centre revokes; the same page says so.
    centre.goto(f"{base}/centre/people?q={TRAINEE_IIN}")
    centre.locator("td a").first.click()
    centre.locator("a[href*='/centre/certificates/']").first.click()
    centre.locator("#action").select_option("revoke")
    centre.locator("#reason").fill("Проверка знаний сдана другим лицом")
    centre.locator("form button[type=submit]").last.click()
    expect(centre.locator(".flash-success")).to_be_visible()
    inspector.goto(f"{base}/v/{code}")
    expect(inspector.locator(".verdict .status")).to_have_text("Сертификат аннулирован")
    context.close()
