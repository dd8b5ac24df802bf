"""Command-line interface: one Click group per domain, registered on the app."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from lms.extensions import db

users_cli = AppGroup("users", help="Accounts.")


def data_directory(value: str | None, default: Path) -> Path:
    """A command's DIRECTORY argument (default: the shipped data folder)."""
    path = Path(value) if value else default
    if not path.is_dir():
        raise click.ClickException(f"not a directory: {path}")
    return path


@users_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "full_name", prompt="Full name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(email: str, full_name: str, password: str) -> None:
    """Create the first Centre administrator (or give an existing account that role)."""
    from lms.accounts import services
    from lms.accounts.roles import CENTRE_ADMIN
    from lms.domain import ValidationFailed

    try:
        user = services.find_by_email(email)
        if user is None:
            user = services.create_user(email=email, full_name=full_name, password=password)
        services.grant_role(user, CENTRE_ADMIN)
    except ValidationFailed as exc:
        db.session.rollback()
        for field, messages in exc.errors.items():
            for message in messages:
                click.echo(f"{field}: {message}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"Centre administrator: {user.email}")


@click.command("worker")
@click.option("--once", is_flag=True, help="Run due work once and exit (for cron or tests).")
def worker_command(once: bool) -> None:
    """Run the background worker: outbox e-mail, expiry of attempts, renewal notices, PDFs."""
    from flask import current_app

    from lms.jobs.worker import Worker

    worker = Worker()
    if once:
        click.echo(f"ran {worker.run_once(force_periodic=True)} job(s)")
        return
    worker.run_forever(current_app.config["LMS_WORKER_POLL_SECONDS"])


@click.command("backup")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Where to write (default LMS_BACKUP_PATH).")
def backup_command(directory: str | None) -> None:
    """Back up the database and the locally stored files into one .tar.gz with a manifest."""
    from flask import current_app

    from lms.backup import BackupError, backup

    try:
        path = backup(Path(directory or current_app.config["LMS_BACKUP_PATH"]))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written: {path}")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(archive: str, force: bool) -> None:
    """Restore a backup made by `flask backup` (stop the web servers and the worker first)."""
    from lms.backup import BackupError, restore

    try:
        manifest = restore(Path(archive), force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored the backup of {manifest['created_at']} (revision {manifest['revision']}): "
               + ", ".join(f"{k} {v}" for k, v in manifest["counts"].items()))


def register_cli(app: Flask) -> None:
    from lms.assessments.cli import banks_cli
    from lms.certificates.cli import certificates_cli, keys_cli
    from lms.curricula.cli import curricula_cli
    from lms.demo.cli import demo_cli
    from lms.reports.cli import reports_cli

    for command in (users_cli, worker_command, demo_cli, curricula_cli, banks_cli, keys_cli, certificates_cli,
                    reports_cli, backup_command, restore_command):
        app.cli.add_command(command)
