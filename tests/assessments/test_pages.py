"""The test as the candidate's browser sees it: pages, saving, the key never in the page, devices."""

import re

import pytest
from sqlalchemy import select

from lms.assessments.models import Attempt, AttemptEvent
from lms.extensions import db
from tests.conftest import csrf_from, post_form


@pytest.fixture
def taking(client, login, exam):
    login(exam.candidate)
    page = client.get("/tests/?lang=en").get_data(as_text=True)
    assert "Start the test" in page
    prefix = f"t{exam.test.id}"
    response = client.post(f"/tests/{exam.test.id}/start", data={f"{prefix}-language": "ru",
                                                                 f"{prefix}-csrf_token": csrf_from(client, "/tests/")})
    assert response.status_code == 302
    attempt = db.session.scalars(select(Attempt)).one()
    return attempt


def test_question_page_never_carries_the_key(client, taking):
    attempt = taking
    with client.get("/static/attempt.js") as response:
        assert "correct" not in response.get_data(as_text=True)
    for item in attempt.items:
        page = client.get(f"/attempts/{attempt.id}/q/{item.position}?lang=en").get_data(as_text=True)
        order = re.findall(r'name="option" value="(\w)"', page)
        assert order == item.option_order
        # nothing in the page tells a correct option from a wrong one: every option input is the same tag
        inputs = {re.sub(r'value="\w"', "", tag) for tag in re.findall(r"<input[^>]*name=\"option\"[^>]*>", page)}
        assert len(inputs) == 1, inputs
        assert "correct" not in page.replace("Choose all correct answers.", "").lower()
        assert not any(text in page for text in item.version.explanation.values())


def test_answer_by_plain_post_then_summary_and_result(client, taking):
    attempt = taking
    for item in attempt.items:
        key = sorted(item.version.key())
        url = f"/attempts/{attempt.id}/q/{item.position}"
        response = post_form(client, url, {"option": key, "go": "next"}, token_from=url)
        assert response.status_code == 302
    page = client.get(f"/attempts/{attempt.id}/summary?lang=en").get_data(as_text=True)
    assert "Answered: 20 of 20" in page
    token = csrf_from(client, f"/attempts/{attempt.id}/summary")
    for _ in range(2):  # a double submit does no harm
        response = client.post(f"/attempts/{attempt.id}/finish", data={"csrf_token": token})
        assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    result = client.get(f"/attempts/{attempt.id}/result?lang=en").get_data(as_text=True)
    assert "Passed" in result and "20 / 20" in result
    db.session.refresh(attempt)
    assert attempt.passed is True


def test_the_navigator_saves_the_answer_before_it_goes(client, taking):
    """On a question page the navigator's numbers are buttons of the answer form: jumping to another question
    without the page's script saves the answer given here first (a link would have dropped it)."""
    attempt = taking
    url = f"/attempts/{attempt.id}/q/2"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    buttons = re.findall(r'<button type="submit" form="answer-form" name="go" value="(\d+)"', page)
    assert buttons == [str(i.position) for i in attempt.items]
    # the form's default button (Enter on an option) comes before them all and goes on to the next question
    assert re.search(r'<button type="submit" form="answer-form" name="go" value="(\w+)"', page).group(1) == "next"
    assert f'href="/attempts/{attempt.id}/q/' not in page  # no navigator link leaves the form unsent
    item = next(i for i in attempt.items if i.position == 2)
    chosen = item.option_order[:1]
    response = post_form(client, url, {"option": chosen, "go": "7"}, token_from=url)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/attempts/{attempt.id}/q/7")
    db.session.refresh(item)
    assert sorted(item.chosen()) == chosen
    beyond = post_form(client, url, {"option": chosen, "go": "99"}, token_from=url)
    assert beyond.headers["Location"].endswith(url)  # no such question: the candidate stays here
    summary = client.get(f"/attempts/{attempt.id}/summary?lang=en").get_data(as_text=True)
    assert f'href="/attempts/{attempt.id}/q/7"' in summary  # nothing to save there: links


def test_autosave_answers_json(client, taking):
    attempt = taking
    item = attempt.items[0]
    url = f"/attempts/{attempt.id}/q/1"
    token = csrf_from(client, url)
    response = client.post(url, data={"option": item.option_order[0], "csrf_token": token},
                           headers={"X-Requested-With": "fetch"})
    assert response.get_json() == {"saved": True}
    stale = client.post(url, data={"option": item.option_order[1], "csrf_token": "stale"},
                        headers={"X-Requested-With": "fetch"})
    assert stale.status_code == 400 and stale.get_json()["reason"] == "stale"
    db.session.refresh(item)
    assert item.chosen() == {item.option_order[0]}


def test_stale_form_keeps_the_attempt(client, taking):
    attempt = taking
    response = client.post(f"/attempts/{attempt.id}/q/2?lang=en", data={"option": "a", "csrf_token": "old"})
    assert response.status_code == 400 and "not saved" in response.get_data(as_text=True)
    assert client.get(f"/attempts/{attempt.id}/q/2").status_code == 200


def test_someone_elses_attempt_is_404_and_logged(app, login, make_user, taking):
    other = app.test_client()
    login(make_user("candidate"), target=other)
    assert other.get(f"/attempts/{taking.id}/q/1").status_code == 404
    assert post_form(other, f"/attempts/{taking.id}/q/1", {"option": "a"}).status_code == 404
    assert db.session.scalar(select(AttemptEvent).where(AttemptEvent.kind == "foreign_access"))


def test_same_person_another_browser_is_recorded(app, login, exam, taking):
    other = app.test_client()
    login(exam.candidate, target=other)
    assert other.get(f"/attempts/{taking.id}/q/1").status_code == 200
    assert db.session.scalar(select(AttemptEvent).where(AttemptEvent.kind == "device_change"))


def test_proctored_other_device_is_refused(app, login, exam, taking):
    exam.test.proctored = True
    db.session.commit()
    other = app.test_client()
    login(exam.candidate, target=other)
    assert other.get(f"/attempts/{taking.id}/q/1").status_code == 403


def test_after_the_deadline_pages_lead_to_the_result(client, taking, frozen_clock):
    from datetime import timedelta

    frozen_clock(taking.deadline_at + timedelta(minutes=1))
    response = client.get(f"/attempts/{taking.id}/q/1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    url = f"/attempts/{taking.id}/result"
    response = client.post(f"/attempts/{taking.id}/q/1", data={"option": "a", "csrf_token": csrf_from(client, url)},
                           headers={"X-Requested-With": "fetch"})
    assert response.status_code == 409 and response.get_json()["finished"] is True


def test_organisations_see_only_pass_or_fail(app, login, exam, taking):
    from lms.assessments import attempts

    attempts.finish(taking)
    db.session.commit()
    client = app.test_client()
    login(exam.setup.manager, target=client)
    page = client.get(f"/courses/{exam.course.id}?lang=en").get_data(as_text=True)
    assert "Not passed" in page
    assert f"{taking.score} / {taking.max_score}" not in page and "%" not in page.split("Centre's test")[1][:400]


@pytest.mark.parametrize("page", ["q/5", "summary"])
def test_a_page_loads_no_other_questions_text(client, taking, page):
    """The navigator needs positions, answers and flags: a question page loads its own question's text and
    options only, the summary none (an attempt has 20, each in two languages)."""
    from sqlalchemy import event

    from lms.assessments.models import QuestionVersion

    loaded = []
    listener = lambda target, context: loaded.append(target.id)  # noqa: E731
    db.session.expire_all()
    event.listen(QuestionVersion, "load", listener)
    try:
        response = client.get(f"/attempts/{taking.id}/{page}?lang=en")
    finally:
        event.remove(QuestionVersion, "load", listener)
    assert response.status_code == 200
    assert len(taking.items) > 5
    item = next(i for i in taking.items if i.position == 5)
    assert loaded == ([item.question_version_id] if page == "q/5" else [])


def test_saving_an_answer_reads_only_that_question(client, taking, count_queries):
    attempt = taking
    item = attempt.items[3]
    url = f"/attempts/{attempt.id}/q/{item.position}"
    data = {"option": item.option_order[0], "csrf_token": csrf_from(client, url)}
    db.session.expire_all()
    with count_queries() as counted:
        response = client.post(url, data=data, headers={"X-Requested-With": "fetch"})
    assert response.get_json() == {"saved": True}
    # the user and roles, the attempt, its status under a lock (against a concurrent finish), this question
    # with its answer; the event, the item, the answer
    assert counted.n <= 8, counted.statements
    assert not any("curriculum" in s for s in counted.statements)
    with count_queries() as counted:  # the same answer again (a duplicate submission): nothing written
        client.post(url, data=data, headers={"X-Requested-With": "fetch"})
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for s in counted.statements)
    events = db.session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id,
                                                           AttemptEvent.kind == "answer")).all()
    assert len(events) == 1


def test_start_sets_a_long_lived_device_cookie(client, taking):
    cookie = client.get_cookie("lms_device")
    assert cookie is not None and cookie.http_only and cookie.max_age and cookie.max_age > 300 * 24 * 3600


@pytest.mark.parametrize(("data", "status"), [({"option": "z"}, 400), ({"option": ["a", "b", "c"]}, 400),
                                              ({"go": "²"}, 302), ({"go": "9" * 5000}, 302), ({"go": "0"}, 302),
                                              ({"go": "-1"}, 302)])
def test_tampered_posts_are_refused_never_a_500(client, taking, data, status):
    single = next(i for i in taking.items if i.version.type == "single")
    url = f"/attempts/{taking.id}/q/{single.position}"
    response = post_form(client, url, data, token_from=url)
    assert response.status_code == status
    if status == 302:  # an unknown destination keeps the candidate on the question
        assert response.headers["Location"].endswith(url)


def test_an_unlocked_proctored_attempt_continues_in_a_fresh_browser(app, client, login, make_user, exam, taking):
    from lms.assessments import attempts

    exam.test.proctored = True
    db.session.commit()
    other = app.test_client()  # another computer: no device cookie at all
    login(exam.candidate, target=other)
    url = f"/attempts/{taking.id}/q/1"
    refused = other.get(url + "?lang=en")
    assert refused.status_code == 403
    assert "continues only on the computer it was started on" in refused.get_data(as_text=True)  # the reason
    attempts.unlock(taking, actor=make_user("examiner"))
    db.session.commit()
    token = csrf_from(other, url)
    assert other.get_cookie("lms_device") is not None
    item = taking.items[0]
    response = other.post(url, data={"option": item.option_order[0], "csrf_token": token},
                          headers={"X-Requested-With": "fetch"})
    assert response.get_json() == {"saved": True}  # not only the first page after the unlock
    assert other.get(url).status_code == 200
    assert client.get(url).status_code == 403  # the unlock moved the attempt, once


def test_the_countdown_counts_from_the_servers_clock(client, taking, frozen_clock):
    from datetime import timedelta

    frozen_clock(taking.deadline_at - timedelta(seconds=125))
    page = client.get(f"/attempts/{taking.id}/q/1").get_data(as_text=True)
    assert 'data-seconds-left="125"' in page
    assert 'data-seconds-left="125"' in client.get(f"/attempts/{taking.id}/summary").get_data(as_text=True)


@pytest.mark.parametrize("error", ["integrity", "locked"])
def test_a_save_that_collides_with_a_simultaneous_one_is_saved_not_a_500(client, taking, monkeypatch, error):
    # Two requests saving the same answer at once (a double submit, the offline queue sending twice): on
    # PostgreSQL the second insert of the option fails, on SQLite the second writer is refused. The loser
    # rolls back and saves again.
    from sqlalchemy.exc import IntegrityError, OperationalError

    from lms.assessments import attempts as service

    real, calls = service.save_answer, []

    def colliding(*args, **kwargs):
        calls.append(1)
        real(*args, **kwargs)
        if len(calls) == 1:
            raise (IntegrityError("INSERT", {}, Exception("duplicate key")) if error == "integrity"
                   else OperationalError("INSERT", {}, Exception("database is locked")))

    monkeypatch.setattr(service, "save_answer", colliding)
    attempt = taking
    item = attempt.items[0]
    url = f"/attempts/{attempt.id}/q/1"
    response = client.post(url, data={"option": item.option_order[-1], "csrf_token": csrf_from(client, url)},
                           headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200 and response.get_json() == {"saved": True}
    assert len(calls) == 2
    plain = client.post(url, data={"option": item.option_order[0], "go": "next",
                                   "csrf_token": csrf_from(client, url)})
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"/attempts/{attempt.id}/q/2")
    db.session.expire_all()
    assert db.session.get(type(item), item.id).chosen() == {item.option_order[0]}
