import re

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.training import apikeys
from lms.training.models import ApiKey, Enrolment, TrainingRecord
from tests.conftest import post_form
from tests.training.conftest import trainee


@pytest.fixture
def key(setup):
    _row, raw = apikeys.create(setup.organisation, "1C:Training", setup.manager)
    db.session.commit()
    return raw


def call(client, url, items, raw=None, header="Authorization"):
    headers = {}
    if raw:
        headers[header] = f"Bearer {raw}" if header == "Authorization" else raw
    return client.post(url, json={"items": items}, headers=headers)


def test_keys_are_stored_hashed_and_shown_once(client, login, setup):
    login(setup.manager)
    url = f"/org/{setup.organisation.id}/api-keys"
    page = post_form(client, url, {"name": "Учёт"}, token_from=url).get_data(as_text=True)
    row = db.session.scalars(select(ApiKey)).one()
    raw = re.search(r'<code class="key">(lms_[^<]+)</code>', page).group(1)
    assert raw.startswith(f"lms_{row.prefix}_") and raw not in (row.key_hash, row.prefix)
    assert raw not in client.get(url).get_data(as_text=True)  # never shown again


def test_enrolments_are_idempotent_with_a_result_per_item(client, setup, make_course, key, outbox):
    course = make_course()
    items = [trainee(1), trainee(2), trainee(3, iin="123")]
    data = call(client, f"/api/v1/courses/{course.id}/enrolments", items, key).get_json()
    assert [i["result"] for i in data["items"]] == ["enrolled", "enrolled", "error"]
    assert "iin" in data["items"][2]["errors"]
    data = call(client, f"/api/v1/courses/{course.id}/enrolments", items[:2], key, header="X-API-Key").get_json()
    assert [i["result"] for i in data["items"]] == ["exists", "exists"]
    assert db.session.scalar(select(db.func.count()).select_from(Enrolment)) == 2
    assert outbox("trainee1@example.kz")


def test_completions(client, setup, make_course, key):
    course = make_course()
    call(client, f"/api/v1/courses/{course.id}/enrolments", [trainee(1), trainee(2)], key)
    data = call(client, f"/api/v1/courses/{course.id}/completions",
                [{"iin": trainee(1)["iin"], "attended_topics": "all"}, {"iin": trainee(2)["iin"],
                 "attended_topics": [1, 2]}, {"iin": "000000000000"}], key).get_json()
    assert [i["result"] for i in data["items"]] == ["completed", "error", "error"]
    assert "Attendance is missing" in data["items"][1]["errors"]["status"][0]
    again = call(client, f"/api/v1/courses/{course.id}/completions", [{"iin": trainee(1)["iin"]}], key).get_json()
    assert again["items"][0]["result"] == "exists"
    assert db.session.scalar(select(db.func.count()).select_from(TrainingRecord)) == 1


def test_authentication(client, setup, make_course, key, make_application):
    course = make_course()
    url = f"/api/v1/courses/{course.id}/enrolments"
    assert call(client, url, [trainee(1)]).status_code == 401
    assert call(client, url, [trainee(1)], "lms_nope_nope").status_code == 401
    other = make_application("approved").organisation
    _row, other_key = apikeys.create(other, "x", setup.admin)
    db.session.commit()
    response = call(client, url, [trainee(1)], other_key)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    row = db.session.scalars(select(ApiKey).where(ApiKey.organisation_id == setup.organisation.id)).one()
    apikeys.revoke(row, setup.manager)
    db.session.commit()
    assert call(client, url, [trainee(1)], key).status_code == 401


def test_a_session_cookie_does_not_authenticate_the_api(client, login, setup, make_course):
    course = make_course()
    login(setup.manager)
    assert call(client, f"/api/v1/courses/{course.id}/enrolments", [trainee(1)]).status_code == 401


def test_bad_bodies(app, client, setup, make_course, key, monkeypatch):
    course = make_course()
    url = f"/api/v1/courses/{course.id}/enrolments"
    response = client.post(url, data="not json", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    monkeypatch.setitem(app.config, "LMS_API_BATCH_MAX", 2)
    assert call(client, url, [trainee(1), trainee(2), trainee(3)], key).status_code == 413


def test_an_unknown_locale_falls_back_instead_of_failing(client, setup, make_course, key, outbox):
    course = make_course()
    items = [trainee(1, locale="xx"), trainee(2, locale="../x"), trainee(3, locale="kk")]
    response = call(client, f"/api/v1/courses/{course.id}/enrolments", items, key)
    assert response.status_code == 200
    assert [i["result"] for i in response.get_json()["items"]] == ["enrolled"] * 3
    assert [outbox(f"trainee{n}@example.kz")[0].locale for n in (1, 2, 3)] == ["ru", "ru", "kk"]


@pytest.mark.parametrize("attended", [["²"], [1, "x"], [True], [1.5], 7, None, {"1": 1}, "1,2"])
def test_attended_topics_of_the_wrong_shape_are_an_error_of_the_item(client, setup, make_course, key, attended):
    course = make_course()
    call(client, f"/api/v1/courses/{course.id}/enrolments", [trainee(1)], key)
    response = call(client, f"/api/v1/courses/{course.id}/completions",
                    [{"iin": trainee(1)["iin"], "attended_topics": attended}], key)
    assert response.status_code == 200
    [item] = response.get_json()["items"]
    assert item["result"] == "error" and "attended_topics" in item["errors"]
    assert db.session.scalar(select(db.func.count()).select_from(TrainingRecord)) == 0


def test_topic_numbers_may_be_strings_and_the_iin_may_have_spaces(client, setup, make_course, key):
    course = make_course()
    call(client, f"/api/v1/courses/{course.id}/enrolments", [trainee(1)], key)
    iin = trainee(1)["iin"]
    topics = [str(t.position) for t in course.version.topics]
    data = call(client, f"/api/v1/courses/{course.id}/completions",
                [{"iin": f"{iin[:6]} {iin[6:]}", "attended_topics": topics}], key).get_json()
    assert data["items"][0]["result"] == "completed"


def test_completions_cost_a_fixed_number_of_queries_per_item(client, setup, make_course, key, count_queries):
    course = make_course()
    call(client, f"/api/v1/courses/{course.id}/enrolments", [trainee(n) for n in range(1, 11)], key)

    def complete(numbers):
        items = [{"iin": trainee(n)["iin"], "attended_topics": "all"} for n in numbers]
        with count_queries() as counted:
            data = call(client, f"/api/v1/courses/{course.id}/completions", items, key).get_json()
        assert {i["result"] for i in data["items"]} == {"completed"}
        return counted.n

    one, five = complete([1]), complete(range(2, 7))
    assert five - one <= 4 * 6  # inserts (attendance, record, audit) and the enrolment's update, no lookups


def test_the_manager_revokes_a_key_through_the_page(client, login, setup, make_course, key):
    course = make_course()
    row = db.session.scalars(select(ApiKey)).one()
    login(setup.manager)
    url = f"/org/{setup.organisation.id}/api-keys"
    assert post_form(client, f"{url}/{row.id}/revoke", token_from=url).status_code == 302
    assert call(client, f"/api/v1/courses/{course.id}/enrolments", [trainee(1)], key).status_code == 401
