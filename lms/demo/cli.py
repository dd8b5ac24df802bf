from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from lms.extensions import db

demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("seed")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def seed_command(as_json: bool) -> None:
    """Create (idempotently) demo users for every role and print their logins."""
    from lms.demo.seed import seed

    if current_app.config["LMS_ENV"] == "production":
        raise click.ClickException("Refusing to create demo accounts in production.")
    result = seed()
    db.session.commit()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo("Demo logins (e-mail / password):")
    for role, login in result["logins"].items():
        click.echo(f"  {role:<13} {login['login']:<34} {login['password']}")


@demo_cli.command("bulk")
@click.option("--people", type=click.IntRange(1, 10_000_000), required=True, help="How many trained persons.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same seed, same data).")
@click.option("--no-refresh", is_flag=True, help="Skip rebuilding the report tables at the end.")
def bulk_command(people: int, seed: int, no_refresh: bool) -> None:
    """Generate realistic volumes fast: organisations, courses, training records, attempts, certificates."""
    from lms.demo.bulk import bulk

    if current_app.config["LMS_ENV"] == "production":
        raise click.ClickException("Refusing to generate demo data in production.")
    totals = bulk(people, seed=seed)
    db.session.commit()
    click.echo(", ".join(f"{k}: {v}" for k, v in totals.items()))
    if not no_refresh:
        from lms.reports.refresh import refresh

        snapshot = refresh()
        db.session.commit()
        click.echo(f"reports rebuilt in {snapshot.seconds} s")
