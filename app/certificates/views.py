"""The public keys that certificates are checked with: a JWKS at /.well-known/jwks.json.

RFC 7517 section 5 (JWK Set), served to anyone (no login): the current signing key and the
retired ones (keys.py), so that a verifier anywhere can check a credential offline.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, make_response, render_template, request, url_for
from flask_login import current_user

from app.access import LOGGED_IN, PUBLIC, allow
from app.certificates import credential, keys, paper, service
from app.certificates import status_list as status_lists
from app.errors import NotFound
from app.extensions import db, limiter
from app.models.base import utcnow

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


VERIFY_ROBOTS = "noindex, nofollow, noarchive"


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def base_url() -> str:
    """The site's public address, for QR codes and credentials: PUBLIC_URL, else this request's."""
    return (current_app.config.get("PUBLIC_URL") or request.url_root).rstrip("/")


def verify_url(number: str) -> str:
    return credential.verification_url(base_url(), number)


def status_list_url() -> str:
    return base_url() + url_for("certificates.status_list")


@bp.route("/verify/<number>")
@allow(PUBLIC)
@limiter.limit(_verify_limit)
def verify(number: str):
    """What a certificate states and whether it stands, for whoever holds the paper: nothing else
    about the cadre; indexed by no search engine."""
    try:
        issued = service.by_number(db.session, number)
    except NotFound:
        issued, status = None, 404
    else:
        status = 200
    response = make_response(
        render_template("certificates/verify.html", issued=issued, number=number), status
    )
    response.headers["X-Robots-Tag"] = VERIFY_ROBOTS
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/certificates/status/1")
@allow(PUBLIC)
def status_list():
    """The revocations as a signed Bitstring Status List credential (one list for every certificate:
    a certificate's bit is its id)."""
    token = status_lists.sign_status_list(
        keys.keyring().signing,
        status_list_url(),
        service.revoked_indexes(db.session),
        utcnow(),
        base_url(),
    )
    response = Response(token, mimetype="application/vc+jwt")
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _own(certificate_id: int) -> service.Issued:
    return service.own(db.session, current_user, certificate_id)


@bp.route("/my/certificates/<int:certificate_id>")
@allow(LOGGED_IN)
def page(certificate_id: int):
    """The holder's certificate as a page: an A4 sheet when printed."""
    issued = _own(certificate_id)
    return paper.certificate_html(issued.facts, issued.status, verify_url(issued.certificate.number))


@bp.route("/my/certificates/<int:certificate_id>/pdf")
@allow(LOGGED_IN)
def pdf(certificate_id: int):
    issued = _own(certificate_id)
    body = paper.certificate_pdf(issued.facts, issued.status, verify_url(issued.certificate.number))
    return _download(body, "application/pdf", f"{issued.certificate.number}.pdf")


@bp.route("/my/certificates/<int:certificate_id>/credential")
@allow(LOGGED_IN)
def signed(certificate_id: int):
    """The same facts as a signed credential (Open Badges 3.0, a compact JWS), to keep or send."""
    issued = _own(certificate_id)
    token = credential.sign(keys.keyring().signing, issued.facts, base_url(), status_list_url())
    return _download(token + "\n", "application/vc+jwt", f"{issued.certificate.number}.jwt")


def _download(body, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
