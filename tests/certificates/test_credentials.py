import base64
import gzip
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.certificates import credentials, keys, services
from lms.certificates.credentials import VerificationError, verify_offline
from lms.extensions import db


def _published(client):
    jwks = client.get("/.well-known/jwks.json").get_json()
    lists = {p: client.get(f"/credentials/status/{p}").get_data(as_text=True) for p in credentials.PURPOSES}
    return jwks, lists


def test_the_credential_is_a_signed_vc_jwt(client, issued):
    token = client.get(f"/v/{issued.code}/credential").get_data(as_text=True)
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "vc+jwt" and header["alg"] == "EdDSA" and header["kid"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "VerifiableCredential" in claims["type"]
    assert claims["credentialSubject"]["certificateNumber"] == issued.number
    assert {s["statusPurpose"] for s in claims["credentialStatus"]} == {"revocation", "suspension"}
    jwks, lists = _published(client)
    assert verify_offline(token, jwks, lists)["number"] == issued.number


def test_the_status_list_is_gzip_base64url_of_at_least_131072_bits(client, issued, make_user):
    services.change_status(issued, "revoke", "Подлог", make_user("centre_admin"))
    db.session.commit()
    token = client.get("/credentials/status/revocation").get_data(as_text=True)
    subject = jwt.decode(token, options={"verify_signature": False})["credentialSubject"]
    raw = subject["encodedList"]
    bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    assert len(bits) * 8 >= 131072
    assert bits[issued.status_index // 8] & (0x80 >> (issued.status_index % 8))


def test_offline_verifier_rejects_revoked_tampered_and_wrongly_signed(client, issued, make_user):
    token = client.get(f"/v/{issued.code}/credential").get_data(as_text=True)
    jwks, lists = _published(client)
    # tampered payload
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["credentialSubject"]["name"] = "Подделкин"
    forged = head + "." + base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode() + "." + sig
    with pytest.raises(VerificationError):
        verify_offline(forged, jwks, lists)
    # signed by a key that is not the Centre's, claiming the Centre's key id
    stranger = jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA",
                          headers={"typ": "vc+jwt", "kid": jwt.get_unverified_header(token)["kid"]})
    with pytest.raises(VerificationError):
        verify_offline(stranger, jwks, lists)
    # revoked: the new status list says so at once
    services.change_status(issued, "revoke", "Подлог", make_user("centre_admin"))
    db.session.commit()
    jwks, lists = _published(client)
    with pytest.raises(VerificationError, match="revoked"):
        verify_offline(token, jwks, lists)


def test_cli_verify_offline(app, client, issued, tmp_path):
    token = client.get(f"/v/{issued.code}/credential").get_data(as_text=True)
    jwks, lists = _published(client)
    (tmp_path / "c.jwt").write_text(token)
    (tmp_path / "jwks.json").write_text(json.dumps(jwks))
    (tmp_path / "rev.jwt").write_text(lists["revocation"])
    (tmp_path / "sus.jwt").write_text(lists["suspension"])
    args = ["certificates", "verify-offline", str(tmp_path / "c.jwt"), "--jwks", str(tmp_path / "jwks.json"),
            "--status-list", str(tmp_path / "rev.jwt"), "--suspension-list", str(tmp_path / "sus.jwt")]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0 and "VALID" in result.output
    (tmp_path / "c.jwt").write_text(token[:-4] + "AAAA")
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1 and "NOT VALID" in result.output


def test_key_rotation_keeps_old_credentials_verifiable(app, client, issued, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_SIGNING_KEY_PATH", str(tmp_path / "instance" / "signing_key.pem"))
    from lms.instance_keys import ensure_keys

    ensure_keys(tmp_path / "instance")
    old_token = credentials.credential_jwt(issued)
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    new_kid = keys.rotate()
    db.session.commit()
    assert new_kid != old_kid
    new_token = credentials.credential_jwt(issued)
    assert jwt.get_unverified_header(new_token)["kid"] == new_kid
    jwks, lists = _published(client)
    assert {old_kid, new_kid} <= {k["kid"] for k in jwks["keys"]}
    assert verify_offline(old_token, jwks, lists) and verify_offline(new_token, jwks, lists)
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0 and "new signing key" in result.output
