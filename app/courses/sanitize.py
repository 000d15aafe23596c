"""The one place where HTML from course authors is made safe.

bleach is the design's sanitiser; it receives security fixes only, so the test-suite holds its
output against nh3 on a hostile corpus (tests/test_sanitize.py). Everything that renders author
content goes through `sanitize_html`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import bleach

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "iframe",
        "img",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
ALLOWED_CLASSES = frozenset(
    {
        "admonition",
        "admonition-title",
        "note",
        "tip",
        "important",
        "warning",
        "danger",
        "example",
        "footnote",
        "toc",
    }
)
CALLOUT_TYPES = ("note", "tip", "important", "warning", "danger", "example")
_ATTRIBUTES_BY_TAG = {
    "a": {"href", "title", "rel"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "iframe": {"src", "title", "width", "height", "allow", "allowfullscreen", "loading"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")
_LANGUAGE_CLASS_RE = re.compile(r"^language-[a-z0-9+#-]{1,30}$")
_NUMBER_RE = re.compile(r"^\d{1,4}$")


def is_allowed_video_url(url: str, video_hosts: Iterable[str]) -> bool:
    """True when `url` is an https address on one of the allow-listed video hosts."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme == "https" and (parts.hostname or "") in set(video_hosts)


def attribute_allowed(tag: str, name: str, value: str, video_hosts: Iterable[str]) -> bool:
    """Decide one attribute. URL attributes are further checked against ALLOWED_PROTOCOLS."""
    if name == "class":
        return all(c in ALLOWED_CLASSES or _LANGUAGE_CLASS_RE.match(c) for c in value.split()) and bool(
            value.strip()
        )
    if name not in _ATTRIBUTES_BY_TAG.get(tag, ()):
        return False
    if name == "id":
        return bool(_ID_RE.match(value))
    if name in {"width", "height", "start", "colspan", "rowspan"}:
        return bool(_NUMBER_RE.match(value))
    if tag == "iframe" and name == "src":
        return is_allowed_video_url(value, video_hosts)
    if name == "align":
        return value in {"left", "center", "right"}
    if name == "loading":
        return value in {"lazy", "eager"}
    return True


def sanitize_html(html: str, video_hosts: Iterable[str] = ()) -> str:
    """Return `html` reduced to the allow-list: no script, no event handlers, no foreign frames.

    Disallowed tags are removed (their text kept), comments are dropped, and URLs must be
    relative or use http, https or mailto.
    """
    hosts = tuple(video_hosts)
    cleaner = bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=lambda tag, name, value: attribute_allowed(tag, name, value, hosts),
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    cleaned = cleaner.clean(html)
    # An iframe whose src was refused would still show an empty frame: drop it altogether.
    return re.sub(r"<iframe(?![^>]*\ssrc=)[^>]*>.*?</iframe>", "", cleaned, flags=re.S)
