"""A gunicorn worker killed (SIGKILL) again and again while a candidate's answers are being saved: the
master starts a new worker, the client sends again what was not acknowledged (as the page's answer queue
does), and every acknowledged answer is in the database, the last one given for each question."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from tests import conftest as base
from tests.ops.conftest import free_port, gunicorn, own_database, platform_with_candidate, sign_in_http

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Correct-Horse-Battery-7"  # noqa: S105 - a test account


def _workers(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False).stdout
    return [int(pid) for pid in out.split()]


@pytest.fixture
def served(tmp_path):
    """The platform under gunicorn (two workers) on a database of its own, with an eligible candidate."""
    from lms.extensions import db

    url, drop = own_database(tmp_path, "served")
    instance = tmp_path / "instance"
    app = server = None
    try:  # whatever fails, setup included, no server and no database are left behind
        app, settings, email, test_id = platform_with_candidate(instance, url)
        port = free_port()
        server = gunicorn({"LMS_INSTANCE_PATH": str(instance), "LMS_DATABASE_URL": url,
                           "LMS_SECRET_KEY": settings["SECRET_KEY"], "LMS_BASE_URL": f"http://127.0.0.1:{port}",
                           "LMS_RATELIMIT_LOGIN": "1000 per minute", "LMS_RATELIMIT_LOGIN_ADDRESS": "1000 per minute",
                           "LMS_PASSWORD_TIME_COST": "1", "LMS_PASSWORD_MEMORY_COST": "8"}, port, workers=2)
        yield {"app": app, "url": f"http://127.0.0.1:{port}", "server": server, "email": email, "test_id": test_id}
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if app is not None:
            with app.app_context():
                db.engine.dispose()
        if drop is not None:
            drop()


def test_answers_survive_killed_workers(served):
    from lms.assessments.models import Attempt
    from lms.extensions import db

    base_url, test_id = served["url"], served["test_id"]
    session = requests.Session()
    sign_in_http(session, base_url, served["email"], PASSWORD)
    token = base.CSRF_RE.search(session.get(base_url + "/tests/").text).group(1)
    started = session.post(f"{base_url}/tests/{test_id}/start", allow_redirects=False,
                           data={f"t{test_id}-language": "ru", "csrf_token": token, f"t{test_id}-csrf_token": token})
    attempt_id = int(re.search(r"/attempts/(\d+)/q/1", started.headers["Location"]).group(1))
    with served["app"].app_context():
        attempt = db.session.get(Attempt, attempt_id)
        options = {item.position: list(item.option_order) for item in attempt.items}
        db.session.remove()

    acknowledged: dict[int, str] = {}
    problems: list[str] = []
    stop = threading.Event()
    sends = {"total": 0, "retries": 0}

    def save(position: int, option: str) -> None:
        for _ in range(200):  # the page's queue keeps trying; a worker is back within a second
            try:
                response = session.post(f"{base_url}/attempts/{attempt_id}/q/{position}", timeout=10,
                                        data={"option": option, "csrf_token": token},
                                        headers={"X-Requested-With": "fetch"})
            except requests.RequestException:  # the worker died under the request: send it again
                sends["retries"] += 1
                time.sleep(0.05)
                continue
            if response.status_code == 500:
                problems.append(f"500 on question {position}")
            if response.status_code == 200 and response.json().get("saved"):
                acknowledged[position] = option
                return
            sends["retries"] += 1
            time.sleep(0.05)
        problems.append(f"question {position} never saved")

    def candidate() -> None:
        n = 0
        while not stop.is_set():
            position = n % len(options) + 1
            save(position, options[position][(n // len(options)) % len(options[position])])
            sends["total"] += 1
            n += 1

    thread = threading.Thread(target=candidate)
    thread.start()
    killed = 0
    try:
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            time.sleep(0.6)
            workers = _workers(served["server"].pid)
            if workers:
                os.kill(workers[killed % len(workers)], signal.SIGKILL)
                killed += 1
    finally:
        time.sleep(1.5)  # let the last answer be acknowledged
        stop.set()
        thread.join(timeout=60)
    print(f"killed {killed} workers; {sends['total']} answers sent, {sends['retries']} sent again")
    assert killed >= 8 and sends["total"] > 20
    assert not problems, problems
    with served["app"].app_context():
        attempt = db.session.get(Attempt, attempt_id)
        stored = {item.position: sorted(item.chosen()) for item in attempt.items}
        db.session.remove()
    for position, option in acknowledged.items():
        assert stored[position] == [option], (position, option, stored[position])
