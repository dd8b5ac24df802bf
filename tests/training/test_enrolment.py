import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.training import courses, enrolment
from lms.training.models import Enrolment
from tests.conftest import post_form
from tests.training.conftest import trainee


def count(course) -> int:
    return db.session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.course_id == course.id))


def test_enrol_one_sends_a_link_and_is_idempotent(app, setup, make_course, outbox):
    course = make_course()
    with app.test_request_context():
        row, created = enrolment.enrol(course, trainee(1), actor=setup.manager)
        again, created_again = enrolment.enrol(course, trainee(1, full_name="Другое имя"), actor=setup.manager)
    assert created and not created_again and again.id == row.id and again.full_name == "Слушатель 1"
    [mail] = outbox("trainee1@example.kz")
    assert "/enrolment/" in mail.body_text


@pytest.mark.parametrize(("change", "field"), [({"iin": "123456789012"}, "iin"), ({"email": "x"}, "email"),
                                               ({"audience": "pilots"}, "audience"), ({"full_name": ""}, "full_name"),
                                               ({"employer_bin": "123"}, "employer_bin")])
def test_bad_rows_are_refused_with_the_field(app, setup, make_course, change, field):
    course = make_course()
    with app.test_request_context(), pytest.raises(ValidationFailed) as err:
        enrolment.enrol(course, trainee(1, **change), actor=setup.manager)
    assert field in err.value.errors
    assert count(course) == 0


def test_capacity(app, setup, make_course):
    course = make_course(capacity=1)
    with app.test_request_context():
        enrolment.enrol(course, trainee(1), actor=setup.manager)
        with pytest.raises(ValidationFailed):
            enrolment.enrol(course, trainee(2), actor=setup.manager)


def csv_bytes(rows, encoding="utf-8", delimiter=",", header=None):
    header = header or ["iin", "full_name", "email", "employer_name", "position", "audience"]
    lines = [delimiter.join(header)] + [delimiter.join(str(r.get(h, "")) for h in header) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(client, course, data, name="list.csv"):
    url = f"/courses/{course.id}"
    return post_form(client, f"{url}/upload?lang=en", {"file": (io.BytesIO(data), name)}, token_from=url,
                     content_type="multipart/form-data", follow_redirects=True)


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8", ","), ("utf-8-sig", ";"), ("cp1251", ";"),
                                                    ("cp1251", ","), ("utf-8", "\t")])
def test_csv_in_the_encodings_and_separators_used_here(client, login, setup, make_course, encoding, delimiter):
    course = make_course()
    login(setup.manager)
    rows = [trainee(1), trainee(2), trainee(3, iin="123")]
    page = upload(client, course, csv_bytes(rows, encoding, delimiter)).get_data(as_text=True)
    assert "Rows: 3. Enrolled: 2. Already enrolled: 0. Not enrolled: 1." in page
    assert "Слушатель 1" in {e.full_name for e in db.session.scalars(select(Enrolment))}
    assert "iin:" in page  # the bad row's reason is listed
    page = upload(client, course, csv_bytes(rows, encoding, delimiter)).get_data(as_text=True)
    assert "Enrolled: 0. Already enrolled: 2. Not enrolled: 1." in page  # the same file again changes nothing
    assert count(course) == 2


def test_xlsx(client, login, setup, make_course):
    course = make_course()
    login(setup.manager)
    book = Workbook()
    sheet = book.active
    sheet.append(["ИИН", "ФИО", "E-mail", "Должность", "Категория"])
    sheet.append([int(trainee(1)["iin"]), "Слушатель 1", "t1@example.kz", "Мастер", "managers"])
    sheet.append([trainee(2)["iin"], "Слушатель 2", "t2@example.kz", "Мастер", "managers"])
    data = io.BytesIO()
    book.save(data)
    page = upload(client, course, data.getvalue(), "list.xlsx").get_data(as_text=True)
    assert "Enrolled: 2" in page


def test_missing_columns_enrol_nothing(client, login, setup, make_course):
    course = make_course()
    login(setup.manager)
    page = upload(client, course, csv_bytes([trainee(1)], header=["iin", "full_name"])).get_data(as_text=True)
    assert "Columns missing: email, audience" in page
    assert count(course) == 0


def test_extra_columns_are_ignored_and_said(client, login, setup, make_course):
    course = make_course()
    login(setup.manager)
    header = ["iin", "full_name", "email", "audience", "shoe_size"]
    page = upload(client, course, csv_bytes([trainee(1)], header=header)).get_data(as_text=True)
    assert "Columns ignored: shoe_size" in page and "Enrolled: 1" in page


def test_100000_rows_get_a_clear_message(client, login, setup, make_course):
    course = make_course()
    login(setup.manager)
    data = b"iin,full_name,email,audience\n" + b"850702300001,X,x@example.kz,managers\n" * 100_000
    page = upload(client, course, data).get_data(as_text=True)
    assert "100000 rows" in page or "100,000 rows" in page
    assert count(course) == 0


def test_broken_files(client, login, setup, make_course):
    course = make_course()
    login(setup.manager)
    assert "not a readable XLSX" in upload(client, course, b"PK\x03\x04broken", "x.xlsx").get_data(as_text=True)
    assert "The file is empty." in upload(client, course, b"\n\n", "x.csv").get_data(as_text=True)


def _claim_link(outbox, email):
    return re.search(r"http://localhost(/enrolment/\S+)", outbox(email)[-1].body_text).group(1)


def test_new_trainee_creates_an_account_through_the_link(app, client, setup, make_course, outbox):
    course = make_course()
    with app.test_request_context():
        row, _created = enrolment.enrol(course, trainee(1), actor=setup.manager)
    db.session.commit()
    link = _claim_link(outbox, "trainee1@example.kz")
    response = post_form(client, link, {"password": "Trainee-Pass-42", "confirm": "Trainee-Pass-42"}, token_from=link)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "trainee1@example.kz"))
    assert user.iin == trainee(1)["iin"] and user.has_role("candidate")
    db.session.refresh(row)
    assert row.user_id == user.id
    assert f"/me/courses/{row.id}" in client.get("/me/").get_data(as_text=True)  # the course is on my page
    assert app.test_client().get(link).status_code == 400  # one-time


def test_existing_account_is_linked_only_after_its_owner_confirms(app, client, login, setup, make_course, make_user,
                                                                  outbox):
    course = make_course()
    owner = make_user("candidate", iin=trainee(1)["iin"], email="owner@example.kz")
    with app.test_request_context():
        row, _ = enrolment.enrol(course, trainee(1), actor=setup.manager)
    db.session.commit()
    link = _claim_link(outbox, "trainee1@example.kz")
    response = client.get(link)
    assert response.status_code == 302 and "/login" in response.headers["Location"]  # sign in first
    stranger = app.test_client()
    login(make_user("candidate"), target=stranger)
    assert stranger.get(link).status_code == 403
    post_form(stranger, link, {}, token_from="/")
    db.session.refresh(row)
    assert row.user_id is None
    login(owner)
    assert post_form(client, link, {}, token_from=link).status_code == 302
    db.session.refresh(row)
    assert row.user_id == owner.id and row.claim_nonce is None


def test_expired_or_tampered_link(app, client, setup, make_course, outbox):
    course = make_course()
    with app.test_request_context():
        enrolment.enrol(course, trainee(1), actor=setup.manager)
    db.session.commit()
    link = _claim_link(outbox, "trainee1@example.kz")
    assert client.get(link[:-4] + "abcd").status_code == 400
    app.config["LMS_CLAIM_TOKEN_MAX_AGE"] = -1
    try:
        assert "expired" in client.get(link + "?lang=en").get_data(as_text=True)
    finally:
        app.config["LMS_CLAIM_TOKEN_MAX_AGE"] = 45 * 24 * 3600


def test_single_enrolment_form_keeps_input_and_names_the_field(client, login, setup, make_course):
    course = make_course()
    login(setup.manager)
    url = f"/courses/{course.id}"
    response = post_form(client, f"{url}/enrol?lang=en", {**trainee(1), "iin": "123456789012"}, token_from=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="123456789012"' in page and 'value="trainee1@example.kz"' in page
    assert 'id="iin-error"' in page
    assert count(course) == 0


@pytest.mark.parametrize("data", [b"iin,full_name\n\x98\xff\xfe\n",                   # not UTF-8, nor Windows-1251
                                  b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x3e\x00",  # an old .xls
                                  "iin,full_name,email,audience\n".encode("utf-16"),
                                  b"iin,full_name,email,audience\n1," + b"x" * 200_000 + b",a@b.kz,managers\n"])
def test_files_that_are_not_csv_get_a_clear_message(client, login, setup, make_course, data):
    course = make_course()
    login(setup.manager)
    response = upload(client, course, data)
    assert response.status_code == 200
    assert "not a readable XLSX or CSV file" in response.get_data(as_text=True)
    assert count(course) == 0


def test_a_cancelled_course_takes_no_trainees(app, setup, make_course):
    course = make_course()
    courses.cancel(course, setup.manager)
    with app.test_request_context(), pytest.raises(ValidationFailed) as err:
        enrolment.enrol(course, trainee(1), actor=setup.manager)
    assert "status" in err.value.errors
    assert count(course) == 0
