"""Markdown to safe HTML, once, at import time."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import TocExtension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from app.courses.sanitize import sanitize_html
from app.courses.source import resolve_in_folder
from app.legal.register import MARKER_RE, normal_number
from app.text import fold, nfc


def heading_slug(value: str, separator: str = "-") -> str:
    """Anchor for a heading: Vietnamese folded to ASCII ("Xác thực hai lớp" -> "xac-thuc-hai-lop")."""
    words = "".join(ch if ch.isalnum() else " " for ch in fold(value)).split()
    return separator.join(words)[:80] or "muc"


class _LinkRewriter(Treeprocessor):
    def __init__(
        self, md, resolve_link: Callable[[str], str | None], resolve_image: Callable[[str], str | None]
    ):
        super().__init__(md)
        self.resolve_link = resolve_link
        self.resolve_image = resolve_image

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            if element.tag == "a" and element.get("href"):
                href = element.get("href", "")
                parts = urlsplit(href)
                if parts.scheme in ("http", "https"):
                    element.set("rel", "noopener noreferrer")
                elif not parts.scheme and not parts.netloc and parts.path:
                    target = self.resolve_link(parts.path)
                    if target is not None:
                        element.set("href", target + (f"#{parts.fragment}" if parts.fragment else ""))
            elif element.tag == "img" and element.get("src"):
                target = self.resolve_image(urlsplit(element.get("src", "")).path)
                if target is not None:
                    element.set("src", target)
                element.set("loading", "lazy")


class _Citation(InlineProcessor):
    """`[[VB 356/2025/NĐ-CP]]` -> the number, with the document's title on hover, linked to its row
    of the register page (an <abbr> when there is no page to link to). Not inside code."""

    def __init__(self, citations: dict[str, tuple[str | None, str]]):
        super().__init__(MARKER_RE.pattern)
        self.citations = citations

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        number = normal_number(m.group(1))
        href, title = self.citations.get(number, (None, ""))
        element = ET.Element("a" if href else "abbr")
        element.text = number
        if href:
            element.set("href", href)
        if title:
            element.set("title", title)
        return element, m.start(0), m.end(0)


class _CourseLinks(Extension):
    def __init__(self, resolve_link, resolve_image, citations):
        super().__init__()
        self.resolve_link = resolve_link
        self.resolve_image = resolve_image
        self.citations = citations

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        md.treeprocessors.register(
            _LinkRewriter(md, self.resolve_link, self.resolve_image), "boiduong_links", 1
        )
        # Before links (160): `[[...]]` would otherwise be read as a bracketed reference.
        md.inlinePatterns.register(_Citation(self.citations), "boiduong_citation", 175)


def render_markdown(
    text: str,
    *,
    lesson_urls: dict[str, str] | None = None,
    image_urls: dict[str, str] | None = None,
    video_hosts: tuple[str, ...] = (),
    citations: dict[str, tuple[str | None, str]] | None = None,
) -> str:
    """Render course Markdown to sanitised HTML.

    `lesson_urls` maps lesson file names and `image_urls` maps image paths (both relative to the
    course folder, where lessons live) to the addresses the site serves them at; `citations` maps
    the numbers of cited legal documents to (address on the register page or None, title).
    """
    lesson_urls = lesson_urls or {}
    image_urls = image_urls or {}

    def relative(path: str) -> str:
        return resolve_in_folder(PurePosixPath("."), path) or ""

    md = markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "admonition",
            "sane_lists",
            TocExtension(slugify=heading_slug, toc_depth="2-6"),
            _CourseLinks(
                lambda path: lesson_urls.get(relative(path)),
                lambda path: image_urls.get(relative(path)),
                citations or {},
            ),
        ],
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )
    return sanitize_html(md.convert(nfc(text)), video_hosts)
