"""The whole life of a training organisation in the browser: apply, confirm the e-mail, complete the
draft with a document, submit; the Centre returns it; resubmit; approve; suspend, reinstate, revoke;
the public registry shows each status."""

import re
from datetime import date

from playwright.sync_api import expect

from lms.demo.seed import demo_password
from lms.identifiers import make_bin, make_iin
from tests.e2e.test_foundation_browser import sign_in

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def outbox_link(admin, base: str, email: str, path: str) -> str:
    admin.goto(base + "/admin/outbox")
    text = admin.locator("article.mail", has_text=email).first.inner_text()
    return re.search(rf"https?://[^\s]+({path}/\S+)", text).group(1)


def set_password(page, base: str, link: str, password: str) -> None:
    page.goto(base + link)
    page.locator("#password").fill(password)
    page.locator("#confirm").fill(password)
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    errors = page.locator(".error, .form-alert, .flash-error").all_inner_texts()
    assert not errors, errors
    expect(page.locator("#password")).to_have_count(0)  # signed in, no longer on the form


def test_organisation_lifecycle(open_page, live_server, tmp_path):
    base = live_server
    applicant = open_page("ru-RU")
    centre = open_page("en-US")
    sign_in(centre, base, "centre.admin@demo.osh-centre.kz", demo_password("centre_admin"))
    bin_ = make_bin(date(2022, 3, 1), 8080)

    # 1. Apply: the manager's account is created and confirmed by e-mail.
    applicant.goto(base + "/apply?lang=en")
    applicant.locator("#full_name").fill("Алия Жанқызы Бекова")
    applicant.locator("#email").fill("aliya@zhana.kz")
    applicant.locator("#bin").fill("123")
    applicant.locator("#name").fill("«Жаңа Қауіпсіздік» оқу орталығы")
    applicant.locator("#region").select_option("karaganda")
    applicant.locator("form button[type=submit]").last.click()
    expect(applicant.locator("#bin-error")).to_be_visible()
    expect(applicant.locator("#email")).to_have_value("aliya@zhana.kz")
    applicant.locator("#bin").fill(bin_)
    applicant.locator("form button[type=submit]").last.click()
    expect(applicant.locator("h1")).to_have_text("Check your e-mail")
    set_password(applicant, base, outbox_link(centre, base, "aliya@zhana.kz", "/activate"), "Zhana-Qauipsizdik-1")

    # 2. Complete the draft, attach a document, submit.
    applicant.goto(base + "/org/")
    applicant.locator("a", has_text=re.compile("Application|Заявка|Өтінім")).first.click()
    applicant.wait_for_url(re.compile(r"/org/\d+/application$"))
    url = applicant.url
    for field, value in {"#org_name_ru": "Учебный центр «Новая безопасность»", "#org_address": "ул. Бухар-Жырау, 1",
                         "#org_phone": "+7 721 200 0000", "#org_email": "info@zhana.kz",
                         "#org_director": "Бекова Алия", "#base_classrooms": "2", "#base_seats": "30",
                         "#base_computers": "10", "#lecturers-0-iin": make_iin(date(1979, 9, 9), "F", 4040),
                         "#lecturers-0-full_name": "Лектор Браузерова", "#lecturers-0-education": "Высшее",
                         "#lecturers-0-qualification": "Инженер ОТ", "#lecturers-0-experience_years": "9"}.items():
        applicant.locator(field).fill(value)
    applicant.locator("input[name=curricula][value=KZ-OSH-MGR]").check()
    pdf = tmp_path / "licence.pdf"
    pdf.write_bytes(PDF)
    applicant.locator("#document").set_input_files(str(pdf))
    applicant.locator("#save").click()
    expect(applicant.locator(".flash-success")).to_be_visible()
    expect(applicant.locator("#documents")).to_contain_text("licence.pdf")
    applicant.locator("#submit_application").click()
    expect(applicant.locator(".flash-success")).to_be_visible()
    applicant.steps("submitted")

    # 3. The Centre returns it with a comment on the base.
    centre.goto(base + "/centre/applications?status=submitted")
    centre.locator("a", has_text="Жаңа Қауіпсіздік").click()
    centre.wait_for_url(re.compile(r"/centre/applications/\d+$"))
    review = centre.url
    centre.locator("#decision").select_option("return")
    centre.locator("#comment_base").fill("Укажите компьютеры для тестирования")
    centre.locator("form button[type=submit]").last.click()
    expect(centre.locator(".flash-success")).to_be_visible()

    # 4. The manager sees the comment, changes the base and resubmits.
    applicant.goto(url)
    expect(applicant.locator(".form-alert")).to_contain_text("Укажите компьютеры для тестирования")
    applicant.locator("#base_computers").fill("15")
    applicant.locator("#submit_application").click()
    expect(applicant.locator(".flash-success")).to_be_visible()

    # 5. The Centre sees what changed, approves.
    centre.goto(review)
    expect(centre.locator(".tag-changed")).to_have_count(1)
    centre.locator("#decision").select_option("approve")
    centre.locator("form button[type=submit]").last.click()
    expect(centre.locator(".flash-success")).to_contain_text("TO-")
    number = re.search(r"TO-\d{4}-\d{5}", centre.locator(".flash-success").inner_text()).group(0)
    centre.steps("approved")

    # 6. Suspend, reinstate, revoke; the public registry follows.
    visitor = open_page("en-US")
    centre.goto(base + f"/centre/organisations?q={number}")
    centre.locator("td a").first.click()
    centre.wait_for_url(re.compile(r"/centre/organisations/\d+$"))
    org_page = centre.url
    for action, reason, shown in (("suspend", "Проверка качества", "Suspended"),
                                  ("reinstate", "", "In the registry"),
                                  ("revoke", "Сертификаты без обучения", "Revoked")):
        centre.goto(org_page)
        centre.locator("#action").select_option(action)
        if reason:
            centre.locator("#reason").fill(reason)
        if action == "revoke":
            centre.locator("#for_cause").check()
        centre.locator("form button[type=submit]").last.click()
        expect(centre.locator(".flash-success")).to_be_visible()
        visitor.goto(base + f"/registry/{number}")
        expect(visitor.locator(".status")).to_have_text(shown)
    expect(visitor.locator("table")).to_contain_text("for cause")
    visitor.steps("revoked")
