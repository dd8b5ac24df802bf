"""Reports on a large registry: ``python -m bench.reports [PEOPLE]`` (default 1,000,000; never part of the tests).

Builds its own database (a throwaway SQLite file, or the PostgreSQL database named by LMS_BENCH_DATABASE_URL,
which it empties first), loads the shipped curricula and banks and the demo data, generates PEOPLE trained
persons with ``flask demo bulk``'s generator (attempts, certificates in every status), then times: the
generation, one full rebuild of the report tables, and each report page and open-data file in process.
Writes bench/results/reports-<database>.json."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from bench.data import build
from bench.run import database_name, page_call, timed, write_report

RESULTS = Path(__file__).resolve().parent / "results"


def main(people: int) -> int:
    from lms import create_app
    from lms.demo.seed import demo_password

    url = os.environ.get("LMS_BENCH_DATABASE_URL")
    if not url:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='lms-bench-')) / 'reports.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_COST": 8})
    with app.app_context():
        built = build(app, people)
    timings = {k: built[k] for k in ("generate_seconds", "generated", "refresh_seconds")}
    counts = built["rows"]
    analyst = built["logins"]["analyst"]["login"]

    client = app.test_client()
    response = client.post("/login", data={"email": analyst, "password": demo_password("analyst")})
    if response.status_code != 302:
        raise SystemExit(f"analyst could not sign in: {response.status_code}")

    def ok(path: str):
        return page_call(client, path)

    results = {}
    for name, path, n in (
        ("indicator5_page", "/centre/reports", 30),
        ("indicator5_csv", "/centre/reports?format=csv", 30),
        ("by_region_page", "/centre/reports/region", 30),
        ("by_organisation_page", "/centre/reports/organisation", 20),
        ("by_curriculum_page", "/centre/reports/curriculum", 30),
        ("by_language_page", "/centre/reports/language?year=2026", 30),
        ("open_data_page", "/open-data/", 30),
        ("open_data_region_json", "/open-data/region.json", 30),
        ("api_indicator5", "/api/v1/open-data/indicator5", 50),
    ):
        results[name] = timed(ok(path), n)

    print(f"rows: {counts}; generated in {timings['generate_seconds']} s; "
          f"report tables rebuilt in {timings['refresh_seconds']} s")
    database = database_name(url)
    write_report(f"reports-{database}.json", database, results,
                 "bulk generator in process; one rebuild of the report tables; pages through the in-process "
                 "WSGI test client, one thread, sequential requests", rows=counts, **timings)
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
