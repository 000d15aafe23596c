"""The published list of revoked certificates: W3C Bitstring Status List v1.0.

Follows the Recommendation's sections:
- 2.1 BitstringStatusListEntry: a credential's `credentialStatus` (`statusPurpose` "revocation",
  `statusListIndex` a base-10 string, `statusListCredential` the list's URL); built in
  credential.py with `entry()` below.
- 2.2 BitstringStatusListCredential: `credentialSubject` of type BitstringStatusList with
  `statusPurpose` and `encodedList`, the Multibase base64url (no padding, prefix "u") of the
  GZIP-compressed bitstring.
- 3.1 Bitstring Generation Algorithm: at least 16 KB (131,072 entries) for group privacy; bit 0 is
  the left-most bit of the first byte; a set bit (1) means revoked.
- 3.2 Bitstring Expansion Algorithm, and 3.3 Validate Algorithm: a list shorter than the minimum,
  or an index past its end, is an error (STATUS_LIST_LENGTH_ERROR / RANGE_ERROR).

Pure functions: the integrator feeds them the revoked indexes from the database. The list is
secured like a credential (jws.py).
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.certificates import jws
from app.certificates.keys import b64url, b64url_decode

MIN_BITS = 131_072  # 16 KB, section 3.1
MAX_BITS = 8 * 16 * 1024 * 1024  # what decode() accepts at most (16 MB unpacked): a gzip bomb stops
PURPOSE = "revocation"
CONTEXT = "https://www.w3.org/ns/credentials/v2"


class StatusListError(ValueError):
    """An encodedList that is not a valid bitstring status list."""


def size_for(indexes: Iterable[int]) -> int:
    """Bits needed to hold these indexes: the minimum, or whole 16 KB blocks beyond it."""
    top = max(indexes, default=-1) + 1
    return max(MIN_BITS, -(-top // MIN_BITS) * MIN_BITS)


def encode(revoked: Iterable[int], size: int | None = None) -> str:
    """The encodedList with these indexes set (section 3.1)."""
    revoked = list(revoked)
    bits = size_for(revoked) if size is None else size
    if bits < MIN_BITS or bits % 8:
        raise ValueError(f"a status list holds a whole number of bytes, at least {MIN_BITS} bits")
    bitstring = bytearray(bits // 8)
    for index in revoked:
        if not 0 <= index < bits:
            raise ValueError(f"index {index} is outside the list of {bits}")
        bitstring[index // 8] |= 0x80 >> (index % 8)
    return "u" + b64url(gzip.compress(bytes(bitstring), compresslevel=9, mtime=0))


def decode(encoded: str) -> bytes:
    """The bitstring of an encodedList (section 3.2); StatusListError if it is not one."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError("not multibase base64url")
    try:
        compressed = b64url_decode(encoded[1:])
    except ValueError:
        raise StatusListError("not multibase base64url") from None
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as unzipped:
            bitstring = unzipped.read(MAX_BITS // 8 + 1)
    except (OSError, EOFError, gzip.BadGzipFile):
        raise StatusListError("not GZIP") from None
    if len(bitstring) * 8 > MAX_BITS:
        raise StatusListError("too long")
    if len(bitstring) * 8 < MIN_BITS:
        raise StatusListError("shorter than 16 KB")
    return bitstring


def is_set(bitstring: bytes, index: int) -> bool:
    """The status bit at index; StatusListError past the end (RANGE_ERROR)."""
    if not 0 <= index < len(bitstring) * 8:
        raise StatusListError("index outside the list")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def revoked_indexes(bitstring: bytes) -> set[int]:
    return {
        byte_index * 8 + bit
        for byte_index, byte in enumerate(bitstring)
        if byte
        for bit in range(8)
        if byte & (0x80 >> bit)
    }


def entry(list_url: str, index: int) -> dict:
    """A credential's credentialStatus (section 2.1)."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(list_url: str, revoked: Iterable[int], valid_from: datetime, issuer: str) -> dict:
    """The BitstringStatusListCredential (section 2.2). `issuer` is the site's id (keys and
    credentials name the same); `valid_from` is timezone-aware."""
    return {
        "@context": [CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from.isoformat(timespec="seconds"),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode(revoked),
        },
    }


def sign_status_list(
    key: Ed25519PrivateKey, list_url: str, revoked: Iterable[int], valid_from: datetime, issuer: str
) -> str:
    """The status list credential, secured as a compact JWS (jws.py)."""
    return jws.sign(status_list_credential(list_url, revoked, valid_from, issuer), key)
