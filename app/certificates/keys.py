"""The keys that sign certificates: one Ed25519 signing key, and the public keys of retired ones.

A credential names the key that signed it by `kid`, the key's JWK thumbprint (RFC 7638, SHA-256
over the required members `crv`, `kty`, `x` of the OKP key of RFC 8037 section 2). Verifiers find
the public keys in the JWKS document (RFC 7517 section 5) served at `/.well-known/jwks.json`: the
current key and every retired one, so that a certificate signed before a rotation still verifies.

Where the keys come from (settings read by app/config.py):
- CERTIFICATE_KEY_FILE: the private key, a PKCS#8 PEM file (`flask certificates new-key FILE`
  writes one). Required in production, so that every app server signs with the same key.
- CERTIFICATE_RETIRED_KEYS: PEM files of retired public keys, separated by os.pathsep (`:`).
- None named: development generates a key at first start and keeps it in the instance folder
  (certificate-key.pem); tests generate one in memory for each app.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import Flask, current_app

from app.config import ConfigError

DEVELOPMENT_KEY_FILE = "certificate-key.pem"  # in the instance folder
BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url(data: bytes) -> str:
    """base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """The bytes of unpadded base64url text; ValueError for anything else (padding, other
    alphabets, whitespace, a last character whose unused bits are set), so that no two texts of
    a token stand for the same bytes."""
    if not isinstance(text, str) or not BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url(data) != text:  # unused low bits set: another text for the same bytes
        raise ValueError("not canonical base64url")
    return data


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def thumbprint(key: Ed25519PublicKey) -> str:
    """The RFC 7638 JWK thumbprint: SHA-256 of the required members in lexicographic order, no
    whitespace, base64url."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": b64url(raw_public(key))}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode("ascii")
    return b64url(hashlib.sha256(canonical).digest())


@dataclass(frozen=True)
class PublicKey:
    """A public key as verifiers know it: its key id and the key."""

    kid: str
    key: Ed25519PublicKey

    @classmethod
    def of(cls, key: Ed25519PublicKey) -> PublicKey:
        return cls(thumbprint(key), key)

    def jwk(self) -> dict:
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url(raw_public(self.key)),
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
        }

    def pem(self) -> bytes:
        return self.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@dataclass(frozen=True)
class KeyRing:
    """The signing key (None for a ring read from a published JWKS, which only verifies) and the
    retired public keys."""

    signing: Ed25519PrivateKey | None
    retired: tuple[PublicKey, ...] = ()

    @functools.cached_property
    def current(self) -> PublicKey | None:
        return PublicKey.of(self.signing.public_key()) if self.signing is not None else None

    @functools.cached_property
    def _by_kid(self) -> dict[str, PublicKey]:
        return {key.kid: key for key in self.public_keys()}

    def public_keys(self) -> tuple[PublicKey, ...]:
        current = self.current
        keys = ((current,) if current else ()) + self.retired
        seen: dict[str, PublicKey] = {}
        for key in keys:
            seen.setdefault(key.kid, key)
        return tuple(seen.values())

    def find(self, kid: str) -> PublicKey | None:
        return self._by_kid.get(kid)

    def jwks(self) -> dict:
        return {"keys": [key.jwk() for key in self.public_keys()]}

    def rotated(self, new_signing: Ed25519PrivateKey) -> KeyRing:
        """This ring after a rotation: a new signing key, the old one retired."""
        old = (self.current,) if self.current else ()
        return KeyRing(new_signing, old + self.retired)


def generate() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def write_private_key(path: Path, key: Ed25519PrivateKey) -> None:
    """Write the key's PEM readable by its owner alone (0600), never over an existing file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(private_pem(key))


def read_private_key(path: str | Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in a PEM file, or ConfigError naming the file and what is wrong."""
    try:
        data = Path(path).read_bytes()
        key = serialization.load_pem_private_key(data, password=None)
    except OSError as exc:
        raise ConfigError(f"CERTIFICATE_KEY_FILE {path}: cannot be read ({exc.strerror})") from None
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ConfigError(f"CERTIFICATE_KEY_FILE {path}: not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"CERTIFICATE_KEY_FILE {path}: not an Ed25519 key")
    return key


def read_public_key(path: str | Path) -> PublicKey:
    """A retired key's public PEM (a private key PEM is accepted too: its public half is used)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"CERTIFICATE_RETIRED_KEYS {path}: cannot be read ({exc.strerror})") from None
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        try:
            private = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise ConfigError(f"CERTIFICATE_RETIRED_KEYS {path}: not a PEM key") from None
        key = private.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"CERTIFICATE_RETIRED_KEYS {path}: not an Ed25519 key")
    return PublicKey.of(key)


def _development_key(instance_path: str) -> Ed25519PrivateKey:
    path = Path(instance_path) / DEVELOPMENT_KEY_FILE
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            write_private_key(path, generate())
    return read_private_key(path)


def load_keyring(config: dict, instance_path: str) -> KeyRing:
    """The keys the configuration names (see the module's docstring)."""
    key_file = config.get("CERTIFICATE_KEY_FILE") or ""
    if key_file:
        signing = read_private_key(key_file)
    elif config.get("ENVIRONMENT") == "production":
        raise ConfigError("CERTIFICATE_KEY_FILE is not set: production signs certificates with it.")
    elif config.get("TESTING"):
        signing = generate()
    else:
        signing = _development_key(instance_path)
    retired = tuple(read_public_key(path) for path in config.get("CERTIFICATE_RETIRED_KEYS", ()))
    return KeyRing(signing, retired)


def keyring_from_jwks(document: dict) -> KeyRing:
    """A ring that verifies with the Ed25519 keys of a published JWKS document; ValueError when
    the document is not one."""
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise ValueError("not a JWKS document")
    found = []
    for jwk in keys:
        if isinstance(jwk, dict) and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            raw = b64url_decode(jwk.get("x", ""))
            if len(raw) != 32:
                raise ValueError("an Ed25519 key of the wrong length")
            found.append(PublicKey.of(Ed25519PublicKey.from_public_bytes(raw)))
    return KeyRing(None, tuple(found))


def init_app(app: Flask) -> None:
    """Load the keys at start, so that a missing or wrong key file stops the start naming it."""
    app.extensions["certificate_keys"] = load_keyring(app.config, app.instance_path)


def keyring(app: Flask | None = None) -> KeyRing:
    return (app or current_app).extensions["certificate_keys"]
