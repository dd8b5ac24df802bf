import re
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.assessments import attempts
from lms.certificates import services
from lms.certificates.models import Certificate, VerificationCheck
from lms.extensions import db
from lms.jobs.models import Job
from lms.pdf import PdfError
from tests.assessments.conftest import answer_all


def test_a_pass_issues_a_certificate_in_the_same_transaction(exam, issued, outbox):
    assert re.fullmatch(r"KZ-OSH-\d{4}-\d{6}", issued.number)
    assert len(issued.code) >= 16 and re.fullmatch(r"[A-Za-z0-9_-]+", issued.code)
    assert issued.holder_id == exam.candidate.id and issued.iin == exam.record.iin
    assert issued.curriculum_version_id == exam.record.curriculum_version_id
    assert issued.organisation_id == exam.record.organisation_id and issued.score_percent == 100
    months = exam.record.version.validity_months
    assert (issued.valid_until - issued.test_date).days in range(28 * months, 31 * months + 1)
    assert db.session.scalar(select(Job).where(Job.dedupe_key == f"certificate-pdf:{issued.id}"))
    assert outbox(exam.candidate.email)[-1].subject


def test_a_fail_issues_nothing(exam):
    attempt = attempts.start(exam.candidate, exam.test, "kk", "device")
    answer_all(attempt, correct=False)
    attempts.finish(attempt)
    assert db.session.scalar(select(Certificate)) is None or not db.session.scalars(
        select(Certificate).where(Certificate.attempt_id == attempt.id)).all()


def _clone(issued, keep: str | None) -> Certificate:
    """A copy of the certificate, on a second attempt, with fresh unique values except the column ``keep``."""
    from lms.assessments.models import Attempt

    attempt = db.session.get(Attempt, issued.attempt_id)
    other = Attempt(**{c.name: getattr(attempt, c.name) for c in Attempt.__table__.columns if c.name != "id"})
    other.number, other.status, other.passed = attempt.number + 1, "annulled", None
    db.session.add(other)
    db.session.flush()
    values = {c.name: getattr(issued, c.name) for c in Certificate.__table__.columns if c.name != "id"}
    fresh = {"number": "KZ-OSH-1999-999999", "code": "Z" * 20, "status_index": issued.status_index + 100_000,
             "attempt_id": other.id}
    values.update({name: value for name, value in fresh.items() if name != keep})
    return Certificate(**values)


def test_a_clone_with_fresh_numbers_is_accepted(issued):
    db.session.add(_clone(issued, keep=None))
    db.session.flush()


@pytest.mark.parametrize("column", ["number", "code", "status_index", "attempt_id"])
def test_numbers_codes_status_bits_and_attempts_are_unique_in_the_database(issued, column):
    from sqlalchemy.exc import IntegrityError

    db.session.add(_clone(issued, keep=column))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_pdf_qr_code_opens_the_verify_page(client, issued, tmp_path):
    data = services.pdf_bytes(issued)
    db.session.commit()
    assert data.startswith(b"%PDF") and issued.pdf_key and issued.pdf_template == services.TEMPLATE_VERSION
    (tmp_path / "c.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(tmp_path / "c.pdf"),
                    str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page*.png"))
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True).stdout.strip()
    assert decoded.endswith(f"/v/{issued.code}")
    text = subprocess.run(["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True).stdout
    assert issued.number in text and "СЕРТИФИКАТ" in text and any(ch in text for ch in "әғқңөұүһі")
    response = client.get(decoded.split("localhost", 1)[1] + "?lang=en")
    assert response.status_code == 200 and "Certificate valid" in response.get_data(as_text=True)
    assert services.pdf_bytes(issued) == data  # served from storage afterwards


def test_a_failed_fetch_is_an_error_never_a_missing_qr(issued, monkeypatch):
    monkeypatch.setattr(services, "qr_data_uri", lambda url: "http://127.0.0.1:9/qr.png")
    with pytest.raises(PdfError):
        services.render(issued)


def test_the_worker_renders_the_pdf(issued):
    from lms.jobs.worker import Worker

    Worker().run_once()
    db.session.refresh(issued)
    assert issued.pdf_key


@pytest.mark.parametrize(("action", "label"), [("suspend", "Certificate suspended"), ("revoke", "Certificate revoked")])
def test_status_shows_at_once_with_reason(client, issued, make_user, action, label):
    services.change_status(issued, action, "Проверка", make_user("centre_admin"))
    db.session.commit()
    page = client.get(f"/v/{issued.code}?lang=en").get_data(as_text=True)
    assert label in page and "Проверка" in page
    assert db.session.get(Certificate, issued.id) is not None  # never deleted


def test_the_verify_page_masks_the_iin_and_makes_one_statement(client, issued, count_queries):
    from lms.identifiers import mask

    client.get(f"/v/{issued.code}")  # the first request of the session loads what every request shares
    with count_queries() as counted:
        page = client.get(f"/v/{issued.code}?lang=en").get_data(as_text=True)
    # the certificate with its curriculum, version, organisation and earlier checks, and the check logged:
    # one statement on PostgreSQL (the log a data-modifying CTE), two on SQLite
    assert counted.n == (1 if db.engine.dialect.name == "postgresql" else 2), counted.statements
    assert issued.holder_name in page and mask(issued.iin) in page and issued.iin not in page
    assert "checks so far: 2" in page


def test_the_public_check_needs_no_session_and_no_form_token(app, client, issued):
    """A visitor's check writes no session cookie and no form token (each would cost a signature per check);
    the language switch there is a plain GET."""
    response = client.get(f"/v/{issued.code}?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith(app.config["SESSION_COOKIE_NAME"])]
    assert "csrf_token" not in page
    assert 'class="lang-switch" method="get"' in page


def test_expired_and_near_expiry(client, issued, frozen_clock):
    from datetime import UTC, datetime, time

    frozen_clock(datetime.combine(issued.valid_until - timedelta(days=10), time(6), UTC))
    assert "expires soon" in client.get(f"/v/{issued.code}?lang=en").get_data(as_text=True)
    frozen_clock(datetime.combine(issued.valid_until + timedelta(days=2), time(6), UTC))
    assert "Certificate expired" in client.get(f"/v/{issued.code}?lang=en").get_data(as_text=True)


@pytest.mark.parametrize("code", ["AAAAAAAAAAAAAAAAAAAA", "short", "x" * 300, "bad%20code%27--"])
def test_unknown_tampered_or_overlong_codes_are_a_friendly_404(client, issued, code):
    response = client.get(f"/v/{code}?lang=en")
    assert response.status_code == 404 and "Certificate not found" in response.get_data(as_text=True)
    logged = db.session.scalars(select(VerificationCheck)).all()  # counted too, as a check that found nothing
    assert [(c.certificate_id, c.found, c.channel) for c in logged] == [(None, False, "page")]


def test_every_check_is_logged_with_a_hashed_ip(client, issued):
    client.get(f"/v/{issued.code}", headers={"User-Agent": "Inspector/1.0"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    check = db.session.scalars(select(VerificationCheck).where(VerificationCheck.certificate_id == issued.id)).one()
    assert check.user_agent == "Inspector/1.0" and check.found and "10.1.2.3" not in check.ip_hash


def test_check_by_number_and_surname(client, issued):
    surname = issued.holder_name.split()[-1]
    ok = client.post("/verify?lang=en", data={"number": issued.number.lower(), "surname": surname.upper(),
                                              "csrf_token": _token(client)})
    assert ok.status_code == 200 and issued.holder_name in ok.get_data(as_text=True)
    wrong = client.post("/verify?lang=en", data={"number": issued.number, "surname": "Иванов",
                                                 "csrf_token": _token(client)})
    page = wrong.get_data(as_text=True)
    assert "No certificate with this number and surname." in page and issued.holder_name not in page


def _token(client):
    from tests.conftest import csrf_from

    return csrf_from(client, "/verify")


def test_verify_is_rate_limited_by_a_setting(app, client, issued, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_RATELIMIT_VERIFY", "2 per minute")
    codes = [client.get(f"/v/{issued.code}").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
