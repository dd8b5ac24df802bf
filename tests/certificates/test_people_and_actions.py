import csv
import io
import os
import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from lms.certificates import services
from lms.certificates.models import VerificationCheck
from lms.extensions import db
from lms.organisations import registry
from lms.training import apikeys
from lms.training.models import TrainingRecord
from tests.conftest import csrf_from, post_form, run_together


def test_holder_pages(client, login, exam, issued):
    login(exam.candidate)
    assert issued.number in client.get("/me/certificates").get_data(as_text=True)
    pdf = client.get(f"/me/certificates/{issued.id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/me/certificates/{issued.id}/credential").mimetype == "application/vc+jwt"
    share = client.get(f"/me/certificates/{issued.id}/share").get_data(as_text=True)
    link = share.split('<code class="key">')[1].split("</code>")[0]
    path = link.split("localhost", 1)[1]
    assert issued.holder_name in client.application.test_client().get(path).get_data(as_text=True)
    assert client.application.test_client().get(path[:-3] + "xyz").status_code == 404


def test_share_links_expire(app, client, login, exam, issued):
    login(exam.candidate)
    share = client.get(f"/me/certificates/{issued.id}/share").get_data(as_text=True)
    path = share.split('<code class="key">')[1].split("</code>")[0].split("localhost", 1)[1]
    app.config["LMS_SHARE_TOKEN_MAX_AGE"] = -1
    try:
        assert app.test_client().get(path).status_code == 404
    finally:
        app.config["LMS_SHARE_TOKEN_MAX_AGE"] = 30 * 24 * 3600


def test_other_people_cannot_download_a_holders_files(app, login, make_user, issued):
    other = app.test_client()
    login(make_user("candidate"), target=other)
    assert other.get(f"/me/certificates/{issued.id}/pdf").status_code == 404
    assert other.get(f"/me/certificates/{issued.id}/credential").status_code == 404


def test_renewal_notice_once(exam, issued, outbox, frozen_clock):
    before = len(outbox(exam.candidate.email))  # the notice of issue
    frozen_clock(datetime.combine(issued.valid_until - timedelta(days=90), time(6), UTC))
    assert services.renewal_notices() == 0  # not yet
    frozen_clock(datetime.combine(issued.valid_until - timedelta(days=30), time(6), UTC))
    assert services.renewal_notices() == 1
    assert services.renewal_notices() == 0
    sent = outbox(exam.candidate.email)[before:]
    assert len(sent) == 1
    assert issued.number in sent[0].subject and f"/curricula/{issued.curriculum.code}" in sent[0].body_text


def test_centre_changes_status_through_the_page(client, login, make_user, issued):
    login(make_user("centre_admin"))
    url = f"/centre/certificates/{issued.id}"
    response = post_form(client, url + "?lang=en", {"action": "revoke", "reason": ""}, token_from=url)
    assert "This field is required." in response.get_data(as_text=True)
    post_form(client, url, {"action": "suspend", "reason": "Проверка"}, token_from=url)
    post_form(client, url, {"action": "reinstate", "reason": "Проверка завершена"}, token_from=url)
    post_form(client, url, {"action": "revoke", "reason": "Подлог"}, token_from=url)
    db.session.refresh(issued)
    assert issued.status == "revoked" and [e.status for e in issued.events] == ["valid", "suspended", "valid",
                                                                               "revoked"]


def test_unified_registry(client, login, make_user, exam, issued):
    login(make_user("centre_admin"))
    for q in (issued.iin, issued.number, issued.holder_name.split()[0]):
        assert issued.holder_name in client.get(f"/centre/people?q={q}").get_data(as_text=True)
    services.change_status(issued, "suspend", "Проверка", make_user("centre_admin"))
    db.session.commit()
    page = client.get(f"/centre/people/{issued.iin}?lang=en").get_data(as_text=True)
    assert issued.number in page and exam.test.curriculum.code in page
    assert "Passed" in page and "finished" not in page  # the attempt's result, in words
    assert "Certificate valid" in page and "Certificate suspended: Проверка" in page  # the history
    data = client.get(f"/centre/people?q={issued.iin}&format=csv").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(data.lstrip("\ufeff")))) == [
        ["iin", "name", "training_records", "certificates"], [issued.iin, issued.holder_name, "1", issued.number]]
    assert client.get("/centre/people/000000000000").status_code == 404
    assert issued.holder_name not in client.get("/centre/people?q=%25").get_data(as_text=True)  # % is a letter


def test_the_people_csv_does_not_query_per_person(client, login, make_user, issued, trained, count_queries):
    login(make_user("centre_admin"))
    url = "/centre/people?q=Слушатель&format=csv"
    client.get(url)
    with count_queries() as one:
        assert len(client.get(url).get_data(as_text=True).splitlines()) == 2
    trained(4)
    with count_queries() as five:
        rows = list(csv.reader(io.StringIO(client.get(url).get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 6 and [r[2] for r in rows[1:]] == ["1"] * 5
    assert [r[3] for r in rows[1:]].count(issued.number) == 1 and [r[3] for r in rows[1:]].count("") == 4
    assert five.n == one.n, five.statements


def test_mass_invalidation_after_revocation_for_cause(client, login, exam, issued):
    admin = exam.setup.admin
    org = exam.setup.organisation
    login(admin)
    url = f"/centre/organisations/{org.id}/invalidate"
    day = issued.test_date.isoformat()
    assert "Only for an organisation" in post_form(client, url + "?lang=en", {
        "start": day, "end": day, "reason": "x", "confirm": "y"}, token_from=url).get_data(as_text=True)
    registry.revoke(org, "Сертификаты без обучения", True, admin)
    db.session.commit()
    preview = post_form(client, url + "?lang=en", {"start": "2020-01-01", "end": "2030-01-01", "reason": "Проверка"},
                        token_from=url).get_data(as_text=True)
    assert issued.holder_name in preview and issued.number in preview
    db.session.refresh(issued)
    assert issued.status == "valid"  # a preview changes nothing
    post_form(client, url, {"start": "2020-01-01", "end": "2030-01-01", "reason": "Проверка", "confirm": "y"},
              token_from=url)
    db.session.refresh(issued)
    record = db.session.get(TrainingRecord, issued.training_record_id)
    assert issued.status == "suspended" and record.status == "invalidated"


def test_invalidation_needs_both_dates(client, login, exam):
    login(exam.setup.admin)
    url = f"/centre/organisations/{exam.setup.organisation.id}/invalidate"
    page = post_form(client, url + "?lang=en", {"start": "", "end": "2030-01-01", "reason": "Проверка"},
                     token_from=url).get_data(as_text=True)
    assert "This field is required." in page and "Affected:" not in page


def test_the_invalidation_preview_does_not_query_per_record(client, login, exam, issued, trained, count_queries):
    login(exam.setup.admin)
    url = f"/centre/organisations/{exam.setup.organisation.id}/invalidate"
    data = {"start": "2020-01-01", "end": "2030-01-01", "reason": "Проверка", "csrf_token": csrf_from(client, url)}
    client.post(url, data=data)
    with count_queries() as one:
        assert issued.number in client.post(url, data=data).get_data(as_text=True)
    trained(4)
    with count_queries() as five:
        page = client.post(url + "?lang=en", data=data).get_data(as_text=True)
    assert "Affected: 5 training records" in page and "Слушатель 5" in page
    assert five.n == one.n, five.statements


@pytest.fixture
def employer(make_user, issued):
    user = make_user("employer", employer_bin=_bin_for(issued))
    return user


def _bin_for(certificate):
    from datetime import date

    from lms.identifiers import make_bin

    bin_ = make_bin(date(2015, 4, 1), 777)
    certificate.employer_bin = bin_
    db.session.commit()
    return bin_


def test_employer_staff_list_and_bulk_csv(client, login, employer, issued):
    login(employer)
    page = client.get("/employer/?lang=en").get_data(as_text=True)
    assert issued.number in page
    body = f"number;surname\n{issued.number};{issued.holder_name.split()[-1]}\nKZ-OSH-2000-999999;Нет\n"
    response = client.post("/employer/check", data={"file": (io.BytesIO(body.encode("cp1251")), "list.csv"),
                                                     "csrf_token": csrf_from(client, "/employer/")},
                           content_type="multipart/form-data")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][:4] == [issued.number, issued.holder_name.split()[-1], "yes", "valid"]
    assert rows[2][2] == "no" and rows[2][4] == ""  # nothing disclosed beyond "not found"
    assert _bulk_checks() == [(issued.id, True), (None, False)]  # each number logged as a check of its own


def _bulk_checks() -> list[tuple[int | None, bool]]:
    return [(c.certificate_id, c.found) for c in db.session.scalars(
        select(VerificationCheck).where(VerificationCheck.channel == "bulk").order_by(VerificationCheck.id))]


def test_employer_staff_list_groups_by_expiry(client, login, employer, issued, frozen_clock):
    login(employer)

    def heading_with_number() -> str:
        page = client.get("/employer/?lang=en").get_data(as_text=True)
        return page[:page.index(issued.number)].rsplit("<h2>", 1)[1].split("</h2>")[0]

    for days_left, heading in ((200, "Valid certificates (1)"), (75, "Expire within 90 days (1)"),
                               (45, "Expire within 60 days (1)"), (10, "Expire within 30 days (1)"),
                               (-1, "Expired (1)")):
        frozen_clock(datetime.combine(issued.valid_until - timedelta(days=days_left), time(6), UTC))
        assert heading_with_number() == heading
    services.change_status(issued, "revoke", "Подлог", employer)
    db.session.commit()
    assert heading_with_number() == "Suspended or revoked (1)"


def test_employer_api_keys_page(app, client, login, employer, issued, make_user):
    login(employer)
    url = "/employer/api-keys"
    page = post_form(client, url, {"name": "HR system"}, token_from=url).get_data(as_text=True)
    key = page.split('<code class="key">')[1].split("</code>")[0]
    assert "HR system" in client.get(url).get_data(as_text=True) and key not in client.get(url).get_data(as_text=True)

    def api_status() -> int:
        return app.test_client().get(f"/api/v1/certificates/{issued.number}",
                                     headers={"Authorization": f"Bearer {key}"}).status_code

    assert api_status() == 200
    key_id = int(client.get(url).get_data(as_text=True).split("/employer/api-keys/")[1].split("/revoke")[0])
    stranger = app.test_client()
    login(make_user("employer", employer_bin="150440043215"), target=stranger)
    assert post_form(stranger, f"{url}/{key_id}/revoke", token_from=url).status_code == 404
    assert api_status() == 200
    assert post_form(client, f"{url}/{key_id}/revoke", token_from=url).status_code == 302
    assert api_status() == 401


def test_employer_bulk_limits(app, client, login, employer, monkeypatch):
    login(employer)
    big = "number,surname\n" + "KZ-OSH-2026-000001,Иванов\n" * 100_000
    response = client.post("/employer/check?lang=en", data={"file": (io.BytesIO(big.encode()), "big.csv"),
                                                             "csrf_token": csrf_from(client, "/employer/")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "at most" in response.get_data(as_text=True)
    bad = client.post("/employer/check?lang=en", data={"file": (io.BytesIO(b"just one column\n1\n"), "x.csv"),
                                                        "csrf_token": csrf_from(client, "/employer/")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "two columns" in bad.get_data(as_text=True)


def test_employer_api(client, employer, exam, issued):
    _row, key = apikeys.create_for_employer(issued.employer_bin, "HR", employer)
    _org_row, org_key = apikeys.create(exam.setup.organisation, "Training", exam.setup.manager)
    db.session.commit()
    url = f"/api/v1/certificates/{issued.number}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": f"Bearer {org_key}"}).status_code == 401
    data = client.get(url, headers={"Authorization": f"Bearer {key}"}).get_json()
    assert data["status"] == "valid" and data["number"] == issued.number and "iin" not in data
    assert client.get("/api/v1/certificates/NOPE", headers={"Authorization": f"Bearer {key}"}).status_code == 404
    items = [{"number": issued.number, "surname": issued.holder_name.split()[-1]},
             {"number": issued.number, "surname": "Чужой"}, {"number": "KZ-OSH-1999-000001"}]
    result = client.post("/api/v1/certificates/verify", json={"items": items},
                         headers={"Authorization": f"Bearer {key}"}).get_json()
    assert [i["found"] for i in result["items"]] == [True, False, False]
    assert _bulk_checks() == [(issued.id, True), (None, False), (None, False)]  # a wrong surname finds nothing
    too_many = client.post("/api/v1/certificates/verify", json={"items": [{"number": "x"}] * 1001},
                           headers={"Authorization": f"Bearer {key}"})
    assert too_many.status_code == 413
    for body in (b"not json", b'{"items": "x"}', b'{"items": [1, 2]}', b"[]"):
        bad = client.post("/api/v1/certificates/verify", data=body, content_type="application/json",
                          headers={"Authorization": f"Bearer {key}"})
        assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_request"


def test_the_bulk_api_does_not_query_per_number(client, employer, issued, count_queries):
    _row, key = apikeys.create_for_employer(issued.employer_bin, "HR", employer)
    db.session.commit()
    surname = issued.holder_name.split()[-1]
    headers = {"Authorization": f"Bearer {key}"}

    def check(items):
        with count_queries() as counted:
            response = client.post("/api/v1/certificates/verify", json={"items": items}, headers=headers)
        assert response.status_code == 200 and response.get_json()["total"] == len(items)
        return counted.n

    one = check([{"number": issued.number, "surname": surname}])
    many = [{"number": issued.number, "surname": surname}] * 500 + [{"number": f"KZ-OSH-2000-{i:06d}"}
                                                                    for i in range(500)]
    assert check(many) == one  # the 1,000 checks are logged in one statement too


def test_revocation_reaches_page_api_and_status_list_at_once(client, employer, issued, make_user):
    _row, key = apikeys.create_for_employer(issued.employer_bin, "HR", employer)
    services.change_status(issued, "revoke", "Подлог", make_user("centre_admin"))
    db.session.commit()
    assert "Certificate revoked" in client.get(f"/v/{issued.code}?lang=en").get_data(as_text=True)
    api = client.get(f"/api/v1/certificates/{issued.number}", headers={"Authorization": f"Bearer {key}"})
    assert api.get_json()["status"] == "revoked"
    import base64
    import gzip

    import jwt

    token = client.get("/credentials/status/revocation").get_data(as_text=True)
    raw = jwt.decode(token, options={"verify_signature": False})["credentialSubject"]["encodedList"]
    bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    assert bits[issued.status_index // 8] & (0x80 >> (issued.status_index % 8))


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("LMS_TEST_DATABASE_URL"), reason="needs PostgreSQL (the CI's second pass)")
def test_certificate_numbers_are_unique_under_concurrency(app):
    """Eight connections take 25 numbers each at the same moment: 200 different numbers, none skipped."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from lms.organisations.numbers import next_number

    kind = f"CONC-{os.getpid()}"
    taken: list[int] = []
    lock = threading.Lock()
    engine = db.engine  # the threads have no app context: give them the engine itself

    def worker() -> None:
        for _ in range(25):
            with Session(engine) as session:
                value = next_number(kind, 2026, session)
                session.commit()
            with lock:
                taken.append(value)

    run_together(worker)
    with engine.begin() as conn:  # this test commits for real: leave nothing behind
        conn.execute(text("DELETE FROM registry_counters WHERE kind = :kind"), {"kind": kind})
    assert sorted(taken) == list(range(1, 201))
