from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.domain import ValidationFailed
from lms.extensions import db
from lms.organisations import registry
from lms.training import completion, enrolment
from lms.training.courses import today
from lms.training.models import TrainingRecord
from tests.conftest import post_form
from tests.training.conftest import trainee


@pytest.fixture
def enrolled(app, setup, make_course):
    def factory(fmt="in_person", n=1, code="KZ-OSH-MGR"):
        course = make_course(fmt, code=code)
        with app.test_request_context():
            row, _ = enrolment.enrol(course, trainee(n), actor=setup.manager)
        db.session.commit()
        return course, row

    return factory


def test_attendance_then_completion_writes_the_record(client, login, setup, enrolled):
    course, row = enrolled()
    login(setup.lecturer_user)  # the course's lecturer marks attendance and completes
    url = f"/courses/{course.id}"
    response = post_form(client, f"{url}/enrolments/{row.id}/complete", token_from=url)
    assert response.status_code == 302
    assert "Attendance is missing" in client.get(url + "?lang=en").get_data(as_text=True)
    assert db.session.scalars(select(TrainingRecord)).all() == []
    topics = [str(t.position) for t in course.version.topics]
    post_form(client, f"{url}/enrolments/{row.id}/attendance", {"topics": topics}, token_from=url)
    post_form(client, f"{url}/enrolments/{row.id}/complete", token_from=url)
    record = db.session.scalars(select(TrainingRecord)).one()
    assert (record.iin, record.full_name, record.hours) == (row.iin, row.full_name, course.hours)
    assert record.curriculum_version_id == course.curriculum_version_id
    assert record.organisation_id == setup.organisation.id
    assert record.lecturers[0]["name"] == "Лектор Один"
    db.session.refresh(row)
    assert row.status == "completed"
    with pytest.raises(ValidationFailed):
        completion.complete(row, actor=setup.manager)
    with pytest.raises(ValidationFailed):
        completion.record_attendance(row, set(), actor=setup.manager)


def test_training_records_are_immutable(setup, enrolled):
    course, row = enrolled()
    completion.record_attendance(row, {t.position for t in course.version.topics}, setup.manager)
    record = completion.complete(row, setup.manager)
    db.session.commit()
    record.hours = 1
    with pytest.raises(ValueError, match="immutable"):
        db.session.flush()
    db.session.rollback()


def test_the_centre_invalidates_with_a_reason_audited(client, login, setup, enrolled):
    course, row = enrolled()
    completion.record_attendance(row, {t.position for t in course.version.topics}, setup.manager)
    record = completion.complete(row, setup.manager)
    db.session.commit()
    login(setup.admin)
    url = f"/centre/training-records/{record.id}"
    response = post_form(client, url + "?lang=en", {"reason": ""}, token_from=url)
    assert "This field is required." in response.get_data(as_text=True)
    post_form(client, url, {"reason": "Обучение не проводилось (проверка)"}, token_from=url)
    db.session.refresh(record)
    assert record.status == "invalidated" and record.invalidation_reason.startswith("Обучение")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "training_record.invalidated"))


def test_distance_course_needs_every_topic_opened_by_the_trainee(app, client, setup, enrolled, outbox):
    course, row = enrolled("distance", code="KZ-FIRST-AID")
    with force_locale("en"):
        assert "not opened every topic" in str(completion.completion_problem(row))
    link = __import__("re").search(r"http://localhost(/enrolment/\S+)", outbox(row.email)[-1].body_text).group(1)
    post_form(client, link, {"password": "Trainee-Pass-42", "confirm": "Trainee-Pass-42"}, token_from=link)
    positions = [t.position for t in course.version.topics]
    for position in positions[:-1]:
        assert client.get(f"/me/courses/{row.id}/topics/{position}").status_code == 200
    db.session.refresh(row)
    assert completion.completion_problem(row) is not None
    client.get(f"/me/courses/{row.id}/topics/{positions[-1]}")
    client.get(f"/me/courses/{row.id}/topics/{positions[-1]}")  # a reload records nothing more
    db.session.refresh(row)
    assert row.opened() == set(positions) and len(row.progress) == len(positions)
    assert completion.completion_problem(row) is None
    record = completion.complete(row, setup.manager)
    assert record.user_id is not None


def test_suspended_organisation_cannot_complete(setup, enrolled):
    course, row = enrolled()
    completion.record_attendance(row, {t.position for t in course.version.topics}, setup.manager)
    registry.suspend(setup.organisation, "Проверка", today(), None, setup.admin)
    with pytest.raises(ValidationFailed):
        completion.complete(row, setup.manager)


def test_eligibility_follows_the_record(app, client, login, setup, enrolled, make_user, frozen_clock):
    course, row = enrolled()
    candidate = make_user("candidate", iin=row.iin)
    enrolment.link_to(row, candidate, candidate)
    completion.record_attendance(row, {t.position for t in course.version.topics}, setup.manager)
    record = completion.complete(row, setup.manager)
    db.session.commit()
    [item] = completion.eligibility(candidate)
    assert item["eligible"] is True
    login(candidate)
    page = client.get("/me/?lang=en").get_data(as_text=True)
    assert "you may take the Centre's test" in page and "KZ-OSH-MGR" in page
    later = datetime.combine(record.completed_on + timedelta(days=400), datetime.min.time(), UTC)
    frozen_clock(later)
    assert completion.eligibility(candidate)[0]["eligible"] is False
    frozen_clock(None)
    completion.invalidate(record, "Ошибка", setup.admin)
    assert completion.eligibility(candidate) == []


def test_a_revoked_organisations_trainees_lose_eligibility(setup, enrolled, make_user):
    course, row = enrolled()
    candidate = make_user("candidate", iin=row.iin)
    enrolment.link_to(row, candidate, candidate)
    completion.record_attendance(row, {t.position for t in course.version.topics}, setup.manager)
    completion.complete(row, setup.manager)
    registry.revoke(setup.organisation, "Нарушения", True, setup.admin)
    assert completion.eligibility(candidate)[0]["eligible"] is False


def test_a_suspended_organisations_trainees_wait(setup, enrolled, make_user):
    course, row = enrolled()
    candidate = make_user("candidate", iin=row.iin)
    enrolment.link_to(row, candidate, candidate)
    completion.record_attendance(row, {t.position for t in course.version.topics}, setup.manager)
    completion.complete(row, setup.manager)
    registry.suspend(setup.organisation, "Проверка", today(), None, setup.admin)
    [item] = completion.eligibility(candidate)
    assert item["eligible"] is False
    with force_locale("en"):
        assert "suspended" in str(item["reason"])
    registry.reinstate(setup.organisation, setup.admin)
    assert completion.eligibility(candidate)[0]["eligible"] is True


def test_blended_course_takes_each_topic_attended_or_opened(setup, enrolled):
    course, row = enrolled("blended")
    positions = sorted(t.position for t in course.version.topics)
    completion.record_attendance(row, set(positions[:-1]), setup.manager)
    with force_locale("en"):
        assert f"missing for topics {positions[-1]}" in str(completion.completion_problem(row))
    completion.open_topic(row, positions[-1])
    assert completion.completion_problem(row) is None
    assert completion.complete(row, setup.manager).hours == course.hours
