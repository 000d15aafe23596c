"""The one place where HTML from course authors is made safe.

bleach is the design's sanitiser; it receives security fixes only, so the test-suite holds its
output against nh3 on a hostile corpus (tests/test_sanitize.py). Everything that renders author
content goes through `sanitize_html`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

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
IFRAME_ALLOW = ("fullscreen", "picture-in-picture", "encrypted-media")  # features a video player needs
LINK_REL = frozenset({"noopener", "noreferrer", "nofollow"})
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
# An address whose host every URL parser agrees on: `https://`, a plain ASCII host name, then
# nothing or a path/query/fragment of printable ASCII without `\` or `@`. Python's urlsplit is
# not the WHATWG parser browsers use: `https://evil.example\@www.youtube.com/` is YouTube to it
# and evil.example to a browser. Rather than imitate either, anything they could disagree on
# (user-info, backslashes, ports, spaces, control or non-ASCII characters) is refused.
_PLAIN_HTTPS_RE = re.compile(r"https://(?P<host>[A-Za-z0-9.-]+)(?:[/?#][!-?A-\[\]-~]*)?")
# What a browser reads as "another host, same scheme": two slashes or backslashes in any mix,
# after the leading spaces and controls it strips and the tabs and newlines it removes anywhere.
_PROTOCOL_RELATIVE_RE = re.compile(r"^[\x00-\x20]*[/\\]{2}")
_SCHEME_RE = re.compile(r"^[\x00-\x20]*([A-Za-z][A-Za-z0-9+.-]*):")


def _browser_view(url: str) -> str:
    return re.sub(r"[\t\n\r]", "", url)


def is_protocol_relative(url: str) -> bool:
    """True for `//host/...` (and `\\host`, `/\\host`): a link to another site without a scheme."""
    return bool(_PROTOCOL_RELATIVE_RE.match(_browser_view(url)))


def is_allowed_video_url(url: str, video_hosts: Iterable[str]) -> bool:
    """True when `url` is a plain https address on one of the allow-listed video hosts."""
    match = _PLAIN_HTTPS_RE.fullmatch(url)
    return match is not None and match["host"].lower() in {host.lower() for host in video_hosts}


def allow_attribute_ok(value: str) -> bool:
    """True when an iframe's `allow` lists only features from IFRAME_ALLOW."""
    return all(feature.strip() in IFRAME_ALLOW for feature in value.split(";") if feature.strip())


def _image_source_ok(url: str) -> bool:
    """Images come from the site itself (a relative address) or over https, never `//host`."""
    if is_protocol_relative(url):
        return False
    scheme = _SCHEME_RE.match(_browser_view(url))
    return scheme is None or scheme[1].lower() == "https"


def attribute_allowed(tag: str, name: str, value: str, video_hosts: Iterable[str]) -> bool:
    """Decide one attribute. URL attributes are further checked against ALLOWED_PROTOCOLS.

    bleach passes values with their character references still in them (`/&#9;/host`); they are
    decoded first, so the checks see what a browser will.
    """
    value = html.unescape(value)
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
    if tag == "iframe" and name == "allow":
        return allow_attribute_ok(value)
    if tag == "img" and name == "src":
        return _image_source_ok(value)
    if name == "href":
        return not is_protocol_relative(value)
    if name == "rel":
        return set(value.lower().split()) <= LINK_REL
    if name == "align":
        return value in {"left", "center", "right"}
    if name == "loading":
        return value in {"lazy", "eager"}
    return True


def sanitize_html(html: str, video_hosts: Iterable[str] = ()) -> str:
    """Return `html` reduced to the allow-list: no script, no event handlers, no foreign frames.

    Disallowed tags are removed (their text kept), comments are dropped, and URLs must be
    relative or use http, https or mailto; images must be relative or https, and protocol-relative
    `//host` addresses are dropped. Frames must come from `video_hosts` and may be allowed only
    IFRAME_ALLOW; `rel` only takes LINK_REL.
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
