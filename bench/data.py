"""The large database the report and load benchmarks run on: the shipped data, the demo data and
``flask demo bulk``'s generator, built from an empty schema (the PostgreSQL database is emptied first)."""

from __future__ import annotations

import time
from typing import Any


def build(app: Any, people: int) -> dict[str, Any]:
    """Inside ``app``'s context: migrate, load, seed, generate ``people``, analyse, rebuild the reports.
    Returns the demo logins, the timings and the row counts."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from lms import ROOT
    from lms.accounts.models import User
    from lms.assessments.banks import import_directory
    from lms.assessments.models import Attempt
    from lms.certificates.models import Certificate
    from lms.curricula.services import load_directory
    from lms.demo.bulk import bulk
    from lms.demo.seed import seed
    from lms.extensions import db
    from lms.reports.refresh import refresh

    out: dict[str, Any] = {}
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade()
    load_directory(ROOT / "curricula")
    import_directory(ROOT / "question_banks")
    out["logins"] = seed()["logins"]
    db.session.commit()
    started = time.perf_counter()
    out["generated"] = bulk(people, seed=1)
    db.session.commit()
    out["generate_seconds"] = round(time.perf_counter() - started, 1)
    analyse()
    started = time.perf_counter()
    refresh()
    db.session.commit()
    out["refresh_seconds"] = round(time.perf_counter() - started, 2)
    out["rows"] = {name: db.session.scalar(select(func.count()).select_from(model))
                   for name, model in (("people", User), ("attempts", Attempt), ("certificates", Certificate))}
    return out


def analyse() -> None:
    """Fresh planner statistics after a bulk load."""
    from sqlalchemy import text

    from lms.extensions import db

    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
