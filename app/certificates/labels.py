"""What the reasons a certificate stopped being valid are called, in the reader's language."""

from flask_babel import lazy_gettext as _l

from app.labels import register

# One entry for each of facts.REVOCATION_REASONS (a test holds the two equal).
REASONS = {
    "withdrawn": _l("its training record was withdrawn"),
    "corrected": _l("its training record was corrected; a new certificate replaces it"),
}

register("certificate_revocation", REASONS)
