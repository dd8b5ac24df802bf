"""W3C Verifiable Credentials 2.0 secured as JWTs (``typ: vc+jwt``, EdDSA), Bitstring Status Lists for
revocation and suspension, and an offline verifier that needs only the JWKS and the status list."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, date, datetime
from typing import Any

import jwt
from jwt.algorithms import OKPAlgorithm
from sqlalchemy import func, select

from lms.certificates import keys
from lms.certificates.models import Certificate
from lms.clock import utcnow
from lms.extensions import db
from lms.profiles import get_profile
from lms.util import external_url

LIST_BLOCK = 131072  # entries; lists grow in blocks of this size
PURPOSES = ("revocation", "suspension")


def _end_of_day(day: date) -> datetime:
    return get_profile().end_of_day_utc(day)


def credential(certificate: Certificate) -> dict[str, Any]:
    profile = get_profile()
    verify = external_url("verification.verify", code=certificate.code)
    status = [
        {"id": f"{external_url('verification.status_list', purpose=purpose)}#{certificate.status_index}",
         "type": "BitstringStatusListEntry", "statusPurpose": purpose,
         "statusListIndex": str(certificate.status_index),
         "statusListCredential": external_url("verification.status_list", purpose=purpose)}
        for purpose in PURPOSES
    ]
    version = certificate.version
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": verify,
        "type": ["VerifiableCredential", "OccupationalSafetyCertificate"],
        "issuer": {"id": external_url("main.index").rstrip("/"), "name": profile.centre_names["ru"]},
        "validFrom": certificate.issued_at.isoformat(),
        "validUntil": _end_of_day(certificate.valid_until).isoformat(),
        "credentialSubject": {
            "name": certificate.holder_name,
            "certificateNumber": certificate.number,
            "curriculum": {"code": certificate.curriculum.code, "version": version.version,
                           "title": {k: version.title[k] for k in ("ru", profile.state_language)}},
            "trainingOrganisation": {"registryNumber": certificate.organisation.registry_number,
                                     "name": certificate.organisation.name_ru},
            "testDate": certificate.test_date.isoformat(),
            "score": certificate.score_percent,
        },
        "credentialStatus": status,
    }


def sign(payload: dict[str, Any], typ: str = "vc+jwt") -> str:
    kid, private = keys.current()
    return jwt.encode(payload, private, algorithm="EdDSA", headers={"typ": typ, "kid": kid})


def credential_jwt(certificate: Certificate) -> str:
    vc = credential(certificate)
    now = int(utcnow().timestamp())
    claims = {**vc, "iss": vc["issuer"]["id"], "jti": vc["id"], "iat": now,
              "nbf": int(certificate.issued_at.timestamp()),
              "exp": int(_end_of_day(certificate.valid_until).timestamp())}
    return sign(claims)


def encoded_list(purpose: str) -> str:
    """The GZIP-compressed, base64url-encoded bitstring: bit i set when certificate i is revoked/suspended."""
    status = "revoked" if purpose == "revocation" else "suspended"
    top = db.session.scalar(select(func.max(Certificate.status_index))) or 0
    size = max(LIST_BLOCK, ((top // LIST_BLOCK) + 1) * LIST_BLOCK)
    bits = bytearray(size // 8)
    for index in db.session.scalars(select(Certificate.status_index).where(Certificate.status == status)):
        bits[index // 8] |= 0x80 >> (index % 8)  # most significant bit first, as the specification says
    return base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode()


def status_list_jwt(purpose: str) -> str:
    encoded = encoded_list(purpose)
    url = external_url("verification.status_list", purpose=purpose)
    now = int(utcnow().timestamp())
    payload = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": external_url("main.index").rstrip("/")},
        "validFrom": utcnow().isoformat(),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": purpose,
                              "encodedList": encoded},
        "iss": external_url("main.index").rstrip("/"), "iat": now, "exp": now + 3600,
    }
    return sign(payload)


# ---------------------------------------------------------------------------- offline verification
class VerificationError(Exception):
    """The credential is not genuine, or not valid: the message says which."""


def _key_for(token: str, jwks: dict[str, Any]) -> Any:
    header = jwt.get_unverified_header(token)
    if header.get("alg") != "EdDSA":
        raise VerificationError(f"unexpected algorithm {header.get('alg')!r}")
    match = next((k for k in jwks.get("keys", []) if k.get("kid") == header.get("kid")), None)
    if match is None:
        raise VerificationError(f"no published key with id {header.get('kid')!r}")
    return OKPAlgorithm.from_jwk(json.dumps(match))


def _decode(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    try:
        return jwt.decode(token, _key_for(token, jwks), algorithms=["EdDSA"],
                          options={"verify_aud": False, "verify_exp": False, "verify_nbf": False})
    except VerificationError:
        raise
    except jwt.InvalidTokenError as exc:
        raise VerificationError(f"signature or format not valid: {exc}") from None


def _bit(status_token: str, jwks: dict[str, Any], index: int, purpose: str) -> bool:
    payload = _decode(status_token, jwks)
    subject = payload.get("credentialSubject", {})
    if subject.get("statusPurpose") != purpose:
        raise VerificationError(f"the status list is for {subject.get('statusPurpose')!r}, not {purpose!r}")
    raw = subject["encodedList"]
    bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    if index >= len(bits) * 8:
        raise VerificationError("the status index is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def verify_offline(token: str, jwks: dict[str, Any], status_lists: dict[str, str],
                   now: datetime | None = None) -> dict[str, Any]:
    """Check a credential with no network: signature by a published key, validity dates, status bits."""
    now = now or datetime.now(UTC)
    claims = _decode(token.strip(), jwks)
    if jwt.get_unverified_header(token.strip()).get("typ") != "vc+jwt":
        raise VerificationError("not a vc+jwt credential")
    valid_from = datetime.fromisoformat(claims["validFrom"])
    valid_until = datetime.fromisoformat(claims["validUntil"])
    if now < valid_from:
        raise VerificationError("not valid yet")
    result = {"number": claims["credentialSubject"]["certificateNumber"], "holder": claims["credentialSubject"]["name"],
              "valid_until": claims["validUntil"], "status": "valid"}
    for entry in claims.get("credentialStatus", []):
        purpose = entry["statusPurpose"]
        if purpose in status_lists and _bit(status_lists[purpose], jwks, int(entry["statusListIndex"]), purpose):
            result["status"] = "revoked" if purpose == "revocation" else "suspended"
            raise VerificationError(f"the certificate is {result['status']}")
    if now > valid_until:
        raise VerificationError("the certificate has expired")
    return result


