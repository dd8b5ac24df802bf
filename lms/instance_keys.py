"""Create the development secrets in instance/ when they are missing: ``python -m lms.instance_keys``.

Writes ``instance/secret_key`` (random, 64 bytes hex) and ``instance/signing_key.pem`` (the Centre's
Ed25519 key, PKCS#8 PEM). Existing files are never replaced.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def ensure_keys(instance: Path) -> list[str]:
    instance.mkdir(parents=True, exist_ok=True)
    created = []
    secret = instance / "secret_key"
    if not secret.exists():
        _write_private(secret, secrets.token_hex(64).encode())
        created.append(str(secret))
    signing = instance / "signing_key.pem"
    if not signing.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        _write_private(signing, pem)
        created.append(str(signing))
    return created


if __name__ == "__main__":
    root = Path(os.environ.get("LMS_INSTANCE_PATH") or Path(__file__).resolve().parent.parent / "instance")
    for name in ensure_keys(root):
        print(f"created {name}")
    sys.exit(0)
