"""The Centre's Ed25519 signing keys. Private keys are PEM files in the keys folder (the first one is
LMS_SIGNING_KEY_PATH); the database publishes every public key by its id, retired ones included."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import select

from lms import audit
from lms.certificates.models import SigningKey
from lms.clock import utcnow
from lms.extensions import db


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(public: Ed25519PublicKey) -> dict[str, Any]:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw), "alg": "EdDSA", "use": "sig"}


def kid_for(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519-" + hashlib.sha256(raw).hexdigest()[:16]


def keys_dir() -> Path:
    return Path(current_app.config["LMS_SIGNING_KEY_PATH"]).parent / "signing_keys"


def _load(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 key")
    return key


def _register(private: Ed25519PrivateKey) -> SigningKey:
    public = private.public_key()
    kid = kid_for(public)
    row = db.session.get(SigningKey, kid)
    if row is None:
        row = SigningKey(kid=kid, public_jwk={**public_jwk(public), "kid": kid})
        db.session.add(row)
        db.session.flush()
    return row


def current() -> tuple[str, Ed25519PrivateKey]:
    """The newest key that is not retired (the configured key when there is no rotated one)."""
    candidates = sorted(keys_dir().glob("*.pem")) if keys_dir().is_dir() else []
    rows = {r.kid: r for r in db.session.scalars(select(SigningKey))}
    for path in reversed(candidates):
        private = _load(path)
        kid = kid_for(private.public_key())
        if kid not in rows or rows[kid].retired_at is None:
            _register(private)
            return kid, private
    private = _load(Path(current_app.config["LMS_SIGNING_KEY_PATH"]))
    row = _register(private)
    return row.kid, private


def jwks() -> dict[str, Any]:
    current()  # make sure the signing key is published
    rows = db.session.scalars(select(SigningKey).order_by(SigningKey.created_at)).all()
    return {"keys": [dict(r.public_jwk) for r in rows]}


def rotate(actor: Any = None) -> str:
    """A new key signs from now on; the old one is retired but stays published."""
    old_kid, _old = current()
    folder = keys_dir()
    folder.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}.pem"
    path.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    path.chmod(0o600)
    row = _register(private)
    old = db.session.get(SigningKey, old_kid)
    if old is not None and old.kid != row.kid:
        old.retired_at = utcnow()
    audit.record("keys.rotated", object_type="signing_keys", object_id=row.kid, before={"kid": old_kid},
                 after={"kid": row.kid}, actor=actor)
    return row.kid
