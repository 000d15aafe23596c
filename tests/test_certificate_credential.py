"""The signed credential (issue 14): signing, tamper evidence, key rotation, the status list, and
verifiers written with other libraries than the signer's."""

from __future__ import annotations

import base64
import json
import stat
from datetime import UTC, datetime

import jwt
import nacl.exceptions
import nacl.signing
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import create_app
from app.certificates import credential, jws, keys, status_list
from app.certificates.facts import CertificateFacts
from app.certificates.verify import verify
from app.config import ConfigError, load_config
from tests.certificate_data import BASE, LIST_URL
from tests.certificate_data import CREDENTIAL_FACTS as FACTS

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def ring() -> keys.KeyRing:
    return keys.KeyRing(keys.generate())


@pytest.fixture(scope="module")
def token(ring) -> str:
    return credential.sign(ring.signing, FACTS, BASE, LIST_URL)


def _status_list(ring, revoked, url=LIST_URL) -> str:
    return status_list.sign_status_list(ring.signing, url, revoked, NOW, BASE)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- the credential -----------------------------------------------------------------------------


def test_a_signed_credential_verifies_and_states_the_certificate_facts(ring, token):
    result = verify(token, ring)
    assert result.valid and result.code == "valid_unchecked" and not result.status_checked
    assert result.kid == ring.current.kid
    assert credential.facts_of(result.credential) == FACTS


def test_the_credential_has_the_open_badges_and_status_list_shape(token):
    header = json.loads(_unb64(token.split(".")[0]))
    assert header == {"alg": "EdDSA", "kid": header["kid"], "typ": "vc+jwt", "cty": "vc"}
    vc = json.loads(_unb64(token.split(".")[1]))
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["id"] == f"{BASE}/verify/GCN-2026-7KQ4M9XZ"
    assert vc["replaces"] == f"{BASE}/verify/GCN-2026-AB12CD34"
    assert vc["issuer"] == {"id": BASE, "type": ["Profile"], "name": "Sở Nội vụ thành phố Hà Nội"}
    assert vc["validFrom"] == "2026-05-05T00:00:00+07:00"
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["achievementType"] == "Course"
    assert subject["achievement"]["name"] == FACTS.course_title
    assert subject["result"][0]["value"] == "87.5"
    assert vc["credentialStatus"] == {
        "id": f"{LIST_URL}#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": LIST_URL,
    }
    # Only the facts on the paper: nothing else about the cadre.
    text = json.dumps(vc, ensure_ascii=False)
    assert "proof" not in vc and "@" not in text.replace("@context", "")


def test_a_course_without_a_graded_quiz_has_no_score(ring):
    facts = CertificateFacts(**{**FACTS.__dict__, "score": None, "replaces": None})
    result = verify(credential.sign(ring.signing, facts, BASE, LIST_URL), ring)
    assert "result" not in result.credential["credentialSubject"]
    assert credential.facts_of(result.credential) == facts


def test_every_changed_character_of_the_token_fails_with_a_reason(ring, token):
    codes = set()
    for position, char in enumerate(token):
        changed = token[:position] + ("B" if char == "A" else "A") + token[position + 1 :]
        result = verify(changed, ring)
        assert not result.valid, position
        assert str(result.reason)
        codes.add(result.code)
    assert "bad_signature" in codes and "malformed" in codes


def test_one_changed_byte_of_the_content_is_found(ring, token):
    head, body, signature = token.split(".")
    payload = bytearray(_unb64(body))
    for position in range(0, len(payload), 37):
        altered = bytearray(payload)
        altered[position] ^= 0x01
        result = verify(f"{head}.{_b64(bytes(altered))}.{signature}", ring)
        assert not result.valid
        assert result.code in ("bad_signature", "malformed")
    score = bytes(payload).replace(b'"value":"87.5"', b'"value":"97.5"')
    result = verify(f"{head}.{_b64(score)}.{signature}", ring)
    assert result.code == "bad_signature"
    assert "changed after it was issued" in result.reason


def test_a_credential_signed_by_another_key_fails(ring):
    other = keys.KeyRing(keys.generate())
    forged = credential.sign(other.signing, FACTS, BASE, LIST_URL)
    assert verify(forged, ring).code == "unknown_key"
    # the same, claiming our key's id
    head, body, _signature = forged.split(".")
    header = {"alg": "EdDSA", "kid": ring.current.kid, "typ": "vc+jwt", "cty": "vc"}
    head = _b64(json.dumps(header).encode())
    claimed = f"{head}.{body}.{_b64(other.signing.sign(f'{head}.{body}'.encode()))}"
    assert verify(claimed, ring).code == "bad_signature"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not a token",
        "a.b",
        "a.b.c.d",
        "ey.ey.ey",
        "é.é.é",
        "W10.W10.AAAA",
        _b64(b"[" * 100_000) + ".e30.AAAA",
        " \n",
        "x" * 2_000_000,
    ],
)
def test_what_is_not_a_credential_is_called_malformed(ring, text):
    result = verify(text, ring)
    assert not result.valid and result.code == "malformed"


def test_other_algorithms_and_documents_are_refused(ring):
    head = _b64(json.dumps({"alg": "none", "kid": ring.current.kid}).encode())
    body = _b64(json.dumps(credential.build(FACTS, BASE, LIST_URL)).encode())
    assert verify(f"{head}.{body}.", ring).code == "algorithm"
    a_status_list = _status_list(ring, [])
    assert verify(a_status_list, ring).code == "not_credential"


# --- keys and rotation --------------------------------------------------------------------------


def test_the_key_id_is_the_rfc_7638_thumbprint():
    # RFC 8037 appendix A.3: the thumbprint of the example Ed25519 key
    x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    public = keys.Ed25519PublicKey.from_public_bytes(_unb64(x))
    assert keys.thumbprint(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_after_a_rotation_old_credentials_still_verify(ring, token):
    rotated = ring.rotated(keys.generate())
    assert rotated.current.kid != ring.current.kid
    assert [k["kid"] for k in rotated.jwks()["keys"]] == [rotated.current.kid, ring.current.kid]
    assert verify(token, rotated).valid
    assert verify(credential.sign(rotated.signing, FACTS, BASE, LIST_URL), rotated).valid
    assert not verify(credential.sign(rotated.signing, FACTS, BASE, LIST_URL), ring).valid


def _key_files(tmp_path, name):
    path = tmp_path / f"{name}.pem"
    result = (
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
        .test_cli_runner()
        .invoke(args=["certificates", "new-key", str(path)])
    )
    assert result.exit_code == 0, result.output
    return path, tmp_path / f"{name}.public.pem", result.output


def test_the_configured_keys_sign_and_the_jwks_lists_current_and_retired(tmp_path, database_url):
    old, old_public, _ = _key_files(tmp_path, "old")
    new, _new_public, _ = _key_files(tmp_path, "new")
    before = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "CERTIFICATE_KEY_FILE": str(old)})
    old_token = credential.sign(keys.keyring(before).signing, FACTS, BASE, LIST_URL)
    after = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CERTIFICATE_KEY_FILE": str(new),
            "CERTIFICATE_RETIRED_KEYS": (str(old_public),),
        }
    )
    response = after.test_client().get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.mimetype == "application/jwk-set+json"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    published = keys.keyring_from_jwks(response.get_json())
    assert [k.kid for k in published.public_keys()] == [
        keys.keyring(after).current.kid,
        keys.keyring(before).current.kid,
    ]
    assert verify(old_token, keys.keyring(after)).valid
    assert verify(old_token, published).valid


def test_new_key_writes_a_private_key_only_its_owner_reads(tmp_path):
    path, public, output = _key_files(tmp_path, "signing")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    kid = keys.read_public_key(public).kid
    assert f"key id (kid): {kid}" in output and str(public) in output
    assert keys.thumbprint(keys.read_private_key(path).public_key()) == kid
    again = (
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
        .test_cli_runner()
        .invoke(args=["certificates", "new-key", str(path)])
    )
    assert again.exit_code != 0 and "exists" in again.output


def test_development_keeps_its_generated_key_in_the_instance_folder(tmp_path):
    config = {"ENVIRONMENT": "development", "TESTING": False, "CERTIFICATE_KEY_FILE": ""}
    first = keys.load_keyring(config, str(tmp_path))
    second = keys.load_keyring(config, str(tmp_path))
    assert first.current.kid == second.current.kid
    assert stat.S_IMODE((tmp_path / keys.DEVELOPMENT_KEY_FILE).stat().st_mode) == 0o600
    testing = {"ENVIRONMENT": "test", "TESTING": True}
    assert keys.load_keyring(testing, str(tmp_path)).current.kid != first.current.kid  # in memory


def test_production_refuses_to_start_without_a_signing_key(tmp_path):
    with pytest.raises(ConfigError, match="CERTIFICATE_KEY_FILE is not set"):
        load_config(str(tmp_path), {"BOIDUONG_ENV": "production", "SECRET_KEY": "k" * 40})
    not_a_key = tmp_path / "key.pem"
    not_a_key.write_text("hello")
    with pytest.raises(ConfigError, match="not an unencrypted PEM private key"):
        keys.load_keyring({"CERTIFICATE_KEY_FILE": str(not_a_key)}, str(tmp_path))
    with pytest.raises(ConfigError, match="cannot be read"):
        keys.load_keyring({"CERTIFICATE_KEY_FILE": str(tmp_path / "missing.pem")}, str(tmp_path))


# --- the status list ----------------------------------------------------------------------------


@given(st.sets(st.integers(min_value=0, max_value=300_000), max_size=200))
def test_status_list_encode_decode_round_trip(revoked):
    encoded = status_list.encode(revoked)
    assert encoded.startswith("u")
    bitstring = status_list.decode(encoded)
    assert len(bitstring) * 8 >= status_list.MIN_BITS
    assert len(bitstring) * 8 % status_list.MIN_BITS == 0
    assert status_list.revoked_indexes(bitstring) == revoked
    for index in list(revoked)[:5]:
        assert status_list.is_set(bitstring, index)


def test_status_list_bit_zero_is_the_left_most_bit_and_16_kb_is_the_least():
    bitstring = status_list.decode(status_list.encode([0, 9]))
    assert len(bitstring) == 16 * 1024
    assert bitstring[:2] == bytes([0x80, 0x40])
    with pytest.raises(status_list.StatusListError):
        status_list.is_set(bitstring, 131_072)


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "zABC",
        "u!!",
        "u" + _b64(b"not gzip"),
        "u" + _b64(__import__("gzip").compress(bytes(100), mtime=0)),  # shorter than 16 KB
    ],
)
def test_a_damaged_status_list_is_refused(encoded):
    with pytest.raises(status_list.StatusListError):
        status_list.decode(encoded)


def test_a_revoked_index_makes_verify_say_revoked(ring, token):
    assert verify(token, ring, _status_list(ring, [41, 43])).code == "valid"
    result = verify(token, ring, _status_list(ring, [7, 42]))
    assert not result.valid and result.revoked and result.status_checked
    assert "revoked" in result.reason


def test_a_status_list_not_signed_here_or_for_another_list_is_not_trusted(ring, token):
    stranger = keys.KeyRing(keys.generate())
    assert verify(token, ring, _status_list(stranger, [])).code == "list_untrusted"
    assert verify(token, ring, _status_list(ring, [], url=f"{BASE}/other")).code == "list_other"
    assert verify(token, ring, "garbage").code == "list_damaged"
    assert verify(token, ring, token).code == "list_other"  # a credential is not a status list


# --- verifiers written with other libraries -----------------------------------------------------


def test_pynacl_verifies_the_untouched_credential_from_the_published_jwks(app, client, ring):
    signed = credential.sign(keys.keyring(app).signing, FACTS, BASE, LIST_URL)
    jwks = json.loads(client.get("/.well-known/jwks.json").get_data(as_text=True))
    head, body, signature = signed.split(".")
    kid = json.loads(_unb64(head))["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
    verify_key = nacl.signing.VerifyKey(_unb64(jwk["x"]))
    verify_key.verify(f"{head}.{body}".encode(), _unb64(signature))  # raises if not
    assert json.loads(_unb64(body))["id"].endswith(FACTS.number)
    altered = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(nacl.exceptions.BadSignatureError):
        verify_key.verify(f"{head}.{altered}".encode(), _unb64(signature))


def test_pyjwt_verifies_the_untouched_credential_from_the_published_jwks(app, client):
    signed = credential.sign(keys.keyring(app).signing, FACTS, BASE, LIST_URL)
    jwks = jwt.PyJWKSet.from_json(client.get("/.well-known/jwks.json").get_data(as_text=True))
    kid = jwt.get_unverified_header(signed)["kid"]
    key = next(k for k in jwks.keys if k.key_id == kid)
    claims = jwt.decode(signed, key=key, algorithms=["EdDSA"])
    assert claims["credentialSubject"]["identifier"][0]["identityHash"] == "Nguyễn Thị Lan"
    other = keys.KeyRing(keys.generate())
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(credential.sign(other.signing, FACTS, BASE, LIST_URL), key=key, algorithms=["EdDSA"])


def test_the_jws_parser_and_signer_agree_with_pyjwt_on_the_header(ring, token):
    parsed = jws.parse(token)
    assert jwt.get_unverified_header(token) == parsed.header
