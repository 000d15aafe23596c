"""The words for the kinds of legal documents."""

from flask_babel import lazy_gettext as _l

from app.labels import register

KIND_LABELS = {
    "law": _l("Law"),
    "legal_code": _l("Legal code"),
    "ordinance": _l("Ordinance"),
    "resolution": _l("Resolution"),
    "decree": _l("Decree"),
    "decision": _l("Decision"),
    "directive": _l("Directive"),
    "circular": _l("Circular"),
    "other": _l("Other document"),
}

register("legal_kind", KIND_LABELS)
