"""Every role against every training page and action. 'own_manager' manages the course's organisation,
'course_lecturer' teaches the course, 'trainee' is the enrolled person's account; 'org_manager' and
'lecturer' belong to another organisation."""

import pytest
from sqlalchemy import func, select

from lms.accounts.roles import ROLES
from lms.extensions import db
from lms.training import apikeys, completion, enrolment
from lms.training.models import ApiKey
from tests.conftest import LOGIN, assert_access, post_form
from tests.training.conftest import trainee

PERSONAS = [*ROLES, "own_manager", "course_lecturer", "trainee", "anonymous"]


@pytest.fixture
def world(app, setup, make_course, make_user, role_users):
    course = make_course()
    user = make_user("candidate", iin=trainee(1)["iin"], email="trainee.one@example.kz")
    with app.test_request_context():
        row, _ = enrolment.enrol(course, trainee(1), actor=setup.manager)
        other_row, _ = enrolment.enrol(course, trainee(2), actor=setup.manager)
    enrolment.link_to(row, user, user)
    completion.record_attendance(other_row, {t.position for t in course.version.topics}, setup.manager)
    record = completion.complete(other_row, setup.manager)
    key, _raw = apikeys.create(setup.organisation, "1C", setup.manager)
    people = {**role_users(), "own_manager": setup.manager, "course_lecturer": setup.lecturer_user,
              "trainee": user, "centre_admin": setup.admin}
    db.session.commit()
    return {"people": people, "course": course, "row": row, "org": setup.organisation, "record": record, "key": key}


def _url(template, world):
    return template.format(org=world["org"].id, course=world["course"].id, row=world["row"].id,
                           record=world["record"].id, key=world["key"].id)


PAGES = [
    ("/org/{org}/courses", {"own_manager": 200, "anonymous": LOGIN}, 404),
    ("/org/{org}/courses/new", {"own_manager": 200, "anonymous": LOGIN}, 404),
    ("/org/{org}/api-keys", {"own_manager": 200, "anonymous": LOGIN}, 404),
    ("/courses/{course}", {"own_manager": 200, "course_lecturer": 200, "anonymous": LOGIN}, 404),
    ("/lecturer/courses", {"course_lecturer": 200, "lecturer": 200, "anonymous": LOGIN}, 403),
    ("/me/", {"anonymous": LOGIN}, 200),
    ("/me/courses/{row}", {"trainee": 200, "anonymous": LOGIN}, 404),
    ("/me/courses/{row}/topics/1", {"trainee": 200, "anonymous": LOGIN}, 404),
    ("/centre/courses", {"centre_admin": 200, "anonymous": LOGIN}, 403),
    ("/centre/courses/{course}", {"centre_admin": 200, "anonymous": LOGIN}, 403),
    ("/centre/training-records", {"centre_admin": 200, "anonymous": LOGIN}, 403),
    ("/centre/training-records/{record}", {"centre_admin": 200, "anonymous": LOGIN}, 403),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("page", "expected", "default"), PAGES, ids=[p[0] for p in PAGES])
def test_pages(client, login, world, persona, page, expected, default):
    if persona != "anonymous":
        login(world["people"][persona])
    response = client.get(_url(page, world))
    assert_access(response, expected.get(persona, default))


ACTIONS = [
    ("/courses/{course}/enrol", {"iin": "x"}, {"own_manager"}),
    ("/courses/{course}/cancel", {}, {"own_manager"}),
    ("/courses/{course}/enrolments/{row}/attendance", {"topics": ["1"]}, {"own_manager", "course_lecturer"}),
    ("/courses/{course}/enrolments/{row}/complete", {}, {"own_manager", "course_lecturer"}),
    ("/centre/training-records/{record}", {"reason": "x"}, {"centre_admin"}),
    ("/org/{org}/api-keys", {"name": "x"}, {"own_manager"}),
    ("/org/{org}/api-keys/{key}/revoke", {}, {"own_manager"}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("action", "data", "allowed"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_actions(client, login, world, persona, action, data, allowed):
    if persona != "anonymous":
        login(world["people"][persona])
    response = post_form(client, _url(action, world), data)
    if persona == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif persona in allowed:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code in (403, 404)
        db.session.refresh(world["course"])
        db.session.refresh(world["row"])
        db.session.refresh(world["record"])
        db.session.refresh(world["key"])
        assert world["course"].status == "scheduled"
        assert world["row"].attended() == set()
        assert world["record"].status == "valid"
        assert world["key"].revoked_at is None
        assert db.session.scalar(select(func.count()).select_from(ApiKey)) == 1
