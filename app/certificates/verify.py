"""Checking a signed credential: valid, or why not, in words a person understands.

`verify(token, keys, status_list_token)` checks, in this order (VC-JOSE-COSE section 3.1.1 and
RFC 7515 section 5.2 for the JWS; Bitstring Status List v1.0 section 3.3 "Validate Algorithm" for
the status): that the token is a compact JWS with alg EdDSA; that its `kid` is one of the keys
(current or retired: a certificate signed before a rotation still verifies); the Ed25519
signature; that the payload is an OpenBadgeCredential; then, when a status list token is given,
that the list is signed by one of the same keys, is the very list the credential names, and does
not have the credential's bit set.

Reasons are `Message`s (app/messages.py): English msgids, shown in the reader's language by the
command line and by pages. The status list comes in as a token so that the caller decides where it
comes from (a file, the database, the published URL).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature

from app.certificates import jws, status_list
from app.certificates.keys import KeyRing
from app.messages import Message, _l

REASONS = {
    "malformed": _l("This is not a signed certificate: the file is damaged or of another kind."),
    "algorithm": _l("The credential is signed with a method this site does not use."),
    "unknown_key": _l("The credential is signed with a key that is not this site's: it was not issued here."),
    "bad_signature": _l(
        "The signature does not match the content: the credential was changed after it was issued, "
        "or signed with another key."
    ),
    "not_credential": _l("The signature is this site's, but the file is not a training certificate."),
    "list_untrusted": _l(
        "The status list is not signed by this site, so whether the certificate was revoked "
        "cannot be checked."
    ),
    "list_other": _l("The status list given is not the one this certificate refers to."),
    "list_damaged": _l(
        "The status list is damaged, so whether the certificate was revoked cannot be checked."
    ),
    "no_status": _l("The certificate names no status list, so whether it was revoked cannot be checked."),
    "revoked": _l(
        "The certificate has been revoked: the training record behind it was withdrawn or corrected."
    ),
    "valid": _l("Valid: issued by this site, unchanged, and not revoked."),
    "valid_unchecked": _l(
        "The signature is valid: issued by this site and unchanged. Whether it was revoked was not "
        "checked (no status list given)."
    ),
}


@dataclass(frozen=True)
class Result:
    """The verdict: `valid`, the reason's code (a key of REASONS) and the credential when its
    signature held (to show what it states)."""

    valid: bool
    code: str
    credential: dict | None = None
    kid: str | None = None
    status_checked: bool = False

    @property
    def reason(self) -> Message:
        return REASONS[self.code]

    @property
    def revoked(self) -> bool:
        return self.code == "revoked"


class _Refused(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _signed_payload(token: str, keys: KeyRing) -> tuple[dict, str]:
    """The payload of a token signed by one of the keys, and the key's id; _Refused otherwise."""
    try:
        parsed = jws.parse(token)
    except jws.MalformedToken:
        raise _Refused("malformed") from None
    header = parsed.header
    if header.get("alg") != jws.ALG or "crit" in header:
        raise _Refused("algorithm")
    kid = header.get("kid")
    key = keys.find(kid) if isinstance(kid, str) else None
    if key is None:
        raise _Refused("unknown_key")
    try:
        key.key.verify(parsed.signature, parsed.signing_input)
    except InvalidSignature:
        raise _Refused("bad_signature") from None
    return parsed.payload, kid


def _is_type(document: dict, kind: str) -> bool:
    types = document.get("type")
    return isinstance(types, list) and "VerifiableCredential" in types and kind in types


def _status_bit(credential: dict, status_list_token: str, keys: KeyRing) -> bool:
    """Whether the credential's revocation bit is set in the list; _Refused when the list cannot
    tell."""
    entry = credential.get("credentialStatus")
    if not isinstance(entry, dict) or entry.get("statusPurpose") != status_list.PURPOSE:
        raise _Refused("no_status")
    try:
        listed, _kid = _signed_payload(status_list_token, keys)
    except _Refused as refused:
        raise _Refused("list_damaged" if refused.code == "malformed" else "list_untrusted") from None
    if not _is_type(listed, "BitstringStatusListCredential"):
        raise _Refused("list_other")
    if listed.get("id") != entry.get("statusListCredential"):
        raise _Refused("list_other")
    subject = listed.get("credentialSubject")
    try:
        if not isinstance(subject, dict) or subject.get("statusPurpose") != status_list.PURPOSE:
            raise status_list.StatusListError("not a revocation list")
        index = int(entry.get("statusListIndex"))
        return status_list.is_set(status_list.decode(subject.get("encodedList")), index)
    except (status_list.StatusListError, TypeError, ValueError):
        raise _Refused("list_damaged") from None


def verify(token: str, keys: KeyRing, status_list_token: str | None = None) -> Result:
    """Check a credential token against the keys, and against the status list when given."""
    try:
        credential, kid = _signed_payload(token, keys)
    except _Refused as refused:
        return Result(False, refused.code)
    if not _is_type(credential, "OpenBadgeCredential"):
        return Result(False, "not_credential", kid=kid)
    if status_list_token is None:
        return Result(True, "valid_unchecked", credential, kid)
    try:
        revoked = _status_bit(credential, status_list_token, keys)
    except _Refused as refused:
        return Result(False, refused.code, credential, kid)
    if revoked:
        return Result(False, "revoked", credential, kid, status_checked=True)
    return Result(True, "valid", credential, kid, status_checked=True)
