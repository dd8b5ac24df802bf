from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from lms import ROOT
from lms.cli import data_directory
from lms.extensions import db

banks_cli = AppGroup("banks", help="The Centre's question banks: validate, import, stats, export.")
DEFAULT_DIR = ROOT / "question_banks"


def _directory(value: str | None) -> Path:
    return data_directory(value, DEFAULT_DIR)


@banks_cli.command("validate")
@click.argument("directory", required=False)
def validate_command(directory: str | None) -> None:
    """Report every problem in the bank files with file and line; exit 1 on any."""
    from lms.assessments.banks import read_directory

    questions, problems = read_directory(_directory(directory))
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(questions)} questions, {len(problems)} problem(s)")
    if problems:
        raise SystemExit(1)


@banks_cli.command("import")
@click.argument("directory", required=False)
def import_command(directory: str | None) -> None:
    """Import all banks in one transaction (nothing at all if any file has a problem)."""
    from lms.assessments.banks import import_directory

    report = import_directory(_directory(directory))
    if report.problems:
        db.session.rollback()
        for problem in report.problems:
            click.echo(str(problem), err=True)
        click.echo(f"nothing imported: {len(report.problems)} problem(s)", err=True)
        raise SystemExit(1)
    db.session.commit()
    for conflict in report.conflicts:
        click.echo(f"conflict: {conflict}")
    click.echo(f"banks: {report.added} added, {report.updated} new versions, {report.unchanged} unchanged, "
               f"{report.retired} retired, {report.reactivated} reactivated, {len(report.conflicts)} conflicts")


@banks_cli.command("stats")
@click.option("--json", "as_json", is_flag=True)
def stats_command(as_json: bool) -> None:
    """Active questions per curriculum and language."""
    from lms.assessments.banks import stats

    items = stats()
    if as_json:
        click.echo(json.dumps({"items": items}))
        return
    for item in items:
        click.echo(f"{item['code']:<16} active {item['active']:>4}  kk {item['kk']:>4}  ru {item['ru']:>4}  "
                   f"ky {item['ky']:>4}  en {item['en']:>4}")


@banks_cli.command("export")
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["moodle", "gift"]), default="moodle")
@click.option("--lang", default="ru")
@click.option("--output", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
def export_command(code: str, fmt: str, lang: str, output: str | None) -> None:
    """Export a curriculum's active questions to Moodle XML or GIFT (for practice tests in Moodle)."""
    from lms.assessments.banks import to_gift, to_moodle_xml

    try:
        text = to_moodle_xml(code, lang) if fmt == "moodle" else to_gift(code, lang)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text)


@banks_cli.command("rebuild-stats")
def rebuild_stats_command() -> None:
    """Recompute the item-analysis sums of every test from its finished attempts (after a bulk load)."""
    from sqlalchemy import select

    from lms.assessments.models import TestDefinition
    from lms.assessments.stats import rebuild

    for test in db.session.scalars(select(TestDefinition)):
        rebuild(test.id)
        click.echo(f"rebuilt {test.curriculum.code}")
    db.session.commit()
