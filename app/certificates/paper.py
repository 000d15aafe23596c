"""The certificate on paper (issue 14): one HTML page that is an A4 sheet in the browser and the
PDF that WeasyPrint draws from that same HTML, with a QR code that links to the public
verification page.

Nothing here reads the database: the caller hands over the facts, their standing and the
verification URL. The PDF is drawn offline: WeasyPrint may read `data:` URLs and the app's own
static files, and nothing else (no network, no other file), so text on a certificate, such as a
course title, can never make the server fetch anything.
"""

from __future__ import annotations

import segno
from flask import current_app, has_request_context, render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.certificates import labels as _labels  # noqa: F401  (registers the revocation reasons)
from app.certificates.facts import CertificateFacts, CertificateStatus
from app.labels import place_and_date

TEMPLATE = "certificates/certificate.html"
STYLESHEET = "certificate.css"  # in app/static


def qr_svg(url: str) -> Markup:
    """The QR code of `url` as inline SVG drawn on the server (vector: crisp on paper), named for
    screen readers by the URL it holds."""
    name = escape(_("QR code linking to the verification page: %(url)s", url=url))
    svg = segno.make(url, error="m").svg_inline(border=2, omitsize=True, svgclass="qr-code", lineclass=None)
    # segno's SVG holds only its path data (no text); the name is escaped above.
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{name}" ', 1))  # noqa: S704


def certificate_html(facts: CertificateFacts, status: CertificateStatus, verify_url: str) -> str:
    """The certificate as a page: an A4 sheet when printed, one column on a phone."""
    return render_template(
        TEMPLATE,
        facts=facts,
        status=status,
        verify_url=verify_url,
        qr=qr_svg(verify_url),
        dated=place_and_date(facts.issued_on),
        stylesheet=_stylesheet_href(),
    )


def certificate_pdf(facts: CertificateFacts, status: CertificateStatus, verify_url: str) -> bytes:
    """The same page as a one-page PDF (A4 landscape), fonts embedded."""
    # WeasyPrint loads Pango when imported: only drawing a PDF needs it, not starting the app.
    from app.certificates.pdf import html_to_pdf

    return html_to_pdf(certificate_html(facts, status, verify_url), static_prefix())


def _stylesheet_href() -> str:
    """The stylesheet's address: url_for in a request; the static path outside one (a command)."""
    if has_request_context():
        return url_for("static", filename=STYLESHEET)
    return f"{current_app.static_url_path}/{STYLESHEET}"


def static_prefix() -> str:
    """The path static files are served under, with a trailing slash ("/static/")."""
    return _stylesheet_href().removesuffix(STYLESHEET)
