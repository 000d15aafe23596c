"""The sanitiser on hostile input, held against nh3 as a second opinion."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
import pytest

from app.courses.render import render_markdown
from app.courses.sanitize import (
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    attribute_allowed,
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
