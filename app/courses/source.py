"""Reading a course folder: front matter, lessons, images, and every problem with file:line.

Nothing here touches the database; `courses check` and `courses import` both start here.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from app import safe_yaml
from app.courses.assignment_source import ASSIGNMENT_KEY, AssignmentSpec, is_assignment, parse_assignment
from app.courses.categories import CATEGORIES
from app.courses.sanitize import CALLOUT_TYPES, IFRAME_ALLOW, allow_attribute_ok, is_allowed_video_url
from app.courses.workload import check_activity, check_hours
from app.legal.register import CitationCheck, citations
from app.messages import Message, _l
from app.quizzes.assessment import check_assessment
from app.quizzes.source import QuizSource, is_quiz, parse_quiz
from app.text import nfc

COURSE_FILE = "course.md"
IGNORED_FILES = {"readme.md"}
COURSE_FIELDS = ("code", "title", "summary", "category", "hours", "version")
# The review cycle: optional, and not content (the content hash leaves them out, so recording a
# review that changed nothing keeps the edition). Stated in courses/README.md.
REVIEW_FIELDS = ("reviewed_on", "review_every_months")
DEFAULT_REVIEW_MONTHS = 12
MAX_REVIEW_MONTHS = 120
LESSON_FIELDS = ("id", "title", "activity", ASSIGNMENT_KEY)  # activity: app/courses/workload.py
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
# Limits, stated in courses/README.md. The largest shipped lesson or quiz is 18 KB of Markdown and
# the largest picture 6 KB; 500 KB is a short book, far beyond what a learner reads on one page,
# and keeps Markdown rendering (which has super-linear corners) well under a second. 5 MB covers a
# full-screen photo or scanned diagram; larger files are uncompressed originals to be exported
# smaller, and every image is stored in the database and sent to phones on slow links.
MAX_TEXT_BYTES = 500 * 1024
MAX_IMAGE_BYTES = 5 * 1024 * 1024

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_FILE_RE = re.compile(r"^(\d{1,4})-(.+)\.md$")
FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
INLINE_CODE_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_TARGET = r"\s*<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+\"[^\"]*\")?\s*\)"
IMAGE_RE = re.compile(r"!\[([^\]]*)\]\(" + _TARGET)
LINK_RE = re.compile(r"(?<!!)\[[^\]]*\]\(" + _TARGET)
REF_DEF_RE = re.compile(r"^\s{0,3}\[(?P<label>[^\]]+)\]:\s*<?(\S+?)>?(?:\s+.*)?$")
IMAGE_REF_RE = re.compile(r"!\[([^\]]*)\](?:\[([^\]]*)\])?")
HTML_TAG_RE = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>?")
EVENT_ATTR_RE = re.compile(r"\son[a-z]+\s*=", re.I)
SRC_ATTR_RE = re.compile(r"""\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^"'\s>]+))""", re.I)
ALLOW_ATTR_RE = re.compile(r"""\sallow\s*=\s*(?:"([^"]*)"|'([^']*)'|([^"'\s>]+))""", re.I)
CALLOUT_RE = re.compile(r"^\s*!!!\s*([^\s\"]*)")
SAFE_INLINE_HTML = {"br", "sub", "sup", "kbd", "abbr", "del", "s", "u", "b", "i", "em", "strong"}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a course, located at a file and line."""

    path: str
    line: int
    message: str  # a Message (app/messages.py): English as a str, translated when shown
    severity: str = "error"  # "error" stops check and import; "warning" is shown (fails --strict)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        if self.is_error:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


@dataclass
class LessonSource:
    slug: str
    title: str
    number: int
    file: Path
    body: str
    body_line: int  # file line on which `body` starts
    front: dict = field(default_factory=dict)
    quiz: QuizSource | None = None
    assignment: AssignmentSpec | None = None  # a written assignment (app/courses/assignment_source.py)

    @property
    def kind(self) -> str:
        if self.quiz is not None:
            return "quiz"
        return "assignment" if self.assignment is not None else "page"

    @property
    def source_hash(self) -> str:
        """Fingerprint of this file's content: a quiz attempt records the one it was taken on."""
        front = json.dumps(self.front, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(f"{front}\0{self.title}\0{self.body}".encode()).hexdigest()


@dataclass
class CourseSource:
    folder: Path
    code: str
    title: str
    summary: str
    category: str
    hours: int
    version: str
    version_line: int
    intro: str
    intro_line: int
    lessons: list[LessonSource]
    images: dict[str, Path]  # path relative to the course folder (POSIX) -> file
    content_hash: str
    citations: list[Citation] = field(default_factory=list)
    reviewed_on: date | None = None  # None: never reviewed, so due at once
    review_every_months: int = DEFAULT_REVIEW_MONTHS


@dataclass(frozen=True, order=True)
class Citation:
    """A legal document cited by its marker `[[VB number]]`, and where."""

    number: str
    file: str  # the file's name in the course folder
    line: int


@dataclass
class _Reader:
    """Collects problems while reading one course folder."""

    folder: Path
    problems: list[Problem] = field(default_factory=list)
    legal: CitationCheck | None = None
    citations: list[Citation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root = self.folder.resolve()

    def problem(self, file: Path, line: int, message: str | Message, severity: str = "error") -> None:
        self.problems.append(Problem(str(file), max(line, 1), message, severity))

    def real_path_inside(self, path: Path) -> Path | None:
        """`path` with every link followed, or None when it ends outside the course folder."""
        return real_path_inside(self.root, path)


def real_path_inside(root: Path, path: Path) -> Path | None:
    """`path` with every link followed, or None when it ends outside `root` (a resolved folder)."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a link loop, or a path the system refuses
        return None
    return real if real.is_relative_to(root) else None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{-(-size // 1024)} KB"


def _read_bytes(
    reader: _Reader, path: Path, at: tuple[Path, int], image: str | None, limit: int
) -> bytes | None:
    """Read a file of the course, refusing links out of the folder and files over `limit`.

    Problems are reported at `at` (file, line): the file itself, or the line that uses it as the
    image `image` (None: the file itself).
    """
    file, line = at
    real = reader.real_path_inside(path)
    if real is None:
        reader.problem(
            file,
            line,
            _l("the file is a link to a file outside the course folder")
            if image is None
            else _l("image '%(target)s' is a link to a file outside the course folder", target=image),
        )
        return None
    try:
        with real.open("rb") as stream:
            raw = stream.read(limit + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        reader.problem(
            file,
            line,
            _l("the file cannot be read: %(reason)s", reason=reason)
            if image is None
            else _l("image '%(target)s' cannot be read: %(reason)s", target=image, reason=reason),
        )
        return None
    if len(raw) > limit:
        size, most = _megabytes(max(real.stat().st_size, len(raw))), _megabytes(limit)
        reader.problem(
            file,
            line,
            _l("the file is %(size)s; the limit is %(limit)s", size=size, limit=most)
            if image is None
            else _l(
                "image '%(target)s' is %(size)s; the limit is %(limit)s", target=image, size=size, limit=most
            ),
        )
        return None
    return raw


def _read_text(reader: _Reader, file: Path) -> str | None:
    raw = _read_bytes(reader, file, (file, 1), None, MAX_TEXT_BYTES)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        reader.problem(file, line, _l("the file is not valid UTF-8 text; save it as UTF-8"))
        return None
    return nfc(text.replace("\r\n", "\n").replace("\r", "\n"))


def _split_front_matter(
    reader: _Reader, file: Path, text: str, *, required: bool
) -> tuple[dict | None, dict[str, int], str, int]:
    """Split `---` YAML front matter from the body.

    Returns (metadata or None on error, line of each key, body, line on which the body starts).
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        if required:
            reader.problem(file, 1, _l("the file must start with front matter between two '---' lines"))
            return None, {}, text, 1
        return {}, {}, text, 1
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in {"---", "..."})
    except StopIteration:
        reader.problem(file, 1, _l("front matter is not closed: add a '---' line after it"))
        return None, {}, text, 1
    yaml_text = "\n".join(lines[1:end])
    try:
        node, data = safe_yaml.load_with_node(yaml_text)
        data = {} if node is None else data
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + mark.line if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, ConstructorError | ComposerError):
            reader.problem(file, line, _l("front matter: %(reason)s", reason=reason))
        else:
            reader.problem(file, line, _l("front matter is not valid YAML: %(reason)s", reason=reason))
        return None, {}, "\n".join(lines[end + 1 :]), end + 2
    if not isinstance(data, dict):
        reader.problem(file, 2, _l("front matter must be a list of 'key: value' lines"))
        return None, {}, "\n".join(lines[end + 1 :]), end + 2
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line + 2
    return data, key_lines, "\n".join(lines[end + 1 :]), end + 2


def _course_metadata(reader: _Reader, file: Path, data: dict, key_lines: dict[str, int]) -> dict | None:
    ok = True

    def bad(key: str, message: Message) -> None:
        nonlocal ok
        ok = False
        reader.problem(file, key_lines.get(key, 1), message)

    for key in data:
        if key not in COURSE_FIELDS + REVIEW_FIELDS:
            fields = ", ".join(COURSE_FIELDS + REVIEW_FIELDS)
            bad(str(key), _l("unknown field '%(key)s'; the fields are: %(fields)s", key=key, fields=fields))
    for key in COURSE_FIELDS:
        if key not in data or data[key] in (None, ""):
            bad(key, _l("'%(key)s' is required", key=key))
    if not ok:
        return None
    meta = {k: data[k] for k in COURSE_FIELDS}
    for key in ("code", "title", "summary", "version", "category"):
        if isinstance(meta[key], bool) or not isinstance(meta[key], str | int | float):
            bad(key, _l("'%(key)s' must be text", key=key))
        else:
            meta[key] = nfc(str(meta[key]).strip())
    if not ok:
        return None
    if not CODE_RE.match(meta["code"]):
        bad("code", _l("code '%(code)s' must be 2-32 capital letters, digits or dashes", code=meta["code"]))
    if len(meta["title"]) > 300:
        bad("title", _l("title is longer than 300 characters"))
    if len(meta["summary"]) > 500:
        bad("summary", _l("summary is longer than 500 characters"))
    if len(meta["version"]) > 40:
        bad("version", _l("version is longer than 40 characters"))
    if meta["category"] not in CATEGORIES:
        bad(
            "category",
            _l(
                "category '%(category)s' is not one of: %(categories)s",
                category=meta["category"],
                categories=", ".join(CATEGORIES),
            ),
        )
    hours = meta["hours"]
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 400:
        bad(
            "hours", _l("hours must be a whole number of periods from 1 to 400, not '%(hours)s'", hours=hours)
        )
    meta.update(_review_metadata(data, bad))
    return meta if ok else None


def _review_metadata(data: dict, bad: Callable[[str, Message], None]) -> dict:
    """`reviewed_on` (a date, YYYY-MM-DD) and `review_every_months` (1-120), both optional."""
    reviewed = data.get("reviewed_on")
    if isinstance(reviewed, str):
        try:
            reviewed = date.fromisoformat(reviewed.strip())
        except ValueError:
            bad("reviewed_on", _not_a_date(reviewed))
            reviewed = None
    elif isinstance(reviewed, datetime) or (reviewed is not None and not isinstance(reviewed, date)):
        bad("reviewed_on", _not_a_date(reviewed))
        reviewed = None
    months = data.get("review_every_months")
    if months is None:
        months = DEFAULT_REVIEW_MONTHS
    elif isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_REVIEW_MONTHS:
        bad(
            "review_every_months",
            _l(
                "review_every_months must be a whole number of months from 1 to %(most)s, not '%(months)s'",
                most=MAX_REVIEW_MONTHS,
                months=months,
            ),
        )
        months = DEFAULT_REVIEW_MONTHS
    return {"reviewed_on": reviewed, "review_every_months": months}


def _not_a_date(value: object) -> Message:
    return _l("reviewed_on '%(value)s' is not a date written YYYY-MM-DD, such as 2026-11-29", value=value)


def _strip_inline_code(line: str) -> str:
    return INLINE_CODE_RE.sub(lambda m: " " * len(m.group(0)), line)


def _markdown_lines(body: str, first_line: int, unclosed: Callable[[int, str], None]):
    """Yield (file line number, text) for lines outside fenced code, inline code blanked.

    A fence closes on a line of the same character, at least as long, and nothing else; a fence
    still open at the end is passed to `unclosed(line, fence)`, since everything after it would
    otherwise go unchecked.
    """
    fence: str | None = None
    fence_line = 0
    for offset, line in enumerate(body.split("\n")):
        if fence is None:
            match = FENCE_RE.match(line)
            if match:
                fence, fence_line = match.group(1), first_line + offset
                continue
            yield first_line + offset, _strip_inline_code(line)
        elif re.fullmatch(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*", line):
            fence = None
    if fence is not None:
        unclosed(fence_line, fence)


def _label(text: str) -> str:
    return " ".join(text.lower().split())


def _reference_definitions(body: str) -> dict[str, str]:
    """Markdown reference definitions `[label]: target`, by label as Markdown matches them."""
    targets: dict[str, str] = {}
    for line in body.split("\n"):
        match = REF_DEF_RE.match(line)
        if match:
            targets.setdefault(_label(match["label"]), match.group(2))
    return targets


def _attribute(pattern: re.Pattern, attrs: str) -> str | None:
    match = pattern.search(attrs)
    if match is None:
        return None
    return html.unescape(next(group for group in match.groups() if group is not None))


def _check_markdown(
    reader: _Reader,
    file: Path,
    body: str,
    first_line: int,
    *,
    lesson_files: dict[str, str],
    images: dict[str, Path],
    video_hosts: tuple[str, ...],
) -> None:
    """Check links, images, callouts and raw HTML in one Markdown body; record used images."""
    base = PurePosixPath(file.relative_to(reader.folder).parent.as_posix())
    references = _reference_definitions(body)
    image_labels = {_label(label or alt) for alt, label in IMAGE_REF_RE.findall(IMAGE_RE.sub("", body))}
    for line_no, line in _markdown_lines(body, first_line, partial(_unclosed_fence, reader, file)):
        at = (file, line_no)
        _check_images(reader, at, line, base, references, images)
        _check_links(reader, at, line, base, image_labels, lesson_files, images)
        _check_callout(reader, at, line)
        _check_inline_html(reader, at, line, video_hosts)
        _check_citations(reader, at, line)
        if re.search(r"(?i)\bjavascript\s*:", line):
            reader.problem(file, line_no, _l("javascript: addresses are not allowed"))


def _check_citations(reader: _Reader, at: tuple[Path, int], line: str) -> None:
    """Legal documents cited on the line: known to the register and in force on the day checked."""
    for number in citations(line):
        reader.citations.append(Citation(number, at[0].name, at[1]))
        problem = reader.legal.problem(number) if reader.legal is not None else None
        if problem is not None:
            reader.problem(*at, problem)


def _unclosed_fence(reader: _Reader, file: Path, line_no: int, fence: str) -> None:
    reader.problem(
        file,
        line_no,
        _l(
            "the code block opened here with %(fence)s is never closed: add a %(fence)s line after it",
            fence=fence,
        ),
    )


def _check_images(
    reader: _Reader,
    at: tuple[Path, int],
    line: str,
    base: PurePosixPath,
    references: dict[str, str],
    images: dict[str, Path],
) -> None:
    """Images on the line, inline `![alt](target)` (which need a description) or by reference."""
    file, line_no = at
    for alt, target in IMAGE_RE.findall(line):
        if not alt.strip():
            reader.problem(
                file,
                line_no,
                _l("image '%(target)s' needs a description: ![description](%(target)s)", target=target),
            )
        _check_image(reader, file, line_no, base, target, images)
    for alt, label in IMAGE_REF_RE.findall(IMAGE_RE.sub("", line)):
        target = references.get(_label(label or alt))
        if target is not None:
            _check_image(reader, file, line_no, base, target, images)


def _check_links(
    reader: _Reader,
    at: tuple[Path, int],
    line: str,
    base: PurePosixPath,
    image_labels: set[str],
    lesson_files: dict[str, str],
    images: dict[str, Path],
) -> None:
    """Links on the line: inline `[text](target)`, and a reference definition not used by an image."""
    targets = LINK_RE.findall(line)
    ref = REF_DEF_RE.match(line)
    if ref and _label(ref["label"]) not in image_labels:
        targets.append(ref.group(2))
    for target in targets:
        _check_link(reader, at[0], at[1], base, target, lesson_files, images)


def _check_callout(reader: _Reader, at: tuple[Path, int], line: str) -> None:
    callout = CALLOUT_RE.match(line)
    if callout and callout.group(1) not in CALLOUT_TYPES:
        reader.problem(
            *at,
            _l(
                "callout type '%(kind)s' is not one of: %(kinds)s",
                kind=callout.group(1),
                kinds=", ".join(CALLOUT_TYPES),
            ),
        )


def _check_inline_html(
    reader: _Reader, at: tuple[Path, int], line: str, video_hosts: tuple[str, ...]
) -> None:
    """Opening HTML tags on the line: a video frame from an allowed host, or a few inline tags; never
    an event attribute. Anything else would be removed by the sanitizer, so the author is told."""
    for closing, tag, attrs in HTML_TAG_RE.findall(line):
        tag = tag.lower()
        if closing:
            continue
        if tag == "iframe":
            _check_iframe(reader, at, attrs, video_hosts)
        elif tag not in SAFE_INLINE_HTML:
            reader.problem(*at, _l("HTML <%(tag)s> is not allowed and would be removed", tag=tag))
        if EVENT_ATTR_RE.search(attrs):
            reader.problem(*at, _l("event attributes (on...=) are not allowed"))


def _check_iframe(reader: _Reader, at: tuple[Path, int], attrs: str, video_hosts: tuple[str, ...]) -> None:
    src = _attribute(SRC_ATTR_RE, attrs)
    if src is None or not is_allowed_video_url(src, video_hosts):
        reader.problem(
            *at,
            _l(
                "video frames are allowed only from: %(hosts)s"
                " (a plain https:// address, without '\\', '@' or a port)",
                hosts=", ".join(video_hosts),
            ),
        )
    allow = _attribute(ALLOW_ATTR_RE, attrs)
    if allow is not None and not allow_attribute_ok(allow):
        reader.problem(
            *at,
            _l(
                "allow= may list only: %(allowed)s, not '%(allow)s'",
                allowed=", ".join(IFRAME_ALLOW),
                allow=allow,
            ),
        )


def resolve_in_folder(base: PurePosixPath, target: str) -> str | None:
    """Resolve a relative target inside the course folder; None when it leaves the folder."""
    path = unquote(target)
    if path.startswith("/") or "\\" in path or "\0" in path:
        return None  # an absolute path, a Windows separator or a NUL never names a course file
    parts: list[str] = []
    for part in (base / path).parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return nfc("/".join(parts))


def _check_image(reader, file, line_no, base, target, images) -> None:
    try:
        parts = urlsplit(target)
    except ValueError:
        reader.problem(file, line_no, _l("image '%(target)s' is not a valid address", target=target))
        return
    if parts.scheme or parts.netloc or target.lstrip().startswith(("//", "\\", "/\\", "\\/")):
        reader.problem(
            file, line_no, _l("image '%(target)s' must be stored in the course folder", target=target)
        )
        return
    rel = resolve_in_folder(base, parts.path)
    if rel is None:
        reader.problem(
            file, line_no, _l("image '%(target)s' points outside the course folder", target=target)
        )
        return
    path = reader.folder / rel
    if not path.is_file():
        reader.problem(file, line_no, _l("image '%(target)s' does not exist", target=target))
        return
    suffix = path.suffix.lower()
    if suffix not in IMAGE_TYPES:
        reader.problem(
            file,
            line_no,
            _l(
                "image '%(target)s' must be one of: %(types)s",
                target=target,
                types=", ".join(sorted(IMAGE_TYPES)),
            ),
        )
        return
    real = reader.real_path_inside(path)
    data = _read_bytes(reader, path, (file, line_no), target, MAX_IMAGE_BYTES)
    if data is None or real is None:
        return
    if suffix == ".svg":
        svg = data.decode("utf-8", "replace").lower()
        if "<script" in svg or EVENT_ATTR_RE.search(svg) or "javascript:" in svg:
            reader.problem(file, line_no, _l("image '%(target)s' contains script; remove it", target=target))
            return
    images[rel] = real


def _check_link(reader, file, line_no, base, target, lesson_files, images) -> None:
    try:
        parts = urlsplit(target)
    except ValueError:
        reader.problem(file, line_no, _l("link '%(target)s' is not a valid address", target=target))
        return
    if parts.scheme:
        if parts.scheme.lower() not in {"http", "https", "mailto"}:
            reader.problem(
                file,
                line_no,
                _l("link '%(target)s': only http, https and mailto links are allowed", target=target),
            )
        return
    if parts.netloc or target.lstrip().startswith(("//", "\\", "/\\", "\\/")):
        reader.problem(
            file,
            line_no,
            _l("link '%(target)s' has no scheme: write the full address, https://...", target=target),
        )
        return
    if not parts.path:
        return  # an anchor on the same page
    rel = resolve_in_folder(base, parts.path)
    if rel is None:
        reader.problem(file, line_no, _l("link '%(target)s' points outside the course folder", target=target))
    elif rel in lesson_files:
        return
    elif rel.endswith(".md"):
        reader.problem(
            file, line_no, _l("link '%(target)s': there is no lesson file %(file)s", target=target, file=rel)
        )
    elif rel in images or (reader.folder / rel).is_file():
        reader.problem(
            file,
            line_no,
            _l(
                "link '%(target)s': link to lessons or web pages; show images with ![...](...)", target=target
            ),
        )
    else:
        reader.problem(
            file, line_no, _l("link '%(target)s' does not exist in the course folder", target=target)
        )


def _lesson_title(reader: _Reader, file: Path, body: str, first_line: int, front: dict):
    """Take the first level-1 heading as the title and remove it from the body."""
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if line.startswith("# "):
            title = line[2:].strip().strip("#").strip()
            rest = "\n".join(lines[i + 1 :])
            return front.get("title") or title, rest, first_line + i + 1
        break
    if front.get("title"):
        return front["title"], body, first_line
    reader.problem(file, first_line, _l("a lesson must start with its title as a level-1 heading: '# Title'"))
    return None, body, first_line


def _read_lessons(reader: _Reader) -> tuple[list[LessonSource], dict[str, str]]:
    """The course's lessons in number order, and each lesson file's name (NFC) -> the rest of its
    name after the number, for links between lessons. Problems go to `reader`; a lesson that cannot
    be read is left out."""
    numbered = _numbered_files(reader)
    lesson_files = _lesson_files(reader, numbered)
    lessons: list[tuple[LessonSource, dict[str, int]]] = []
    for number, path, stem in sorted(numbered, key=lambda item: (item[0], item[1].name)):
        read = _read_lesson(reader, number, path, stem)
        if read is not None:
            lessons.append(read)
    _check_unique_slugs(reader, lessons)
    return [lesson for lesson, _ in lessons], lesson_files


def _numbered_files(reader: _Reader) -> list[tuple[int, Path, str]]:
    """(number, path, rest of the name) of each lesson file, in name order; any other Markdown file
    but course.md and README.md is reported."""
    files = sorted(p for p in reader.folder.iterdir() if p.is_file() and p.suffix.lower() == ".md")
    numbered: list[tuple[int, Path, str]] = []
    for path in files:
        if path.name == COURSE_FILE or path.name.lower() in IGNORED_FILES:
            continue
        match = LESSON_FILE_RE.match(path.name)
        if not match:
            reader.problem(
                path, 1, _l("a lesson file name must start with its number, e.g. 01-gioi-thieu.md")
            )
            continue
        numbered.append((int(match.group(1)), path, match.group(2)))
    return numbered


def _lesson_files(reader: _Reader, numbered: list[tuple[int, Path, str]]) -> dict[str, str]:
    """Each lesson file's name (NFC) -> the rest of its name; a number used twice is reported."""
    seen_numbers: dict[int, Path] = {}
    lesson_files: dict[str, str] = {}
    for number, path, stem in numbered:
        if number in seen_numbers:
            reader.problem(
                path,
                1,
                _l(
                    "lesson number %(number)s is also used by %(file)s",
                    number=number,
                    file=seen_numbers[number].name,
                ),
            )
        seen_numbers[number] = path
        lesson_files[nfc(path.name)] = stem
    return lesson_files


def _read_lesson(
    reader: _Reader, number: int, path: Path, stem: str
) -> tuple[LessonSource, dict[str, int]] | None:
    """One lesson file (a page or a quiz) and the line of each front matter key; None when its text,
    front matter or title cannot be read (reported)."""
    text = _read_text(reader, path)
    if text is None:
        return None
    front, key_lines, body, body_line = _split_front_matter(reader, path, text, required=False)
    if front is None:
        return None
    if not is_quiz(front):
        _check_lesson_fields(reader, path, front, key_lines)
    slug = _lesson_slug(reader, path, front, key_lines, stem)
    front_title = nfc(str(front["title"]).strip()) if front.get("title") else None
    title, body, body_line = _lesson_title(reader, path, body, body_line, {"title": front_title})
    if title is None:
        return None
    quiz = assignment = None
    if is_quiz(front):
        quiz = parse_quiz(front, key_lines, body, body_line, partial(reader.problem, path))
    elif not body.strip():
        reader.problem(path, body_line, _l("the lesson has no content"))
    if not is_quiz(front) and is_assignment(front):
        assignment = parse_assignment(front, key_lines, text, partial(reader.problem, path))
    return LessonSource(slug, title, number, path, body, body_line, front, quiz, assignment), key_lines


def _check_lesson_fields(reader: _Reader, path: Path, front: dict, key_lines: dict[str, int]) -> None:
    for key in front:
        if key not in LESSON_FIELDS:
            reader.problem(
                path,
                key_lines.get(str(key), 1),
                _l(
                    "unknown field '%(key)s'; lessons take: %(fields)s",
                    key=key,
                    fields=", ".join(LESSON_FIELDS),
                ),
            )
    check_activity(front, key_lines, partial(reader.problem, path))


def _lesson_slug(reader: _Reader, path: Path, front: dict, key_lines: dict[str, int], stem: str) -> str:
    """The lesson's id: `id:` in its front matter, else its file name after the number."""
    slug = nfc(str(front.get("id", stem)))
    if not SLUG_RE.match(slug) or len(slug) > 100:
        reader.problem(
            path,
            key_lines.get("id", 1),
            _l("lesson id '%(id)s' must use a-z, 0-9 and dashes only (set 'id:' in front matter)", id=slug),
        )
    return slug


def _check_unique_slugs(reader: _Reader, lessons: list[tuple[LessonSource, dict[str, int]]]) -> None:
    seen_slugs: dict[str, Path] = {}
    for lesson, key_lines in lessons:
        if lesson.slug in seen_slugs:
            reader.problem(
                lesson.file,
                key_lines.get("id", 1),
                _l(
                    "lesson id '%(id)s' is also used by %(file)s",
                    id=lesson.slug,
                    file=seen_slugs[lesson.slug].name,
                ),
            )
        seen_slugs[lesson.slug] = lesson.file


def _content_hash(meta: dict, intro: str, lessons: list[LessonSource], images: dict[str, Path]) -> str:
    digest = hashlib.sha256()
    for key in COURSE_FIELDS:
        digest.update(f"{key}={meta[key]}\0".encode())
    digest.update(intro.encode() + b"\0")
    for lesson in lessons:
        digest.update(f"{lesson.number}\0{lesson.slug}\0{lesson.source_hash}\0".encode())
    for rel in sorted(images):
        digest.update(rel.encode() + b"\0" + hashlib.sha256(images[rel].read_bytes()).digest())
    return digest.hexdigest()


def read_course(
    folder: Path, video_hosts: tuple[str, ...] = (), legal: CitationCheck | None = None
) -> tuple[CourseSource | None, list[Problem]]:
    """Read and check one course folder; with `legal`, its citations of legal documents too.

    Returns the course (None when any error was found; warnings alone leave it) and every problem,
    errors and warnings, sorted by file and line.
    """
    reader = _Reader(folder, legal=legal)
    course_file = folder / COURSE_FILE
    if not course_file.is_file():
        reader.problem(course_file, 1, _l("a course folder needs a %(file)s file", file=COURSE_FILE))
        return None, reader.problems
    text = _read_text(reader, course_file)
    meta = None
    intro, intro_line = "", 1
    key_lines: dict[str, int] = {}
    if text is not None:
        data, key_lines, intro, intro_line = _split_front_matter(reader, course_file, text, required=True)
        if data is not None:
            meta = _course_metadata(reader, course_file, data, key_lines)
    lessons, lesson_files = _read_lessons(reader)
    check_assessment(lessons, reader.problem)
    if not lessons and not reader.problems:
        reader.problem(course_file, 1, _l("the course has no lessons: add files such as 01-gioi-thieu.md"))
    images: dict[str, Path] = {}
    checks = [(course_file, intro, intro_line)] + [(lsn.file, lsn.body, lsn.body_line) for lsn in lessons]
    for file, body, first_line in checks:
        _check_markdown(
            reader, file, body, first_line, lesson_files=lesson_files, images=images, video_hosts=video_hosts
        )
    if meta is not None and lessons:  # credited periods against the content (app/courses/workload.py)
        check_hours(meta["hours"], intro, lessons, partial(reader.problem, course_file, key_lines["hours"]))
    problems = sorted(set(reader.problems))
    if any(problem.is_error for problem in problems) or meta is None:
        return None, problems
    return CourseSource(
        folder=folder,
        code=meta["code"],
        title=meta["title"],
        summary=meta["summary"],
        category=meta["category"],
        hours=meta["hours"],
        version=meta["version"],
        version_line=key_lines.get("version", 1),
        intro=intro,
        intro_line=intro_line,
        lessons=lessons,
        images=images,
        content_hash=_content_hash(meta, intro, lessons, images),
        citations=sorted(set(reader.citations)),
        reviewed_on=meta["reviewed_on"],
        review_every_months=meta["review_every_months"],
    ), problems


def course_folders(path: Path) -> list[Path]:
    """The course folders at `path`: the folder itself if it holds course.md, else its children."""
    if (path / COURSE_FILE).is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def lesson_slug_for_file(lessons: list[LessonSource]) -> dict[str, str]:
    """Map each lesson's file name (NFC) to its slug, for rewriting links between lessons."""
    return {nfc(lesson.file.name): lesson.slug for lesson in lessons}
