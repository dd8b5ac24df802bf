"""PostgreSQL restarted in the middle of a test, on a private cluster this test starts with initdb (never the
machine's shared server): while it is down every request gets a clear 503 (never a 500), nothing is half
written; when it is back the same browser session carries on, no answer given before is lost, and finishing
issues the certificate exactly once."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import CSRF_RE
from tests.ops.conftest import free_port, platform_with_candidate


def _bindir() -> Path | None:
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    return None


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary directory, on a free port, owned by the postgres user
    when the tests run as root (initdb refuses root)."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="lms-pg-"))
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.port = free_port()
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run([*self.prefix, str(self.bindir / tool), *args], capture_output=True, text=True,
                                check=False, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o",
                  f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def remove(self) -> None:
        subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                        "stop"], capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster():
    bindir = _bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    c = Cluster(bindir)
    try:
        c.start()
        yield c
    finally:
        c.remove()


def test_postgresql_restarts_during_a_test(cluster, tmp_path):
    from lms.assessments.models import Attempt
    from lms.certificates.models import Certificate
    from lms.extensions import db

    app, _settings, email, test_id = platform_with_candidate(tmp_path / "instance", cluster.url)
    with app.app_context():
        client = app.test_client()
        page = client.get("/login?lang=en").get_data(as_text=True)
        client.post("/login", data={"email": email, "password": "Correct-Horse-Battery-7",
                                    "csrf_token": CSRF_RE.search(page).group(1)})
        page = client.get("/tests/?lang=en").get_data(as_text=True)
        token = CSRF_RE.search(page).group(1)
        started = client.post(f"/tests/{test_id}/start", data={f"t{test_id}-language": "kk", "csrf_token": token,
                                                              f"t{test_id}-csrf_token": token})
        attempt_id = int(re.search(r"/attempts/(\d+)/q/1", started.headers["Location"]).group(1))
        attempt = db.session.get(Attempt, attempt_id)
        keys = {item.position: sorted(item.version.key()) for item in attempt.items}
        db.session.remove()

        def save(position: int):
            return client.post(f"/attempts/{attempt_id}/q/{position}", data={"option": keys[position],
                               "csrf_token": token}, headers={"X-Requested-With": "fetch"})

        assert save(1).get_json() == {"saved": True}

        cluster.stop()  # ---------------------------------------------------------------- the database is gone
        down = save(2)
        assert down.status_code == 503 and down.headers["Retry-After"] == "5"
        page = client.get("/tests/?lang=ru")
        assert page.status_code == 503 and "Ничего не потеряно" in page.get_data(as_text=True)
        cluster.start()  # -------------------------------------------------------------- and back again

        assert save(2).get_json() == {"saved": True}  # the same session goes on, on fresh connections
        for position in range(3, len(keys) + 1):
            assert save(position).get_json() == {"saved": True}

        cluster.stop()  # finishing while the database is down: refused whole, nothing half-issued
        assert client.post(f"/attempts/{attempt_id}/finish", data={"csrf_token": token}).status_code == 503
        cluster.start()
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.status == "in_progress"
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
        answered = sum(1 for item in attempt.items if item.answered_at is not None)
        assert answered == len(keys)  # every answer given around the restarts is there
        db.session.remove()

        finished = client.post(f"/attempts/{attempt_id}/finish", data={"csrf_token": token})
        assert finished.status_code == 302 and "/result" in finished.headers["Location"]
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.status == "finished" and attempt.passed
        assert db.session.scalar(select(func.count()).select_from(Certificate)
                                 .where(Certificate.attempt_id == attempt_id)) == 1
        db.session.remove()
        db.engine.dispose()
