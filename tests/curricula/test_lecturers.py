"""lms/lecturers: the lecturer's own page and the Centre's invitation (the rest is in tests/registry)."""

from datetime import date, timedelta

import pytest

from lms.domain import ValidationFailed
from lms.extensions import db
from lms.identifiers import make_iin
from lms.lecturers import services as lecturers
from tests.conftest import post_form


@pytest.fixture
def admin(make_user):
    return make_user("centre_admin")


def test_an_account_that_is_another_lecturers_is_refused(app, admin):
    first = lecturers.create(make_iin(date(1970, 1, 1), "M", 11), {"full_name": "Первый"}, admin)
    second = lecturers.create(make_iin(date(1970, 1, 2), "M", 12), {"full_name": "Второй"}, admin)
    with app.test_request_context():
        lecturers.invite(first, "shared@example.kz", "ru", admin)
        with pytest.raises(ValidationFailed) as refused:
            lecturers.invite(second, "shared@example.kz", "ru", admin)
    assert "email" in refused.value.errors
    assert second.user_id is None


def test_the_centre_sees_the_refusal_on_the_email_field(app, client, login, admin):
    first = lecturers.create(make_iin(date(1970, 1, 3), "M", 13), {"full_name": "Первый"}, admin)
    second = lecturers.create(make_iin(date(1970, 1, 4), "M", 14), {"full_name": "Второй"}, admin)
    with app.test_request_context():
        lecturers.invite(first, "taken@example.kz", "ru", admin)
    db.session.commit()
    login(admin)
    url = f"/centre/lecturers/{second.id}"
    response = post_form(client, url + "?lang=en", {"action": "invite", "email": "taken@example.kz"},
                         token_from=url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This account already belongs to another lecturer." in page and 'value="taken@example.kz"' in page


def test_a_lecturer_sees_the_certification_and_where_they_teach(app, client, login, make_user, make_application,
                                                                 admin):
    org = make_application("approved", admin=admin).organisation
    person = lecturers.link_by_iin(org, make_iin(date(1968, 8, 8), "F", 31), {"full_name": "Айгерим Лектор"}, admin)
    lecturers.certify(person, "L-HOME-1", ["KZ-OSH-MGR", "KZ-FIRST-AID"], date.today() + timedelta(days=200), admin)
    user = make_user(email="aigerim.lector@example.kz")
    with app.test_request_context():
        lecturers.invite(person, user.email, "ru", admin)
    db.session.commit()
    login(user)
    page = client.get("/lecturer/?lang=en").get_data(as_text=True)
    assert "L-HOME-1" in page and "KZ-FIRST-AID, KZ-OSH-MGR" in page
    assert org.name("en") in page
    assert 'href="/lecturer/courses"' in page


def test_an_account_without_a_registry_entry_is_told_so(client, login, make_user, make_organisation):
    login(make_user("lecturer", organisation=make_organisation()))
    page = client.get("/lecturer/?lang=en").get_data(as_text=True)
    assert "not linked to a lecturer" in page


def test_a_lecturer_is_certified_only_for_active_curricula(admin):
    from lms.curricula import services as curricula

    draft = curricula.create({**curricula.document(curricula.get_by_code("KZ-FIRST-AID")), "code": "DRAFT-AID",
                              "status": "draft"}, actor=admin)
    person = lecturers.create(make_iin(date(1970, 1, 5), "M", 15), {"full_name": "Лектор"}, admin)
    with pytest.raises(ValidationFailed) as refused:
        lecturers.certify(person, "L-DRAFT-1", ["KZ-OSH-MGR", draft.code], date.today() + timedelta(days=30), admin)
    assert "curricula" in refused.value.errors and person.status == "uncertified"
