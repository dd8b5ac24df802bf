"""Snapshot tables of the reports. Each refresh replaces all their rows in one transaction; the primary keys
are the cells, so a cell can never be counted twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import UTCDateTime
from lms.extensions import db


class ReportSnapshot(db.Model):
    """When the report tables were last rebuilt (one row): the date of the data every report states."""

    __tablename__ = "report_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())  # statuses are counted on its date in the profile
    seconds: Mapped[float]

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


class Cell:
    """The key of a cube cell: year, category, region, sector, curriculum, training organisation, language."""

    year: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[str] = mapped_column(String(40), primary_key=True)
    region: Mapped[str] = mapped_column(String(40), primary_key=True)
    sector: Mapped[str] = mapped_column(String(40), primary_key=True)
    curriculum_id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(5), primary_key=True)


CELL = ("year", "audience", "region", "sector", "curriculum_id", "organisation_id", "language")  # Cell's keys


class ReportAttempts(Cell, db.Model):
    """Graded attempts per year (the profile's calendar) and cell: attempts, first attempts, passes, scores."""

    __tablename__ = "report_attempts"

    attempts: Mapped[int]
    passes: Mapped[int]
    first_attempts: Mapped[int]
    first_passes: Mapped[int]
    score_sum: Mapped[int]


class ReportCertificates(Cell, db.Model):
    """Certificates per year of issue and cell, with their status on the snapshot's date."""

    __tablename__ = "report_certificates"

    issued: Mapped[int]
    in_force: Mapped[int]
    expiring: Mapped[int]
    expired: Mapped[int]
    suspended: Mapped[int]
    revoked: Mapped[int]


class ReportPeople(db.Model):
    """Distinct persons per year, scope (the whole country, a region or a sector) and audience group:
    tested, passed, and everyone with a training record that year (trained in it or tested in it)."""

    __tablename__ = "report_people"

    year: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10), primary_key=True)  # all, region, sector
    scope_value: Mapped[str] = mapped_column(String(40), primary_key=True)  # '' for the whole country
    audience_group: Mapped[str] = mapped_column(String(40), primary_key=True)  # responsible, all, or an audience
    tested: Mapped[int]
    passed: Mapped[int]
    population: Mapped[int]

    __table_args__ = (
        CheckConstraint("scope IN ('all', 'region', 'sector')", name="known_scope"),
        CheckConstraint("passed <= tested AND tested <= population", name="nested_counts"),
    )
