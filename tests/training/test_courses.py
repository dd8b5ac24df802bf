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


@pytest.mark.parametrize("hours", ["²", "4O", "-40"])
def test_hours_that_are_not_a_whole_number_are_a_message_on_the_field(client, login, setup, hours):
    login(setup.manager)
    url = f"/org/{setup.organisation.id}/courses/new"
    response = post_form(client, url + "?lang=en", {
        "curriculum": "KZ-OSH-MGR", "format": "in_person", "place": "Караганда", "starts_on": today().isoformat(),
        "ends_on": (today() + timedelta(days=3)).isoformat(), "hours": hours, "capacity": "20",
        "lecturers": [str(setup.lecturer.id)]}, token_from=url)
    assert response.status_code == 200
    assert "Enter a whole number." in response.get_data(as_text=True)


def test_a_lecturer_not_offered_on_the_form_is_not_taken(client, login, setup, make_application):
    other_org = make_application("approved").organisation
    stranger = lecturers.link_by_iin(other_org, make_iin(date(1972, 2, 2), "M", 5151), {"full_name": "Чужой"},
                                     setup.admin)
    login(setup.manager)
    url = f"/org/{setup.organisation.id}/courses/new"
    response = post_form(client, url + "?lang=en", {
        "curriculum": "KZ-OSH-MGR", "format": "in_person", "place": "Караганда", "starts_on": today().isoformat(),
        "ends_on": (today() + timedelta(days=3)).isoformat(), "hours": "40", "capacity": "20",
        "lecturers": [str(stranger.id), "99999999999999999999999"]}, token_from=url)
    assert response.status_code == 200
    assert "Choose at least one lecturer." in response.get_data(as_text=True)


def test_a_course_with_completed_trainees_cannot_be_cancelled(app, setup, make_course):
    from lms.training import completion, enrolment
    from tests.training.conftest import trainee

    course = make_course()
    with app.test_request_context():
        row, _ = enrolment.enrol(course, trainee(1), actor=setup.manager)
    completion.record_attendance(row, {t.position for t in course.version.topics}, setup.manager)
    completion.complete(row, setup.manager)
    with pytest.raises(ValidationFailed):
        courses.cancel(course, setup.manager)
    assert course.status == "scheduled"


def test_the_centre_finds_courses_by_either_name_and_records_by_iin(app, client, login, setup, make_course):
    from lms.training import completion, enrolment
    from tests.training.conftest import trainee

    course = make_course()
    with app.test_request_context():
        row, _ = enrolment.enrol(course, trainee(1), actor=setup.manager)
    completion.record_attendance(row, {t.position for t in course.version.topics}, setup.manager)
    record = completion.complete(row, setup.manager)
    db.session.commit()
    login(setup.admin)

    def found(url, q):
        return client.get(url, query_string={"q": q}).get_data(as_text=True)

    for q in (setup.organisation.name_state, setup.organisation.name_ru, setup.organisation.registry_number):
        assert f"/centre/courses/{course.id}" in found("/centre/courses", q), q
    assert f"/centre/courses/{course.id}" not in found("/centre/courses", "nothing-like-it")
    assert f"/centre/training-records/{record.id}" in found("/centre/training-records", trainee(1)["iin"])
    assert f"/centre/training-records/{record.id}" not in found("/centre/training-records", "000000000000")
