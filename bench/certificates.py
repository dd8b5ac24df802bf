"""Certificate checks, in process: ``make bench`` after ``flask demo seed`` (never part of the test suite).

Times what an inspector's phone and an employer's system call: the public verify page (each call also
writes its check to the log), the credential download, the JWKS, a status list (131,072 bits, gzip and
base64url, signed), the employer API for one number and for 1,000 numbers in one request, and a
certificate PDF rendered from scratch (WeasyPrint with the QR code). Writes
bench/results/certificates-<database>.json. The API key is created for the run and revoked afterwards.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench.run import database_name, timed, write_report

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> int:
    from sqlalchemy import select

    from lms import create_app
    from lms.accounts.models import User
    from lms.certificates import services
    from lms.certificates.models import Certificate
    from lms.extensions import db
    from lms.training import apikeys

    app = create_app({"RATELIMIT_ENABLED": False})
    with app.app_context():
        certificates = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        if not certificates:
            raise SystemExit("no certificates: run 'flask demo seed' first")
        valid = next((c for c in certificates if c.effective_status(services.today()) == "valid"), certificates[0])
        code, number, surname = valid.code, valid.number, valid.holder_name.split()[0]
        actor = db.session.scalar(select(User).order_by(User.id))
        key_row, key = apikeys.create_for_employer(valid.employer_bin or "000000000000", "bench", actor)
        db.session.commit()
        key_id = key_row.id
        numbers = [c.number for c in certificates]

    client = app.test_client()
    auth = {"Authorization": f"Bearer {key}"}
    bulk = {"items": [{"number": numbers[i % len(numbers)], "surname": surname} for i in range(1000)]}

    def ok(response) -> None:
        if response.status_code != 200:
            raise SystemExit(f"{response.request.path} answered {response.status_code}")

    results: dict[str, dict] = {}
    try:
        for name, call, n in (
            ("verify_page", lambda: ok(client.get(f"/v/{code}?lang=ru")), 300),
            ("verify_unknown_code", lambda: client.get("/v/UNKNOWN-CODE-UNKNOWN?lang=ru"), 300),
            ("credential_download", lambda: ok(client.get(f"/v/{code}/credential")), 200),
            ("jwks", lambda: ok(client.get("/.well-known/jwks.json")), 300),
            ("status_list", lambda: ok(client.get("/credentials/status/revocation")), 100),
            ("api_one_number", lambda: ok(client.get(f"/api/v1/certificates/{number}", headers=auth)), 300),
            ("api_bulk_1000", lambda: ok(client.post("/api/v1/certificates/verify", json=bulk, headers=auth)), 20),
        ):
            results[name] = timed(call, n)
        with app.app_context(), app.test_request_context():
            certificate = db.session.get(Certificate, valid.id)
            results["certificate_pdf_render"] = timed(lambda: services.render(certificate), 10)
    finally:
        with app.app_context():
            from lms.training.models import ApiKey

            row = db.session.get(ApiKey, key_id)
            apikeys.revoke(row, db.session.scalar(select(User).order_by(User.id)))
            db.session.commit()

    database = database_name(app.config["SQLALCHEMY_DATABASE_URI"])
    write_report(f"certificates-{database}.json", database, results,
                 "in-process WSGI test client, one thread, sequential requests", certificates_in_database=len(numbers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
