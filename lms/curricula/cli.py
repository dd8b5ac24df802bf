from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from lms import ROOT
from lms.cli import data_directory
from lms.extensions import db

curricula_cli = AppGroup("curricula", help="Model curricula: load the shipped files, export, validate.")
DEFAULT_DIR = ROOT / "curricula"


def _directory(value: str | None) -> Path:
    return data_directory(value, DEFAULT_DIR)


@curricula_cli.command("load")
@click.argument("directory", required=False)
def load_command(directory: str | None) -> None:
    """Load curriculum files (default: curricula/) idempotently; report conflicts with the Centre's edits."""
    from lms.curricula.services import load_directory

    with force_locale("en"):
        report = load_directory(_directory(directory))
        db.session.commit()
        for label, items in (("added", report.added), ("updated", report.updated),
                             ("unchanged", report.unchanged), ("conflict", report.conflicts)):
            for item in items:
                click.echo(f"{label}: {item}")
        for error in report.errors:
            click.echo(f"error: {error}", err=True)
    click.echo(f"curricula: {len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} "
               f"unchanged, {len(report.conflicts)} conflicts, {len(report.errors)} errors")
    if not report.ok:
        raise SystemExit(1)


@curricula_cli.command("validate")
@click.argument("directory", required=False)
def validate_command(directory: str | None) -> None:
    """Check curriculum files without loading them (the loader's own checks)."""
    from lms.curricula.services import read_directory

    problems = 0
    with force_locale("en"):
        for _path, _data, errors in read_directory(_directory(directory)):
            for line in errors:
                click.echo(line, err=True)
            problems += len(errors)
    click.echo(f"{problems} problem(s)")
    if problems:
        raise SystemExit(1)


@curricula_cli.command("export")
@click.argument("directory", required=False)
def export_command(directory: str | None) -> None:
    """Write the database's current version of every curriculum back to files."""
    from lms.curricula.services import export_directory

    target = Path(directory) if directory else DEFAULT_DIR
    for path in export_directory(target):
        click.echo(f"wrote {path}")
