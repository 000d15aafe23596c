"""The public keys that certificates are checked with: a JWKS at /.well-known/jwks.json.

RFC 7517 section 5 (JWK Set), served to anyone (no login): the current signing key and the
retired ones (keys.py), so that a verifier anywhere can check a credential offline.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response

from app.access import PUBLIC, allow
from app.certificates import keys

bp = Blueprint("certificates", __name__)

JWKS_MAX_AGE = 3600  # an hour: a rotation reaches verifiers within it, and old keys stay listed


@bp.route("/.well-known/jwks.json")
@allow(PUBLIC)
def jwks():
    body = json.dumps(keys.keyring().jwks(), indent=2)
    response = Response(body + "\n", mimetype="application/jwk-set+json")
    response.headers["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"  # public keys, for verifiers in browsers
    return response
