from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.extensions import db

keys_cli = AppGroup("keys", help="The Centre's signing keys.")
certificates_cli = AppGroup("certificates", help="Certificates: offline verification.")


@keys_cli.command("rotate")
def rotate_command() -> None:
    """Sign with a new Ed25519 key from now on; the old one stays published in the JWKS."""
    from lms.certificates.keys import rotate

    kid = rotate()
    db.session.commit()
    click.echo(f"new signing key: {kid}")


@keys_cli.command("jwks")
def jwks_command() -> None:
    """Print the published keys (what /.well-known/jwks.json serves)."""
    from lms.certificates.keys import jwks

    click.echo(json.dumps(jwks(), indent=2))
    db.session.commit()


@certificates_cli.command("verify-offline")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--jwks", "jwks_file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--status-list", "revocation", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The revocation status list credential (/credentials/status/revocation).")
@click.option("--suspension-list", "suspension", type=click.Path(exists=True, dir_okay=False),
              help="The suspension status list credential (/credentials/status/suspension).")
def verify_offline_command(file: str, jwks_file: str, revocation: str, suspension: str | None) -> None:
    """Check a downloaded credential with no network: signature, dates and status lists."""
    from lms.certificates.credentials import VerificationError, verify_offline

    lists = {"revocation": Path(revocation).read_text().strip()}
    if suspension:
        lists["suspension"] = Path(suspension).read_text().strip()
    try:
        result = verify_offline(Path(file).read_text(), json.loads(Path(jwks_file).read_text()), lists)
    except (VerificationError, ValueError, KeyError) as exc:
        click.echo(f"NOT VALID: {exc}")
        raise SystemExit(1) from None
    click.echo(f"VALID: {result['number']} · {result['holder']} · until {result['valid_until']}")
