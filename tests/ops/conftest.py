"""Operations tests run the platform on a database of their own (not inside the suite's rolled-back
transaction): they back it up, restore it, break it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import CSRF_RE, TEST_DATABASE_URL, _postgres_throwaway, test_settings


@pytest.fixture(autouse=True)
def _transaction() -> None:
    """Replaces the suite's per-test transaction: these tests commit for real, on their own database."""


@pytest.fixture
def own_app(tmp_path) -> Iterator[object]:
    from flask_migrate import upgrade

    from lms import create_app
    from lms.extensions import db

    url, drop = own_database(tmp_path)
    instance = tmp_path / "instance"
    instance.mkdir()
    try:  # whatever fails, setup included, the throwaway database is dropped
        app = create_app(test_settings(instance, url))
        with app.app_context():
            upgrade()
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        if drop is not None:
            drop()


def eligible_candidate(email: str = "candidate.ops@example.kz", password: str = "Correct-Horse-Battery-7",
                       n: int = 0):
    """A candidate trained on KZ-OSH-MGR three days ago at an approved organisation: eligible for the test.
    ``n`` tells apart the candidates (and their organisations) made in one database."""
    from datetime import UTC, date, datetime, timedelta

    from sqlalchemy import select

    from lms.accounts import services
    from lms.assessments.banks import ensure_test_definition
    from lms.curricula.models import Curriculum
    from lms.extensions import db
    from lms.identifiers import make_bin, make_iin
    from lms.organisations.models import Organisation
    from lms.training.models import Course, Enrolment, TrainingRecord
    from lms.util import local_today

    curriculum = db.session.scalar(select(Curriculum).where(Curriculum.code == "KZ-OSH-MGR"))
    version = curriculum.current
    now, today = datetime.now(UTC), local_today()
    org = Organisation(bin=make_bin(date(2019, 1, 1), 4242 + n), name_state="Сынақ", name_ru="Тест", region="karaganda",
                       status="approved", registry_number=f"TO-2026-{9999 - n:05d}", approved_at=now)
    iin = make_iin(date(1988, 8, 8), "M", 4343 + n)
    user = services.create_user(email=email, full_name="Кандидат Отказов", password=password, iin=iin)
    services.grant_role(user, "candidate")
    db.session.add(org)
    db.session.flush()
    course = Course(organisation_id=org.id, curriculum_id=curriculum.id, curriculum_version_id=version.id,
                    format="in_person", place="Караганда", starts_on=today - timedelta(days=8),
                    ends_on=today - timedelta(days=3), hours=version.min_hours, capacity=10)
    db.session.add(course)
    db.session.flush()
    enrolment = Enrolment(course_id=course.id, iin=iin, full_name=user.full_name, email=email, audience="managers",
                          user_id=user.id, status="completed", completed_at=now)
    db.session.add(enrolment)
    db.session.flush()
    db.session.add(TrainingRecord(enrolment_id=enrolment.id, iin=iin, full_name=user.full_name, user_id=user.id,
                                  curriculum_id=curriculum.id, curriculum_version_id=version.id, course_id=course.id,
                                  organisation_id=org.id, lecturers=[], hours=version.min_hours,
                                  started_on=course.starts_on, completed_on=course.ends_on, audience="managers"))
    test = ensure_test_definition(curriculum)
    db.session.commit()
    return user, test


def load_shipped(app) -> None:
    runner = app.test_cli_runner()
    for command in (["curricula", "load"], ["banks", "import"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def own_database(tmp_path, name: str = "own"):
    """(url, drop): a throwaway PostgreSQL database in the PostgreSQL pass, else a SQLite file."""
    if TEST_DATABASE_URL:
        url, drop = _postgres_throwaway(TEST_DATABASE_URL)
        return url.render_as_string(hide_password=False), drop
    return f"sqlite:///{tmp_path / (name + '.sqlite3')}", None


def gunicorn(env: dict, port: int, workers: int = 1):
    """Start ``gunicorn wsgi:app`` on 127.0.0.1:port with ``env``; return the process once /healthz answers."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    import requests

    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-b",  # noqa: S603
                                f"127.0.0.1:{port}", "--log-level", "error", "wsgi:app"], cwd=root,
                               env={**os.environ, **env})
    for _ in range(150):
        if process.poll() is not None:  # it exited (the port was taken, a bad setting): not someone else's server
            break
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.2)
    process.kill()
    process.wait()
    raise RuntimeError("gunicorn did not start")


def sign_in_http(session, base_url: str, email: str, password: str = "Correct-Horse-Battery-7") -> None:
    page = session.get(base_url + "/login?lang=en").text
    response = session.post(base_url + "/login", allow_redirects=False,
                            data={"email": email, "password": password, "csrf_token": CSRF_RE.search(page).group(1)})
    assert response.status_code == 302, response.status_code


def platform_with_candidate(instance, url: str):
    """The platform migrated on ``url`` with the shipped data and an eligible candidate (committed).
    Returns (app, settings, candidate e-mail, test id)."""
    from flask_migrate import upgrade

    from lms import create_app
    from lms.extensions import db
    from tests.conftest import IsolatedClient

    settings = test_settings(instance, url)
    app = create_app(settings)
    app.test_client_class = IsolatedClient  # each request its own app context and session, as in production
    with app.app_context():
        upgrade()
        load_shipped(app)
        user, test = eligible_candidate()
        email, test_id = user.email, test.id
        db.session.remove()
    return app, settings, email, test_id
