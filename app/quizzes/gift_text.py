"""The texts of a GIFT bank written as course Markdown, so that they show as they were meant.

A plain GIFT text (stem, option, feedback) is escaped wherever Markdown would read structure into it
(`escape_markdown`): a heading, list, quote, rule, table, code, link or HTML tag stays the text it
was. A text in HTML (GIFT's `[html]`, or Moodle-format text with HTML tags) becomes safe course
Markdown (`html_to_markdown`): links (also to audio files), bold, italics, sub/superscript, struck-out
text, lists, tables, line breaks, paragraphs and video frames from allowed hosts are kept; whatever
cannot be carried is named, so the converter can report it. The text
a converted piece should show is kept beside it (`expected_text`), and `shown_text` reads the text
the course renderer makes of it, so the converter can compare the two.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from html import escape
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

MARK = "\ue0f0"  # starts a text that is course Markdown already (converted from HTML, or [markdown])

# Tags that make a Moodle-format text HTML rather than plain text with a '<' in it.
HTML_TAGS = (
    "a|abbr|address|audio|b|big|blockquote|br|caption|center|cite|code|col|colgroup|dd|del|div|dl|dt|"
    "em|embed|font|form|h[1-6]|hr|i|iframe|img|input|ins|kbd|li|link|map|math|meta|object|ol|p|pre|"
    "q|s|samp|script|select|small|source|span|strike|strong|style|sub|sup|svg|table|tbody|td|"
    "textarea|tfoot|th|thead|tr|tt|u|ul|var|video"
)
_HTML_RE = re.compile(rf"(?i)</?(?:{HTML_TAGS})\b[^<>]*>|&(?:nbsp|amp|lt|gt|quot|#\d+|#x[0-9a-f]+);")
_ENTITY_RE = re.compile(r"&(?=[#\w])")  # what a browser could take for a character reference
_INLINE = {"\\": "\\\\", "`": "\\`", "*": "\\*", "[": "\\[", "]": "\\]", "<": "&lt;", "|": "\\|"}
_LINE_START_RE = re.compile(r"^(?:#|>|[-+](?=\s|$|[-+])|\d+(?=[.)](?:\s|$))|=|~(?=~~)|!)")
_BLANK_RUN_RE = re.compile(r"_+")
_SKIPPED = {"script", "style", "iframe", "object", "embed", "video", "audio", "svg", "math", "form",
            "select", "textarea", "button", "head", "title", "noscript", "template"}  # fmt: skip
_BLOCKS = {"p", "div", "blockquote", "table", "tr", "pre", "center", "address", "dl", "dt", "dd", "hr",
           "h1", "h2", "h3", "h4", "h5", "h6", "caption", "figure", "figcaption"}  # fmt: skip
_QUIET = {"span", "font", "tbody", "thead", "tfoot", "small", "big", "ins", "abbr", "cite", "q", "var"}
_INLINE_HTML = {
    "sub": "sub",
    "sup": "sup",
    "del": "del",
    "s": "s",
    "strike": "s",
    "kbd": "kbd",
}  # kept as HTML
_KEPT_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}, "iframe": {"src", "title"}}
_IGNORED_ATTRIBUTES = {"dir", "lang", "id", "class"}  # carry nothing a learner sees here

_expected: ContextVar[dict[str, str] | None] = ContextVar("gift_expected", default=None)
_video_hosts: ContextVar[tuple[str, ...]] = ContextVar("gift_video_hosts", default=())


def compact(text: str) -> str:
    """The text without whitespace (how texts are compared)."""
    return "".join(text.replace(MARK, "").split())


def start_conversion(video_hosts: tuple[str, ...] = ()) -> None:
    """Forget the texts of an earlier conversion; keep video frames from these hosts."""
    _expected.set({})
    _video_hosts.set(tuple(host.lower() for host in video_hosts))


def _video_frame(values: dict[str, str]) -> str | None:
    """A video frame from an allowed host as course Markdown writes it, or None."""
    src = values.get("src", "").strip()
    try:
        parts = urlsplit(src)
    except ValueError:
        return None
    plain = parts.scheme == "https" and not parts.port and "@" not in parts.netloc and "\\" not in src
    if not plain or (parts.hostname or "") not in _video_hosts.get():
        return None
    title = " ".join(values.get("title", "").split()) or "Video"
    return f'<iframe src="{escape(src, quote=True)}" title="{escape(title, quote=True)}"></iframe>'


def expected_text(markdown: str) -> str | None:
    """The text a piece converted from HTML should show (None for other pieces)."""
    return (_expected.get() or {}).get(compact(markdown))


def looks_like_html(text: str) -> bool:
    return bool(_HTML_RE.search(text))


def _escape_underscores(line: str) -> str:
    """`_` escaped, except a missing-word blank (`_____` between words), which Markdown leaves alone."""
    only_blank = not line.replace("_", "").strip()

    def one(match: re.Match) -> str:
        run, start, end = match[0], match.start(), match.end()
        bounded = (start == 0 or line[start - 1].isspace()) and (end == len(line) or line[end].isspace())
        return run if len(run) >= 3 and bounded and not only_blank else run.replace("_", "\\_")

    return _BLANK_RUN_RE.sub(one, line)


def escape_inline(text: str) -> str:
    """Characters that make Markdown inline structure, escaped (line starts are `escape_line_start`'s)."""
    text = "".join(_INLINE.get(ch, ch) for ch in _ENTITY_RE.sub("&amp;", text))
    text = text.replace("\\](", "\\]\\(")
    return _escape_underscores(text)


def escape_line_start(line: str) -> str:
    """A line's start escaped where Markdown (or the quiz reader) would take it for structure:
    a heading, quote, list item, numbered item, `=` answer line, `~~~` fence or `!!!` callout."""
    match = _LINE_START_RE.match(line)
    if not match:
        return line
    found = match[0]
    if found == "=":
        return "&#61;" + line[1:]
    if found == "~":
        return "&#126;" + line[1:]
    if found[0].isdigit():
        return found + "\\" + line[len(found) :]
    return "\\" + line


def escape_markdown(text: str) -> str:
    """A plain text as Markdown that shows exactly that text."""
    lines = [escape_line_start(escape_inline(line.strip())) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _plain_parts(html_text: str) -> list[str]:
    parts: list[str] = []

    class Reader(HTMLParser):
        def handle_data(self, data: str) -> None:
            parts.append(data)

    reader = Reader(convert_charrefs=True)
    reader.feed(html_text)
    reader.close()
    return parts


def shown_text(html_text: str) -> str:
    """The text a reader sees in rendered HTML, whitespace removed (for comparing)."""
    return compact("".join(_plain_parts(html_text)))


def html_to_markdown(html_text: str) -> tuple[str, list[str]]:
    """(course Markdown, what could not be carried) for a text in HTML. The Markdown starts with
    MARK, and the text it should show is remembered for `expected_text`."""
    converter = _HtmlToMarkdown()
    converter.feed(html_text)
    converter.close()
    markdown = converter.result()
    table = _expected.get()
    if table is not None:
        table[compact(markdown)] = " ".join("".join(converter.shown).split())
    return MARK + markdown, sorted(converter.losses)


def plain_of(markdown: str) -> str:
    """The text a piece should show: what its HTML said, or the piece itself."""
    found = expected_text(markdown)
    return found if found is not None else markdown.replace(MARK, "")


def _safe_href(href: str) -> str | None:
    href = href.strip()
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "mailto") or not (parts.netloc or parts.path):
        return None
    return quote(href, safe=":/?#@!$&'*+,;=%~-._")


class _HtmlToMarkdown(HTMLParser):
    """HTML to Markdown blocks: paragraphs, list items, inline bold/italics/links/line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.inline: list[str] = []
        self.prefix = ""  # the list marker of the item being written
        self.lists: list[list] = []  # [tag, next number]
        self.list_number = 0  # counts the outermost lists, so that two lists stay apart
        self.item_depth = -1  # how deep the last item was written (an item goes at most one deeper)
        self.open: list[tuple[str, int, str]] = []  # (tag, index in inline, closing text)
        self.skip = 0
        self.html_open: list[str] = []  # inline HTML tags (sub, sup...) open in the paragraph
        self.table: list[list[str]] | None = None  # the rows of the table being read
        self.cell = False  # whether a cell of it is open
        self.losses: set[str] = set()
        self.shown: list[str] = []

    def flush(self) -> None:
        self.inline += [f"</{tag}>" for tag in reversed(self.html_open)]
        self.html_open = []
        text = re.sub(r"(?:<br>|\s)+$", "", "".join(self.inline)).strip()
        self.inline = []
        self.open = []
        if text:
            lines = [escape_line_start(line.strip()) for line in text.split("\n")]
            item = self.list_number if self.prefix else 0
            self.blocks.append((self.prefix + "\n".join(lines), item))
        self.prefix = ""

    def result(self) -> str:
        """The blocks, items of one list (and its nested lists) on following lines, others apart."""
        if self.table is not None:
            self._table_end("table")
        self.flush()
        text, previous = "", None
        for block, item in self.blocks:
            follows = item and item == previous
            text += ("\n" + block) if follows else ("\n\n" + block.lstrip(" "))
            previous = item
        return text.strip()

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> dict[str, str]:
        kept = _KEPT_ATTRIBUTES.get(tag, set())
        for name, _ in attrs:
            if name not in kept and name not in _IGNORED_ATTRIBUTES:
                self.losses.add(f"the {name} of <{tag}>")
        return {name: value or "" for name, value in attrs}

    def handle_starttag(self, tag: str, attrs) -> None:
        values = self._attributes(tag, attrs)
        frame = _video_frame(values) if tag == "iframe" and not self.skip else None
        if frame is not None:
            self.flush()
            self.blocks.append((frame, 0))
            self.skip += 1
            return
        if self.skip or tag in _SKIPPED:
            if tag in _SKIPPED:
                self.skip += 1
                self.losses.add(f"<{tag}>")
            return
        if self._table_start(tag):
            return
        if tag in _BLOCKS:
            self.flush()
            if tag in ("blockquote", "pre") or tag[0] == "h" and tag[1:].isdigit():
                self.losses.add(f"the layout of <{tag}> (its text is kept)")
        elif tag in ("ul", "ol"):
            self.flush()
            if not self.lists:
                self.list_number += 1
                self.item_depth = -1
            self.lists.append([tag, 1])
        elif tag == "li":
            self.flush()
            self._item()
        elif tag == "br":
            self.inline.append("<br>")
        elif tag in ("b", "strong", "i", "em"):
            self.open.append((tag, len(self.inline), "**" if tag in ("b", "strong") else "*"))
            self.inline.append("")
        elif tag in _INLINE_HTML:
            self.inline.append(f"<{_INLINE_HTML[tag]}>")
            self.html_open.append(_INLINE_HTML[tag])
        elif tag == "a":
            self._link(values.get("href", ""))
        elif tag == "img":
            self._image(values)
        elif tag not in _QUIET:
            self.losses.add(f"<{tag}> (its text is kept)")

    def _table_start(self, tag: str) -> bool:
        """A table, row or cell begins (a block inside a cell is a space); False for other tags."""
        if tag == "table":
            if self.table is not None:
                self.losses.add("a table inside a table (its text is kept)")
            else:
                self.flush()
                self.table = []
            return True
        if self.table is None:
            return False
        if tag in ("tr", "td", "th"):
            self._end_cell()
            if tag == "tr" or not self.table:
                self.table.append([])
            self.cell = tag != "tr"
            return True
        if tag in _BLOCKS or tag in ("ul", "ol", "li"):
            self.inline.append(" ")
            self.shown.append(" ")
            self.losses.add(f"the layout of <{tag}> in a table cell (its text is kept)")
            return True
        return False

    def _end_cell(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.inline)).strip()
        if (text or self.cell) and self.table is not None:
            if not self.table:
                self.table.append([])
            self.table[-1].append(text)  # escaped already: a '|' is '\|'
        self.inline = []
        self.open = []
        self.cell = False

    def _table_end(self, tag: str) -> bool:
        """A cell or a table ends (the table written as a Markdown table); False for other tags."""
        if self.table is None:
            return False
        if tag != "table":
            if tag in ("td", "th"):
                self._end_cell()
            return tag in ("tr", "td", "th") or tag in _BLOCKS or tag in ("ul", "ol", "li")
        self._end_cell()
        rows, self.table = [row for row in self.table if row], None
        if rows:
            width = max(len(row) for row in rows)
            lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in rows]
            lines.insert(1, "|" + " --- |" * width)
            self.blocks.append(("\n".join(lines), 0))
        return True

    def _item(self) -> None:
        if not self.lists:
            self.prefix = "- "
            return
        depth = min(len(self.lists) - 1, self.item_depth + 1)
        self.item_depth = depth
        kind = self.lists[-1]
        marker = f"{kind[1]}. " if kind[0] == "ol" else "- "
        kind[1] += 1
        self.prefix = "    " * depth + marker

    def _link(self, href: str) -> None:
        target = _safe_href(href)
        if target is None:
            if href:
                self.losses.add(f"the link to '{href[:60]}' (not a web address; its text is kept)")
            self.open.append(("a", len(self.inline), ""))
        else:
            self.open.append(("a", len(self.inline), f"]({target})"))
        self.inline.append("")

    def _image(self, values: dict[str, str]) -> None:
        src = values.get("src", "")
        where = "embedded in the text (data:)" if src.startswith("data:") else f"'{src[:60]}'"
        self.losses.add(f"a picture {where}: GIFT carries no files")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skip = max(self.skip - 1, 0)
            return
        if self.skip or self._table_end(tag):
            return
        if tag in _BLOCKS or tag == "li":
            self.flush()
        elif tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
        elif tag in ("b", "strong", "i", "em", "a"):
            self._close(tag)
        elif tag in _INLINE_HTML and _INLINE_HTML[tag] in self.html_open:
            del self.html_open[len(self.html_open) - 1 - self.html_open[::-1].index(_INLINE_HTML[tag])]
            self.inline.append(f"</{_INLINE_HTML[tag]}>")

    def _close(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            name, index, closing = self.open[i]
            if name != tag:
                continue
            self.open = self.open[:i]  # tags left open inside are dropped
            inner = "".join(self.inline[index + 1 :])
            if not inner.strip() or not closing:
                return
            lead = inner[: len(inner) - len(inner.lstrip())]
            trail = inner[len(inner.rstrip()) :]
            opening = "[" if tag == "a" else closing
            self.inline[index + 1 :] = [lead + opening + inner.strip() + closing + trail]
            return

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        text = re.sub(r"\s+", " ", data)
        if not "".join(self.inline).strip():
            text = text.lstrip()
        self.shown.append(text)
        self.inline.append(escape_inline(text))
