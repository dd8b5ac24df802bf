"""Rebuild the report tables from the attempts, training records and certificates: a handful of
INSERT ... SELECT ... GROUP BY statements in one transaction. Years are calendar years in the profile's
time zone, cut with boundaries computed here (zoneinfo), so SQLite and PostgreSQL count the same."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Column, Integer, MetaData, String, Table, case, delete, func, insert, literal, select, union_all
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from lms.assessments.models import Attempt
from lms.certificates.models import Certificate
from lms.clock import utcnow
from lms.curricula.models import CurriculumVersion
from lms.extensions import db
from lms.jobs import periodic
from lms.organisations.models import Organisation
from lms.profiles import get_profile
from lms.reports.models import CELL, ReportAttempts, ReportCertificates, ReportPeople, ReportSnapshot
from lms.training.models import TrainingRecord
from lms.util import local_today

# Persons responsible for safety and labour protection (indicator 5's population): heads of organisations
# and the persons they make responsible, OSH specialists, technical inspectors and production-council chairs.
RESPONSIBLE = ("managers", "osh_specialists", "worker_representatives")
EXPIRING_DAYS = 30


def year_start(year: int) -> datetime:
    """The first instant of ``year`` in the profile's time zone."""
    return datetime(year, 1, 1, tzinfo=get_profile().tz)


def local_year(column: Any, first: int, last: int, start: Callable[[int], Any]) -> ColumnElement[int]:
    """The calendar year of ``column`` as a CASE over the year boundaries ``start(y)`` for first..last."""
    if first >= last:
        return literal(first, Integer())
    return case(*[(column < start(y + 1), y) for y in range(first, last)], else_=last)


def _span(*columns: Any) -> tuple[int, int] | None:
    """The first and last local year any of ``columns`` (aware UTC datetimes or dates) holds."""
    tz = get_profile().tz
    years = []
    for column in columns:
        low, high = db.session.execute(select(func.min(column), func.max(column))).one()
        for value in (low, high):
            if value is not None:
                years.append(value.astimezone(tz).year if isinstance(value, datetime) else value.year)
    return (min(years), max(years)) if years else None


def refresh() -> ReportSnapshot:
    """Replace every report row; one transaction, so readers see the old figures or the new, never a mix.
    The snapshot row is locked first, so two refreshes at once run one after the other."""
    started = time.perf_counter()
    snapshot = db.session.get(ReportSnapshot, 1, with_for_update=True)
    if snapshot is None:
        snapshot = ReportSnapshot(id=1, as_of=utcnow(), seconds=0)
        db.session.add(snapshot)
        db.session.flush()
    now, today = utcnow(), local_today()
    for table in (ReportAttempts, ReportCertificates, ReportPeople):
        db.session.execute(delete(table))
    span = _span(Attempt.finished_at, TrainingRecord.completed_on, Certificate.issued_at)
    if span is not None:
        _attempts(*span)
        _certificates(*span, today)
        _people(*span)
    snapshot.as_of = now
    snapshot.seconds = round(time.perf_counter() - started, 3)
    db.session.flush()
    return snapshot


def _cube(table: Any, rows: Any, keys: Sequence[str], measures: dict[str, Any]) -> None:
    """INSERT INTO table SELECT keys, measures FROM rows GROUP BY keys (``rows`` a subquery)."""
    columns = [rows.c[k] for k in keys]
    select_ = select(*columns, *[m.label(name) for name, m in measures.items()]).group_by(*columns)
    db.session.execute(insert(table).from_select([*keys, *measures], select_))


def _attempts(first: int, last: int) -> None:
    a, r = Attempt, TrainingRecord
    first_attempt = case((a.number == 1, 1), else_=0)
    passed = case((a.passed.is_(True), 1), else_=0)
    rows = (
        select(local_year(a.finished_at, first, last, year_start).label("year"), r.audience, Organisation.region,
               CurriculumVersion.sector, r.curriculum_id, r.organisation_id, a.language,
               passed.label("passed"), first_attempt.label("first"), (first_attempt * passed).label("first_passed"),
               func.coalesce(a.percent, 0).label("percent"))
        .join_from(a, r, a.training_record_id == r.id)
        .join(Organisation, Organisation.id == r.organisation_id)
        .join(CurriculumVersion, CurriculumVersion.id == r.curriculum_version_id)
        .where(a.status == "finished", r.status == "valid")
    ).subquery()
    _cube(ReportAttempts, rows, CELL, {
        "attempts": func.count(), "passes": func.sum(rows.c.passed), "first_attempts": func.sum(rows.c.first),
        "first_passes": func.sum(rows.c.first_passed), "score_sum": func.sum(rows.c.percent)})


def _certificates(first: int, last: int, today: date) -> None:
    c, r = Certificate, TrainingRecord
    soon = today + timedelta(days=EXPIRING_DAYS)
    valid = c.status == "valid"

    def flag(condition: Any) -> Any:
        return case((condition, 1), else_=0)

    rows = (
        select(local_year(c.issued_at, first, last, year_start).label("year"), r.audience, Organisation.region,
               CurriculumVersion.sector, c.curriculum_id, c.organisation_id, c.language,
               flag(valid & (c.valid_until >= today)).label("in_force"),
               flag(valid & (c.valid_until >= today) & (c.valid_until <= soon)).label("expiring"),
               flag(valid & (c.valid_until < today)).label("expired"),
               flag(c.status == "suspended").label("suspended"), flag(c.status == "revoked").label("revoked"))
        .join_from(c, r, c.training_record_id == r.id)
        .join(Organisation, Organisation.id == c.organisation_id)
        .join(CurriculumVersion, CurriculumVersion.id == c.curriculum_version_id)
    ).subquery()
    _cube(ReportCertificates, rows, CELL, {"issued": func.count(), **{
        name: func.sum(rows.c[name]) for name in ("in_force", "expiring", "expired", "suspended", "revoked")}})


# One row per person, year and cell of category, region and sector, for the duration of a refresh only.
_STAGE = Table("report_stage", MetaData(), Column("year", Integer), Column("iin", String(14)),
               Column("audience", String(40)), Column("region", String(40)), Column("sector", String(40)),
               Column("tested", Integer), Column("passed", Integer), prefixes=["TEMPORARY"])


def _people(first: int, last: int) -> None:
    """Distinct persons (by IIN) per year: tested (a graded attempt that year), passed (a passed one), and
    the population: everyone with a valid training record completed that year or tested that year.

    The attempts and records are read once, into a temporary table of (year, person, category, region,
    sector); each figure is then a count of rows after grouping by (year, scope, person), which both
    databases do by hashing rather than the sort a COUNT(DISTINCT) needs."""
    a, r = Attempt, TrainingRecord
    dims = (r.iin, r.audience, Organisation.region.label("region"), CurriculumVersion.sector.label("sector"))
    tested = (
        select(local_year(a.finished_at, first, last, year_start).label("year"), *dims,
               literal(1).label("tested"), case((a.passed.is_(True), 1), else_=0).label("passed"))
        .join_from(a, r, a.training_record_id == r.id)
        .join(Organisation, Organisation.id == r.organisation_id)
        .join(CurriculumVersion, CurriculumVersion.id == r.curriculum_version_id)
        .where(a.status == "finished", r.status == "valid")
    )
    trained = (
        select(local_year(r.completed_on, first, last, lambda y: date(y, 1, 1)).label("year"), *dims,
               literal(0).label("tested"), literal(0).label("passed"))
        .select_from(r)
        .join(Organisation, Organisation.id == r.organisation_id)
        .join(CurriculumVersion, CurriculumVersion.id == r.curriculum_version_id)
        .where(r.status == "valid")
    )
    rows = union_all(tested, trained).subquery()
    keys = [rows.c.year, rows.c.iin, rows.c.audience, rows.c.region, rows.c.sector]
    connection = db.session.connection()
    _STAGE.drop(connection, checkfirst=True)
    _STAGE.create(connection)
    try:
        connection.execute(insert(_STAGE).from_select(
            [c.name for c in _STAGE.columns],
            select(*keys, func.max(rows.c.tested), func.max(rows.c.passed)).group_by(*keys)))
        stage = _STAGE.c
        groups: list[tuple[str, Any]] = [("responsible", stage.audience.in_(RESPONSIBLE)), ("all", None)]
        for scope in ("all", "region", "sector"):
            for group, condition in groups:
                _count_people(scope, None if scope == "all" else stage[scope], literal(group), condition)
        _count_people("all", None, stage.audience, None)  # each category on its own, for the whole country
    finally:
        _STAGE.drop(connection)


def _count_people(scope: str, scope_column: Any, group: Any, condition: Any) -> None:
    stage = _STAGE.c
    per_person = [stage.year, stage.iin, *([] if scope_column is None else [scope_column]),
                  *([] if isinstance(group, BindParameter) else [group])]
    inner = select(*per_person, func.max(stage.tested).label("tested"), func.max(stage.passed).label("passed"))
    if condition is not None:
        inner = inner.where(condition)
    inner = inner.group_by(*per_person).subquery()
    value = literal("") if scope_column is None else inner.c[scope_column.name]
    label = group if isinstance(group, BindParameter) else inner.c[group.name]
    outer_keys = [inner.c.year, *([] if scope_column is None else [value]),
                  *([] if isinstance(group, BindParameter) else [label])]
    db.session.execute(insert(ReportPeople).from_select(
        ["year", "scope", "scope_value", "audience_group", "tested", "passed", "population"],
        select(inner.c.year, literal(scope), value, label, func.sum(inner.c.tested), func.sum(inner.c.passed),
               func.count()).group_by(*outer_keys)))


@periodic("refresh_reports", seconds=60)
def refresh_when_due() -> bool:
    """The worker's task: rebuild when the snapshot is older than ``LMS_REPORTS_REFRESH_SECONDS``."""
    snapshot = db.session.get(ReportSnapshot, 1)
    age = current_app.config["LMS_REPORTS_REFRESH_SECONDS"]
    if snapshot is not None and (utcnow() - snapshot.as_of).total_seconds() < age:
        return False
    refresh()
    return True
