"""Training organisations never see the Centre's banks, tests or attempts; every role against every page."""

import pytest

from lms.accounts.roles import ROLES
from lms.assessments import attempts
from lms.assessments.models import Question
from lms.extensions import db
from tests.conftest import LOGIN, assert_access, post_form

PERSONAS = [*ROLES, "course_manager", "course_lecturer", "candidate_self", "anonymous"]


@pytest.fixture
def world(exam, role_users):
    attempt = attempts.start(exam.candidate, exam.test, "kk", "device")
    question = db.session.scalars(db.select(Question).where(Question.status == "active")).first()
    people = {"course_manager": exam.setup.manager, "course_lecturer": exam.setup.lecturer_user,
              "candidate_self": exam.candidate, **role_users()}
    return {"people": people, "attempt": attempt, "test": exam.test, "question": question,
            "org": exam.setup.organisation}


CENTRE = {"centre_admin": 200, "anonymous": LOGIN}
PAGES = [
    ("/centre/banks", CENTRE, 403),
    ("/centre/banks/KZ-FIRST-AID", CENTRE, 403),
    ("/centre/questions/{question}", CENTRE, 403),
    ("/centre/tests/{test}", CENTRE, 403),
    ("/centre/item-analysis/{test}", CENTRE, 403),
    ("/centre/quality", CENTRE, 403),
    ("/examiner/", {"centre_admin": 200, "examiner": 200, "anonymous": LOGIN}, 403),
    ("/org/{org}/quality", {"course_manager": 200, "anonymous": LOGIN}, 404),
    ("/attempts/{attempt}/q/1", {"candidate_self": 200, "anonymous": LOGIN}, 404),
    ("/attempts/{attempt}/summary", {"candidate_self": 200, "anonymous": LOGIN}, 404),
    ("/tests/", {"anonymous": LOGIN}, 200),
]


def _url(template, world):
    return template.format(attempt=world["attempt"].id, test=world["test"].id, question=world["question"].id,
                           org=world["org"].id)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("page", "expected", "default"), PAGES, ids=[p[0] for p in PAGES])
def test_pages(app, login, world, persona, page, expected, default):
    client = app.test_client()
    if persona != "anonymous":
        login(world["people"][persona], target=client)
    if persona == "candidate_self":
        client.set_cookie("lms_device", "device")
    response = client.get(_url(page, world))
    assert_access(response, expected.get(persona, default))


ACTIONS = [
    ("/centre/tests/{test}", {"time_limit_minutes": "1"}, {"centre_admin"}),
    ("/centre/questions/{question}/status", {"status": "retired"}, {"centre_admin"}),
    ("/examiner/attempts/{attempt}/annul", {"reason": "x"}, {"centre_admin", "examiner"}),
    ("/attempts/{attempt}/finish", {}, {"candidate_self"}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("action", "data", "allowed"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_actions(app, login, world, persona, action, data, allowed):
    client = app.test_client()
    if persona != "anonymous":
        login(world["people"][persona], target=client)
    if persona == "candidate_self":
        client.set_cookie("lms_device", "device")
    response = post_form(client, _url(action, world), data)
    if persona == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif persona in allowed:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code in (403, 404)
        db.session.refresh(world["attempt"])
        db.session.refresh(world["question"])
        assert world["attempt"].status == "in_progress"
        assert world["question"].status == "active"
