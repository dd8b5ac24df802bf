from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from lms.domain import ValidationFailed
from lms.extensions import db
from lms.identifiers import make_iin
from lms.lecturers import services as lecturers
from lms.organisations import registry
from lms.training import courses
from lms.training.courses import today
from tests.conftest import post_form


def test_schedule_a_course_on_the_current_curriculum_version(make_course, setup):
    course = make_course()
    assert course.curriculum.code == "KZ-OSH-MGR"
    assert course.version.version == course.curriculum.current.version
    assert course.lecturer_names() == ["Лектор Один"]


@pytest.mark.parametrize(("change", "field"), [
    ({"curriculum_code": "KZ-OSH-MINING"}, "curriculum"),      # not approved for this organisation
    ({"curriculum_code": "NO-SUCH-CODE"}, "curriculum"),
    ({"hours": 39}, "hours"),                                  # below the curriculum minimum (40)
    ({"starts_on": -1}, "starts_on"),                          # days from today: in the past
    ({"ends_on": -1}, "ends_on"),
    ({"capacity": 0}, "capacity"),
    ({"lecturer_ids": []}, "lecturers"),
    ({"place": " "}, "place"),
    ({"format": "hybrid"}, "format"),
])
def test_scheduling_rules(setup, make_course, change, field):
    change = {k: today() + timedelta(days=v) if k.endswith("_on") else v for k, v in change.items()}
    with pytest.raises(ValidationFailed) as err:
        make_course(**change)
    assert field in err.value.errors


def test_lecturer_must_cover_the_curriculum_and_the_dates(setup, make_course):
    other = lecturers.link_by_iin(setup.organisation, make_iin(date(1971, 1, 1), "M", 4141), {"full_name": "Другой"},
                                  setup.admin)
    lecturers.certify(other, "L-T-2", ["KZ-FIRST-AID"], today() + timedelta(days=3), setup.admin)
    with pytest.raises(ValidationFailed) as err:
        make_course(lecturer_ids=[other.id])
    with force_locale("en"):
        assert "not certified for this curriculum" in str(err.value.errors["lecturers"][0])
    with pytest.raises(ValidationFailed) as err:
        make_course(code="KZ-FIRST-AID", lecturer_ids=[other.id])
    with force_locale("en"):
        assert "ends before the course does" in str(err.value.errors["lecturers"][0])


@pytest.mark.parametrize("state", ["suspended", "revoked"])
def test_a_suspended_or_revoked_organisation_cannot_schedule(setup, make_course, state):
    if state == "suspended":
        registry.suspend(setup.organisation, "Проверка", today(), None, setup.admin)
    else:
        registry.revoke(setup.organisation, "Нарушения", True, setup.admin)
    with pytest.raises(ValidationFailed) as err:
        make_course()
    assert "status" in err.value.errors
    assert not courses.organisation_may_train(setup.organisation)


def test_schedule_form_shows_errors_on_fields_and_keeps_input(client, login, setup):
    login(setup.manager)
    url = f"/org/{setup.organisation.id}/courses/new"
    response = post_form(client, url + "?lang=en", {
        "curriculum": "KZ-OSH-MGR", "format": "in_person", "place": "Караганда", "starts_on": today().isoformat(),
        "ends_on": (today() + timedelta(days=3)).isoformat(), "hours": "12", "capacity": "20",
        "lecturers": [str(setup.lecturer.id)]}, token_from=url)
    page = response.get_data(as_text=True)
    assert "at least 40 hours" in page
    assert 'value="Караганда"' in page and 'value="12"' in page


def test_schedule_through_the_page(client, login, setup):
    login(setup.manager)
    url = f"/org/{setup.organisation.id}/courses/new"
    response = post_form(client, url, {
        "curriculum": "KZ-FIRST-AID", "format": "distance", "place": "https://learn.example.kz",
        "starts_on": today().isoformat(), "ends_on": (today() + timedelta(days=30)).isoformat(),
        "hours": "16", "capacity": "200", "lecturers": [str(setup.lecturer.id)]}, token_from=url)
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200


def test_cancel_a_course(client, login, setup, make_course):
    course = make_course()
    login(setup.manager)
    post_form(client, f"/courses/{course.id}/cancel")
    db.session.refresh(course)
    assert course.status == "cancelled"
