"""The Centre's and the examiner's pages: editing a question and a test, opening a sitting, the running list."""

import random

import pytest
from sqlalchemy import select

from lms.assessments import attempts
from lms.assessments.models import Question, Sitting
from lms.extensions import db
from tests.conftest import post_form


def test_a_question_edited_in_the_page_becomes_a_new_version(client, login, make_user, exam):
    login(make_user("centre_admin"))
    row = db.session.scalars(select(Question).where(Question.external_id.like("KZ-FIRST-AID-9%"))
                             .order_by(Question.external_id)).first()
    version = row.current
    url = f"/centre/questions/{row.id}"
    data = {"text_ru": "Новый текст вопроса?", "text_kk": version.text["kk"],
            "explanation_ru": version.explanation["ru"], "explanation_kk": version.explanation["kk"]}
    for option in version.options:
        for lang in ("ru", "kk"):
            data[f"option_{option['id']}_{lang}"] = option["text"][lang]
        if option.get("correct"):
            data[f"correct_{option['id']}"] = "y"
    assert post_form(client, url, data, token_from=url).status_code == 302
    db.session.refresh(row)
    assert (row.current.version, row.current.origin, row.current.text["ru"]) == (2, "ui", "Новый текст вопроса?")
    assert row.current.key() == version.key()
    for key in [k for k in data if k.startswith("correct_")]:  # no correct option left: refused, nothing saved
        del data[key]
    response = post_form(client, url + "?lang=en", data, token_from=url)
    assert response.status_code == 200 and "no correct option" in response.get_data(as_text=True)
    db.session.refresh(row)
    assert row.current.version == 2


@pytest.mark.parametrize("blueprint", ["1:²", "x", "99:1", "1:500"])
def test_a_bad_test_definition_is_refused_on_the_form(client, login, make_user, exam, blueprint):
    login(make_user("centre_admin"))
    url = f"/centre/tests/{exam.test.id}"
    before = dict(exam.test.blueprint)
    data = {"blueprint": blueprint, "time_limit_minutes": "40", "pass_mark_percent": "²", "attempts_allowed": "3",
            "wait_hours": "24", "languages": "kk, ru"}
    response = post_form(client, url, data, token_from=url)
    assert response.status_code == 200
    db.session.refresh(exam.test)
    assert exam.test.blueprint == before and exam.test.time_limit_minutes == 30


def test_the_test_definition_is_saved(client, login, make_user, exam):
    login(make_user("centre_admin"))
    url = f"/centre/tests/{exam.test.id}"
    data = {"blueprint": "1:2, 2:2, 3:1", "time_limit_minutes": "40", "pass_mark_percent": "70",
            "attempts_allowed": "2", "wait_hours": "0", "languages": "kk, ru", "proctored": "y"}
    assert post_form(client, url, data, token_from=url).status_code == 302
    db.session.refresh(exam.test)
    assert exam.test.blueprint == {"1": 2, "2": 2, "3": 1} and exam.test.size == 5
    assert (exam.test.time_limit_minutes, exam.test.pass_mark_percent, exam.test.proctored) == (40, 70, True)


@pytest.mark.parametrize("test_choice", ["²", "9" * 5000, ""])
def test_an_unknown_test_in_the_sitting_form_is_a_form_error(client, login, make_user, exam, test_choice):
    login(make_user("examiner"))
    data = {"test": test_choice, "place": "Астана", "opens_at": "2026-05-01T09:00", "closes_at": "2026-05-01T12:00"}
    response = post_form(client, "/examiner/", data, token_from="/examiner/")
    assert response.status_code == 200
    assert db.session.scalar(select(db.func.count()).select_from(Sitting)) == 0


def test_the_examiner_opens_a_sitting_and_sees_who_is_taking_a_test(client, login, make_user, exam):
    exam.candidate.full_name = "Ерлан Сынақов"
    attempts.start(exam.candidate, exam.test, "kk", "device", rng=random.Random(1))
    db.session.commit()
    login(make_user("examiner"))
    data = {"test": str(exam.test.id), "place": "Астана, ауд. 5", "opens_at": "2026-05-01T09:00",
            "closes_at": "2026-05-01T12:00"}
    assert post_form(client, "/examiner/", data, token_from="/examiner/").status_code == 302
    sitting = db.session.scalars(select(Sitting)).one()
    assert sitting.test_id == exam.test.id and len(sitting.access_code) == 6
    page = client.get("/examiner/").get_data(as_text=True)
    assert sitting.access_code in page and "Ерлан Сынақов" in page
