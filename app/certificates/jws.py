"""Compact JWS with Ed25519, the way credentials are secured here.

Follows "Securing Verifiable Credentials using JOSE and COSE" (W3C, VC-JOSE-COSE) section 3.1.1
"Securing JSON-LD Verifiable Credentials with JOSE": the unsecured credential is the JWS payload
itself (no `vc` claim), header `typ` "vc+jwt" and `cty` "vc"; with RFC 7515 (JWS, compact
serialization, section 7.1) and RFC 8037 (alg "EdDSA", Ed25519). The header names the signing key
by `kid` (see keys.py). The payload is UTF-8 JSON, Vietnamese as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.certificates.keys import b64url, b64url_decode, thumbprint

ALG = "EdDSA"
TYP = "vc+jwt"
CTY = "vc"
MAX_TOKEN_LENGTH = 1_000_000  # far above any credential or status list (about 2.5 KB and 1 KB)


class MalformedToken(ValueError):
    """Not a compact JWS with a JSON header and payload."""


def sign(payload: dict, key: Ed25519PrivateKey) -> str:
    header = {"alg": ALG, "kid": thumbprint(key.public_key()), "typ": TYP, "cty": CTY}
    head = b64url(json.dumps(header, separators=(",", ":")).encode("ascii"))
    body = b64url(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    signing_input = f"{head}.{body}".encode("ascii")
    return f"{head}.{body}.{b64url(key.sign(signing_input))}"


@dataclass(frozen=True)
class Parsed:
    header: dict
    payload: dict
    signing_input: bytes
    signature: bytes


def _json_object(part: str) -> dict:
    try:
        value = json.loads(b64url_decode(part).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise MalformedToken("not base64url JSON") from None
    if not isinstance(value, dict):
        raise MalformedToken("not a JSON object")
    return value


def parse(token: str) -> Parsed:
    """The parts of a compact JWS (surrounding whitespace ignored, as in a file); MalformedToken
    for anything else. The signature is not checked here."""
    token = token.strip() if isinstance(token, str) else ""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise MalformedToken("empty, too long or not ASCII")
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedToken("not three parts")
    header, payload = _json_object(parts[0]), _json_object(parts[1])
    try:
        signature = b64url_decode(parts[2])
    except ValueError:
        raise MalformedToken("signature not base64url") from None
    return Parsed(header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)
