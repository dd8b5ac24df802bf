from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from lms.extensions import db

reports_cli = AppGroup("reports", help="Reports: indicator 5, breakdowns, open data.")


@reports_cli.command("refresh")
def refresh_command() -> None:
    """Rebuild the report tables now (the worker also does it every LMS_REPORTS_REFRESH_SECONDS)."""
    from lms.reports.refresh import refresh

    snapshot = refresh()
    db.session.commit()
    click.echo(f"reports rebuilt in {snapshot.seconds} s (data as of {snapshot.as_of.isoformat(timespec='seconds')})")


@reports_cli.command("indicator")
def indicator_command() -> None:
    """Print indicator 5 by year as JSON (what /api/v1/open-data/indicator5 publishes, without suppression)."""
    from lms.reports import queries

    click.echo(json.dumps({"as_of": queries.as_of(), "items": [
        {"year": r.year, "target": r.target, "value": r.value, "passed": r.passed, "tested": r.tested,
         "population": r.population, "value_population": r.value_population} for r in queries.indicator()]},
        indent=2))
