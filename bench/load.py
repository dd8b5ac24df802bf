"""The load benchmark: ``python -m bench.load [--people N] [--candidates N] [--think LOW,HIGH]`` (``make bench``
runs it; never part of the tests).

On its own PostgreSQL database (LMS_BENCH_LOAD_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/
lms_load, emptied first unless --reuse finds it built) it builds the shipped data, the demo data and N people
with ``flask demo bulk``'s generator; adds the exam-day candidates (trained, with passwords), certificate
holders who may sign in, and an employer API key; then serves the platform with gunicorn (gthread workers)
and the background worker, rate limits raised by configuration, and drives each scenario with locust in a
process of its own (bench/load_driver.py) while sampling CPU and memory of gunicorn, its workers, the
background worker, PostgreSQL and the load generator. Writes bench/results/load-postgresql.json."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PASSWORD = "Load-Bench-2026!"  # noqa: S105 - the throwaway benchmark accounts
PORT = 8811


def prepare(app, candidates: int) -> dict:
    """Candidates trained on KZ-OSH-MGR at an approved organisation (eligible for the test), holders of
    not-yet-rendered certificates who may sign in, sample codes and numbers, and an employer API key."""
    from sqlalchemy import func, select

    from lms.accounts.models import RoleAssignment, User
    from lms.accounts.passwords import hash_password
    from lms.assessments.models import TestDefinition
    from lms.certificates.models import Certificate
    from lms.clock import utcnow
    from lms.curricula.models import Curriculum
    from lms.demo.bulk import next_id, person_ids, reset_sequences, write_rows
    from lms.extensions import db
    from lms.organisations.models import Organisation, OrganisationCurriculum
    from lms.training import apikeys
    from lms.training.models import Course, Enrolment, TrainingRecord
    from lms.util import local_today

    curriculum = db.session.scalar(select(Curriculum).where(Curriculum.code == "KZ-OSH-MGR"))
    version = curriculum.current
    test = db.session.scalar(select(TestDefinition).where(TestDefinition.curriculum_id == curriculum.id))
    org = db.session.scalar(select(Organisation).join(OrganisationCurriculum).where(
        Organisation.status == "approved", OrganisationCurriculum.curriculum_id == curriculum.id)
        .order_by(Organisation.id))
    today, now = local_today(), utcnow()
    secret = hash_password(PASSWORD)  # one hash for all: every sign-in still verifies at the full cost
    run = now.strftime("%Y%m%d%H%M%S")
    course_id = next_id(Course)
    write_rows(Course, [{"id": course_id, "organisation_id": org.id, "curriculum_id": curriculum.id,
                     "curriculum_version_id": version.id, "format": "in_person", "place": "Нагрузочный тест",
                     "starts_on": today - timedelta(days=8), "ends_on": today - timedelta(days=3),
                     "hours": version.min_hours, "capacity": candidates, "status": "scheduled",
                     "created_at": now}])
    uid, eid, rid, role = next_id(User), next_id(Enrolment), next_id(TrainingRecord), next_id(RoleAssignment)
    already = db.session.scalar(select(func.count()).select_from(User).where(User.email.like("%@load.osh-demo.kz")))
    ids = person_ids(5_000_000 + already)
    users, roles, enrolments, records, accounts = [], [], [], [], []
    for n in range(candidates):
        iin, email = next(ids), f"candidate{run}-{n}@load.osh-demo.kz"
        users.append({"id": uid + n, "email": email, "full_name": f"Кандидат {n}", "iin": iin, "password_hash": secret,
                      "is_active": True, "created_at": now, "activated_at": now, "locale": "kk"})
        roles.append({"id": role + n, "user_id": uid + n, "role": "candidate", "created_at": now})
        enrolments.append({"id": eid + n, "course_id": course_id, "iin": iin, "full_name": f"Кандидат {n}",
                           "email": email, "audience": "managers", "user_id": uid + n, "status": "completed",
                           "created_at": now, "completed_at": now})
        records.append({"id": rid + n, "enrolment_id": eid + n, "iin": iin, "full_name": f"Кандидат {n}",
                        "user_id": uid + n, "curriculum_id": curriculum.id, "curriculum_version_id": version.id,
                        "course_id": course_id, "organisation_id": org.id, "lecturers": [],
                        "hours": version.min_hours, "started_on": today - timedelta(days=8),
                        "completed_on": today - timedelta(days=3), "audience": "managers", "created_at": now,
                        "status": "valid"})
        accounts.append({"email": email})
    for model, rows in ((User, users), (RoleAssignment, roles), (Enrolment, enrolments), (TrainingRecord, records)):
        write_rows(model, rows)
    reset_sequences(Course, User, RoleAssignment, Enrolment, TrainingRecord)
    holders = []
    for certificate in db.session.scalars(select(Certificate).where(Certificate.pdf_key.is_(None),
                                                                     Certificate.status == "valid")
                                          .order_by(Certificate.id.desc()).limit(100)):
        holder = db.session.get(User, certificate.holder_id)
        holder.password_hash, holder.activated_at = secret, now
        holders.append({"email": holder.email, "certificate_id": certificate.id})
    codes = list(db.session.scalars(select(Certificate.code).order_by(func.random()).limit(20000)))
    numbers = list(db.session.scalars(select(Certificate.number).order_by(func.random()).limit(20000)))
    admin = db.session.scalar(select(User).where(User.email == "centre.admin@demo.osh-centre.kz"))
    _row, key = apikeys.create_for_employer("150440043215", f"load benchmark {run}", admin)
    db.session.commit()
    return {"candidates": accounts, "holders": holders, "codes": codes, "numbers": numbers, "api_key": key,
            "test_id": test.id, "questions": test.size, "password": PASSWORD}


class Sampler(threading.Thread):
    """Every second: CPU (percent of one core) and resident memory of each process group."""

    def __init__(self, groups):
        super().__init__(daemon=True)
        self.groups, self.samples, self.stop = groups, [], threading.Event()

    def run(self) -> None:
        import psutil

        seen: dict[int, psutil.Process] = {}
        while not self.stop.is_set():
            row = {}
            for name, finder in self.groups.items():
                cpu, rss, per = 0.0, 0, []
                for proc in finder():
                    p = seen.setdefault(proc.pid, proc)
                    try:
                        c = p.cpu_percent(None)
                        r = p.memory_info().rss
                    except psutil.Error:
                        continue
                    cpu += c
                    rss += r
                    per.append(r)
                row[name] = {"cpu": cpu, "rss_mb": rss / 2**20, "max_process_mb": max(per, default=0) / 2**20}
            self.samples.append(row)
            self.stop.wait(1.0)

    def summary(self) -> dict:
        out = {}
        for name in self.groups:
            values = [s[name] for s in self.samples[1:]] or [{"cpu": 0, "rss_mb": 0, "max_process_mb": 0}]
            out[name] = {"cpu_percent_mean": round(sum(v["cpu"] for v in values) / len(values), 1),
                         "cpu_percent_max": round(max(v["cpu"] for v in values), 1),
                         "rss_mb_max": round(max(v["rss_mb"] for v in values), 1),
                         "largest_process_mb": round(max(v["max_process_mb"] for v in values), 1)}
        return out


def children(pid: int):
    import psutil

    def find():
        try:
            parent = psutil.Process(pid)
            return [parent, *parent.children(recursive=True)]
        except psutil.Error:
            return []
    return find


def named(word: str):
    import psutil

    def find():
        return [p for p in psutil.process_iter(["name"]) if p.info["name"] and word in p.info["name"]]
    return find


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer")


SCENARIOS = ("healthz", "verify", "bulk_verify", "report", "pdf", "exam")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--think", default="20,60", help="seconds of think time per question, LOW,HIGH")
    parser.add_argument("--seconds", type=int, default=60, help="duration of each throughput scenario")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4,
                        help="threads per worker: the sign-in waiting room's depth (2) plus two, so that sign-ins "
                             "waiting for the password lane leave threads for answers (8 cost throughput and "
                             "memory on this CPU-bound work)")
    parser.add_argument("--reuse", action="store_true", help="keep a database built by an earlier run")
    parser.add_argument("--only", default="", help="comma-separated scenarios to run (default all): "
                        + ", ".join(SCENARIOS))
    args = parser.parse_args()
    unknown = set(filter(None, args.only.split(","))) - set(SCENARIOS)
    if unknown:  # a misspelt name would otherwise build the database and measure nothing
        parser.error(f"unknown scenario {', '.join(sorted(unknown))}; choose from {', '.join(SCENARIOS)}")
    url = os.environ.get("LMS_BENCH_LOAD_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/lms_load")

    from sqlalchemy import create_engine, make_url, text

    base = make_url(url)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": base.database}).scalar():
            connection.execute(text(f'CREATE DATABASE "{base.database}"'))
    admin.dispose()

    from lms import create_app
    from lms.instance_keys import ensure_keys

    instance = Path(tempfile.mkdtemp(prefix="lms-load-"))
    ensure_keys(instance)
    settings = {"INSTANCE_PATH": str(instance), "DATABASE_URL": url, "BASE_URL": f"http://127.0.0.1:{PORT}"}
    app = create_app(settings)
    report: dict = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "scenarios": {}}
    with app.app_context():
        from sqlalchemy import inspect

        from bench.data import build
        from lms.extensions import db

        built = None
        if not (args.reuse and inspect(db.engine).has_table("certificates")):
            built = build(app, args.people)
            report["build"] = {k: built[k] for k in ("generate_seconds", "refresh_seconds", "rows")}
        from lms.demo.seed import demo_password

        plan = prepare(app, args.candidates)
        plan["analyst"] = {"login": "analyst@demo.osh-centre.kz", "password": demo_password("analyst")}
        from sqlalchemy import func, select

        from lms.accounts.models import User
        from lms.assessments.models import Attempt
        from lms.certificates.models import Certificate

        report["in_database"] = {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                                 for model in (User, Attempt, Certificate)}  # what every scenario ran against

    env = {**os.environ, "LMS_INSTANCE_PATH": str(instance), "LMS_DATABASE_URL": url,
           "LMS_BASE_URL": f"http://127.0.0.1:{PORT}", "LMS_RATELIMIT_LOGIN": "1000000 per minute",
           "LMS_RATELIMIT_LOGIN_ADDRESS": "1000000 per minute",
           "LMS_RATELIMIT_PUBLIC": "1000000 per minute", "LMS_RATELIMIT_VERIFY": "1000000 per minute"}
    venv = Path(sys.executable).parent
    import socket

    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            raise SystemExit(f"port {PORT} is taken: stop the server left there (pkill -f 'gunicorn.*{PORT}')")
    server = subprocess.Popen(  # noqa: S603
        [str(venv / "gunicorn"), "-w", str(args.workers), "-k", "gthread", "--threads", str(args.threads),
         "--keep-alive", "75", "-b", f"127.0.0.1:{PORT}", "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    worker = subprocess.Popen([str(venv / "flask"), "--app", "wsgi", "worker"], cwd=ROOT, env=env,  # noqa: S603
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wanted = set(filter(None, args.only.split(",")))
    report["server"] = {"gunicorn_workers": args.workers, "worker_class": "gthread", "threads": args.threads}
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        low, high = (float(x) for x in args.think.split(","))
        n = args.candidates
        scenarios = [
            ("healthz", {"users": 32, "spawn_rate": 32, "seconds": args.seconds}),
            ("verify", {"users": 32, "spawn_rate": 32, "seconds": args.seconds}),
            ("bulk_verify", {"users": 2, "spawn_rate": 2, "seconds": 30}),
            ("report", {"users": 1, "spawn_rate": 1, "seconds": 20}),
            ("pdf", {"users": len(plan["holders"]), "spawn_rate": len(plan["holders"]), "arrival_per_second": 2,
                     "seconds": 180}),
            ("exam", {"users": n, "spawn_rate": max(n / 60, 1), "think": [low, high],
                      "seconds": int(60 + plan["questions"] * (high + 5) + 300)}),
        ]
        assert tuple(name for name, _extra in scenarios) == SCENARIOS
        for name, extra in scenarios:
            if wanted and name not in wanted:
                continue
            with tempfile.TemporaryDirectory() as work:
                plan_path, out_path = Path(work) / "plan.json", Path(work) / "out.json"
                plan_path.write_text(json.dumps({**plan, **extra, "host": f"http://127.0.0.1:{PORT}"}))
                print(f"-- {name}: {extra['users']} users", flush=True)
                driver = subprocess.Popen([sys.executable, "-m", "bench.load_driver", name,  # noqa: S603
                                           str(plan_path), str(out_path)], cwd=ROOT)
                sampler = Sampler({"gunicorn": children(server.pid), "background_worker": children(worker.pid),
                                   "postgresql": named("postgres"), "load_generator": children(driver.pid)})
                sampler.start()
                if driver.wait() != 0:
                    raise SystemExit(f"the {name} scenario failed")
                sampler.stop.set()
                sampler.join()
                result = json.loads(out_path.read_text())
            result["resources"] = sampler.summary()
            result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            result["server"] = report["server"]
            key = f"exam_{n}" if name == "exam" and n != 2000 else name  # the target's 2,000 keep the plain name
            report["scenarios"][key] = result
            for request, r in result["requests"].items():
                print(f"   {request:<40}{r['n']:>8}{r['failures']:>6}{r['rps'] or '-':>9}{r['p50_ms']:>8}"
                      f"{r['p95_ms']:>8}{r['p99_ms']:>8}", flush=True)
    finally:
        for proc in (server, worker):
            proc.send_signal(signal.SIGTERM)
        for proc in (server, worker):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "load-postgresql.json"
    if wanted and out.exists():  # a partial run replaces only its own scenarios in the last full report
        previous = json.loads(out.read_text(encoding="utf-8"))
        for name, result in previous.get("scenarios", {}).items():
            report["scenarios"].setdefault(name, result)
        if previous.get("build"):
            report.setdefault("build", previous["build"])
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
