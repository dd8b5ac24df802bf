"""Scaling out: two gunicorn instances on one database, one file store, one Redis for the rate limits and
one secret key. A candidate signs in on one, goes on on the other (answers alternate between them),
finishes on the second; the certificate PDF stored by one is served by the other; failed sign-ins are
counted across both."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import select

from tests import conftest as base
from tests.ops.conftest import free_port, gunicorn, own_database, platform_with_candidate, sign_in_http

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def two_instances(tmp_path):
    redis = pytest.importorskip("redis")
    try:
        client = redis.Redis.from_url(REDIS, socket_connect_timeout=1)
        client.flushdb()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379 for the shared rate limits")
    from lms.extensions import db

    url, drop = own_database(tmp_path, "shared")
    instance = tmp_path / "instance"
    app, servers = None, []
    try:  # whatever fails, setup included, no server and no database are left behind
        app, settings, email, test_id = platform_with_candidate(instance, url)
        ports = [free_port()]
        while len(ports) < 2:  # two different ports, or one server would answer for both
            port = free_port()
            if port not in ports:
                ports.append(port)
        shared = {"LMS_INSTANCE_PATH": str(instance), "LMS_DATABASE_URL": url,
                  "LMS_SECRET_KEY": settings["SECRET_KEY"], "LMS_STORAGE_PATH": str(tmp_path / "shared-storage"),
                  "LMS_RATELIMIT_STORAGE_URI": REDIS, "LMS_RATELIMIT_LOGIN": "6 per minute",
                  "LMS_BASE_URL": "http://osh.example", "LMS_PASSWORD_TIME_COST": "1", "LMS_PASSWORD_MEMORY_COST": "8"}
        for port in ports:
            servers.append(gunicorn(shared, port))
        yield {"app": app, "urls": [f"http://127.0.0.1:{p}" for p in ports], "email": email, "test_id": test_id}
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        client.flushdb()
        if app is not None:
            with app.app_context():
                db.engine.dispose()
        if drop is not None:
            drop()


def test_two_stateless_instances(two_instances):
    from lms.assessments.models import Attempt
    from lms.certificates.models import Certificate
    from lms.extensions import db

    a, b = two_instances["urls"]
    test_id = two_instances["test_id"]
    candidate = requests.Session()
    sign_in_http(candidate, a, two_instances["email"])
    page = candidate.get(b + "/tests/?lang=en")  # the session made on A is valid on B
    assert page.status_code == 200 and "KZ-OSH-MGR" in page.text
    token = base.CSRF_RE.search(page.text).group(1)  # a token from B ...
    started = candidate.post(f"{a}/tests/{test_id}/start", allow_redirects=False,  # ... accepted by A
                             data={f"t{test_id}-language": "kk", "csrf_token": token, f"t{test_id}-csrf_token": token})
    attempt_id = int(re.search(r"/attempts/(\d+)/q/1", started.headers["Location"]).group(1))
    with two_instances["app"].app_context():
        attempt = db.session.get(Attempt, attempt_id)
        keys = {item.position: sorted(item.version.key()) for item in attempt.items}
        db.session.remove()
    for position, key in keys.items():  # answers alternate between the instances
        server = (a, b)[position % 2]
        response = candidate.post(f"{server}/attempts/{attempt_id}/q/{position}", headers={"X-Requested-With": "fetch"},
                                  data={"option": key, "csrf_token": token})
        assert response.json() == {"saved": True}
    finished = candidate.post(f"{b}/attempts/{attempt_id}/finish", data={"csrf_token": token}, allow_redirects=False)
    assert finished.status_code == 302
    with two_instances["app"].app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.attempt_id == attempt_id))
        certificate_id = certificate.id
        db.session.remove()
    first = candidate.get(f"{a}/me/certificates/{certificate_id}/pdf")  # rendered and stored by A
    second = candidate.get(f"{b}/me/certificates/{certificate_id}/pdf")  # served from the shared store by B
    assert first.status_code == second.status_code == 200 and first.content == second.content
    with two_instances["app"].app_context():
        assert db.session.get(Certificate, certificate_id).pdf_key
        db.session.remove()

    # failed sign-ins of one account are counted in Redis across both instances: 6 per minute in all, wherever
    # they land
    intruder = requests.Session()
    codes = []
    for n in range(8):
        server = (a, b)[n % 2]
        page = intruder.get(server + "/login?lang=en").text
        codes.append(intruder.post(server + "/login", allow_redirects=False, data={
            "email": two_instances["email"], "password": "wrong-password-1",
            "csrf_token": base.CSRF_RE.search(page).group(1)}).status_code)
    # the candidate's own sign-in on A was the first of the six for this account: the sixth wrong one is refused
    assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}, codes
