"""In-process micro-benchmarks of what exists so far: ``make bench`` (never part of the test suite).

Measures the password hash with the configured Argon2id cost, and the latency of the public pages and
JSON of the curricula catalogue through the full Flask stack (WSGI in-process: no network, no
gunicorn), beside a bare endpoint of the same stack as the ceiling. Writes bench/results/<name>.json.
The load benchmark against gunicorn and PostgreSQL is bench/load.py.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)

    return {"n": len(ordered), "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
            "per_second": round(len(ordered) / sum(ordered), 1)}


def page_call(client, url: str, hint: str = ""):
    """A callable that GETs ``url`` in process and stops the run on any answer but 200."""
    def call() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}{hint}")
    return call


def write_report(filename: str, database: str, results: dict[str, dict], method: str, **extra: object) -> Path:
    """Write bench/results/<filename> (machine, database, method, results and ``extra``) and print the table."""
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "database": database, **extra, "method": method, "results": results,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / filename
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{'operation':<24}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'per s':>10}")
    for name, r in results.items():
        print(f"{name:<24}{r['n']:>6}{r['p50_ms']:>10}{r['p95_ms']:>10}{r['p99_ms']:>10}{r['per_second']:>10}")
    print(f"written to {out}")
    return out


def database_name(url: str) -> str:
    return url.split("://")[0].split("+")[0]


def timed(func, n: int) -> dict[str, float]:
    func()  # warm up
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return percentiles(samples)


def main() -> int:
    from lms import create_app

    app = create_app({"RATELIMIT_ENABLED": False})
    results: dict[str, dict] = {}
    with app.app_context():
        from lms.accounts.passwords import hash_password, verify_password

        stored = hash_password("Bench-Password-2026")
        results["argon2id_hash"] = timed(lambda: hash_password("Bench-Password-2026"), 30)
        results["argon2id_verify"] = timed(lambda: verify_password(stored, "Bench-Password-2026"), 30)

    client = app.test_client()

    def get(url: str):
        return page_call(client, url, ": run 'make setup' first")

    for name, url, n in (
        ("bare_endpoint_healthz", "/healthz", 2000),
        ("home_page", "/?lang=kk", 500),
        ("catalogue_page", "/curricula/?lang=ru", 300),
        ("curriculum_page", "/curricula/KZ-OSH-MINING?lang=kk", 300),
        ("api_curricula_list", "/api/v1/curricula", 100),
        ("api_curriculum_detail", "/api/v1/curricula/KZ-OSH-MGR", 300),
        ("curriculum_pdf", "/curricula/KZ-OSH-MGR/pdf?lang=kk", 10),
    ):
        results[name] = timed(get(url), n)

    write_report("foundation-and-curricula.json", database_name(app.config["SQLALCHEMY_DATABASE_URI"]), results,
                 "in-process WSGI test client, one thread, sequential requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
