"""Reading a course folder: front matter, lessons, images, and every problem with file:line.

Nothing here touches the database; `courses check` and `courses import` both start here.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import yaml

from app.courses.categories import CATEGORIES
from app.courses.sanitize import CALLOUT_TYPES, is_allowed_video_url
from app.quizzes.source import QuizSource, is_quiz, parse_quiz
from app.text import nfc

COURSE_FILE = "course.md"
IGNORED_FILES = {"readme.md"}
COURSE_FIELDS = ("code", "title", "summary", "category", "hours", "version")
LESSON_FIELDS = ("id", "title")
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
MAX_IMAGE_BYTES = 5 * 1024 * 1024

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_FILE_RE = re.compile(r"^(\d{1,4})-(.+)\.md$")
FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
INLINE_CODE_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_TARGET = r"\s*<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+\"[^\"]*\")?\s*\)"
IMAGE_RE = re.compile(r"!\[([^\]]*)\]\(" + _TARGET)
LINK_RE = re.compile(r"(?<!!)\[[^\]]*\]\(" + _TARGET)
REF_DEF_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
HTML_TAG_RE = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>?")
EVENT_ATTR_RE = re.compile(r"\son[a-z]+\s*=", re.I)
SRC_ATTR_RE = re.compile(r"""\ssrc\s*=\s*["']?([^"'\s>]+)""", re.I)
CALLOUT_RE = re.compile(r"^\s*!!!\s*([^\s\"]*)")
SAFE_INLINE_HTML = {"br", "sub", "sup", "kbd", "abbr", "del", "s", "u", "b", "i", "em", "strong"}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a course, located at a file and line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


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

    @property
    def kind(self) -> str:
        return "quiz" if self.quiz is not None else "page"

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


@dataclass
class _Reader:
    """Collects problems while reading one course folder."""

    folder: Path
    problems: list[Problem] = field(default_factory=list)

    def problem(self, file: Path, line: int, message: str) -> None:
        self.problems.append(Problem(str(file), max(line, 1), message))


def _read_text(reader: _Reader, file: Path) -> str | None:
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        reader.problem(file, line, "the file is not valid UTF-8 text; save it as UTF-8")
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
            reader.problem(file, 1, "the file must start with front matter between two '---' lines")
            return None, {}, text, 1
        return {}, {}, text, 1
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in {"---", "..."})
    except StopIteration:
        reader.problem(file, 1, "front matter is not closed: add a '---' line after it")
        return None, {}, text, 1
    yaml_text = "\n".join(lines[1:end])
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(yaml_text) if node is not None else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + mark.line if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        reader.problem(file, line, f"front matter is not valid YAML: {reason}")
        return None, {}, "\n".join(lines[end + 1 :]), end + 2
    if not isinstance(data, dict):
        reader.problem(file, 2, "front matter must be a list of 'key: value' lines")
        return None, {}, "\n".join(lines[end + 1 :]), end + 2
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line + 2
    return data, key_lines, "\n".join(lines[end + 1 :]), end + 2


def _course_metadata(reader: _Reader, file: Path, data: dict, key_lines: dict[str, int]) -> dict | None:
    ok = True

    def bad(key: str, message: str) -> None:
        nonlocal ok
        ok = False
        reader.problem(file, key_lines.get(key, 1), message)

    for key in data:
        if key not in COURSE_FIELDS:
            bad(str(key), f"unknown field '{key}'; the fields are: {', '.join(COURSE_FIELDS)}")
    for key in COURSE_FIELDS:
        if key not in data or data[key] in (None, ""):
            bad(key, f"'{key}' is required")
    if not ok:
        return None
    meta = {k: data[k] for k in COURSE_FIELDS}
    for key in ("code", "title", "summary", "version", "category"):
        if isinstance(meta[key], bool) or not isinstance(meta[key], str | int | float):
            bad(key, f"'{key}' must be text")
        else:
            meta[key] = nfc(str(meta[key]).strip())
    if not ok:
        return None
    if not CODE_RE.match(meta["code"]):
        bad("code", f"code '{meta['code']}' must be 2-32 capital letters, digits or dashes")
    if len(meta["title"]) > 300:
        bad("title", "title is longer than 300 characters")
    if len(meta["summary"]) > 500:
        bad("summary", "summary is longer than 500 characters")
    if len(meta["version"]) > 40:
        bad("version", "version is longer than 40 characters")
    if meta["category"] not in CATEGORIES:
        bad("category", f"category '{meta['category']}' is not one of: {', '.join(CATEGORIES)}")
    hours = meta["hours"]
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 400:
        bad("hours", f"hours must be a whole number of periods from 1 to 400, not '{hours}'")
    return meta if ok else None


def _strip_inline_code(line: str) -> str:
    return INLINE_CODE_RE.sub(lambda m: " " * len(m.group(0)), line)


def _markdown_lines(body: str, first_line: int):
    """Yield (file line number, text) for lines outside fenced code, inline code blanked."""
    fence: str | None = None
    for offset, line in enumerate(body.split("\n")):
        match = FENCE_RE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * 3
            continue
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        yield first_line + offset, _strip_inline_code(line)


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
    for line_no, line in _markdown_lines(body, first_line):
        for alt, target in IMAGE_RE.findall(line):
            if not alt.strip():
                reader.problem(
                    file, line_no, f"image '{target}' needs a description: ![description]({target})"
                )
            _check_image(reader, file, line_no, base, target, images)
        targets = LINK_RE.findall(line)
        ref = REF_DEF_RE.match(line)
        if ref:
            targets.append(ref.group(1))
        for target in targets:
            _check_link(reader, file, line_no, base, target, lesson_files, images)
        callout = CALLOUT_RE.match(line)
        if callout and callout.group(1) not in CALLOUT_TYPES:
            reader.problem(
                file,
                line_no,
                f"callout type '{callout.group(1)}' is not one of: {', '.join(CALLOUT_TYPES)}",
            )
        for closing, tag, attrs in HTML_TAG_RE.findall(line):
            tag = tag.lower()
            if closing:
                continue
            if tag == "iframe":
                src = SRC_ATTR_RE.search(attrs)
                if not src or not is_allowed_video_url(src.group(1), video_hosts):
                    reader.problem(
                        file,
                        line_no,
                        "video frames are allowed only from: " + ", ".join(video_hosts),
                    )
            elif tag not in SAFE_INLINE_HTML:
                reader.problem(file, line_no, f"HTML <{tag}> is not allowed and would be removed")
            if EVENT_ATTR_RE.search(attrs):
                reader.problem(file, line_no, "event attributes (on...=) are not allowed")
        if re.search(r"(?i)\bjavascript\s*:", line):
            reader.problem(file, line_no, "javascript: addresses are not allowed")


def resolve_in_folder(base: PurePosixPath, target: str) -> str | None:
    """Resolve a relative target inside the course folder; None when it leaves the folder."""
    parts: list[str] = []
    for part in (base / unquote(target)).parts:
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
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        reader.problem(file, line_no, f"image '{target}' must be stored in the course folder")
        return
    rel = resolve_in_folder(base, parts.path)
    path = reader.folder / rel if rel else None
    if rel is None or path is None or not path.is_file():
        reader.problem(file, line_no, f"image '{target}' does not exist")
        return
    suffix = path.suffix.lower()
    if suffix not in IMAGE_TYPES:
        reader.problem(
            file,
            line_no,
            f"image '{target}' must be one of: {', '.join(sorted(IMAGE_TYPES))}",
        )
        return
    if path.stat().st_size > MAX_IMAGE_BYTES:
        reader.problem(file, line_no, f"image '{target}' is larger than 5 MB")
        return
    if suffix == ".svg":
        svg = path.read_bytes().decode("utf-8", "replace").lower()
        if "<script" in svg or EVENT_ATTR_RE.search(svg) or "javascript:" in svg:
            reader.problem(file, line_no, f"image '{target}' contains script; remove it")
            return
    images[rel] = path


def _check_link(reader, file, line_no, base, target, lesson_files, images) -> None:
    parts = urlsplit(target)
    if parts.scheme:
        if parts.scheme.lower() not in {"http", "https", "mailto"}:
            reader.problem(file, line_no, f"link '{target}': only http, https and mailto links are allowed")
        return
    if parts.netloc or not parts.path:
        return  # protocol-relative, or an anchor on the same page
    rel = resolve_in_folder(base, parts.path)
    if rel is None:
        reader.problem(file, line_no, f"link '{target}' points outside the course folder")
    elif rel in lesson_files:
        return
    elif rel.endswith(".md"):
        reader.problem(file, line_no, f"link '{target}': there is no lesson file {rel}")
    elif rel in images or (reader.folder / rel).is_file():
        reader.problem(
            file, line_no, f"link '{target}': link to lessons or web pages; show images with ![...](...)"
        )
    else:
        reader.problem(file, line_no, f"link '{target}' does not exist in the course folder")


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
    reader.problem(file, first_line, "a lesson must start with its title as a level-1 heading: '# Title'")
    return None, body, first_line


def _read_lessons(reader: _Reader, video_hosts: tuple[str, ...]):
    files = sorted(p for p in reader.folder.iterdir() if p.is_file() and p.suffix.lower() == ".md")
    lesson_files: dict[str, str] = {}
    numbered: list[tuple[int, Path, str]] = []
    for path in files:
        if path.name == COURSE_FILE or path.name.lower() in IGNORED_FILES:
            continue
        match = LESSON_FILE_RE.match(path.name)
        if not match:
            reader.problem(path, 1, "a lesson file name must start with its number, e.g. 01-gioi-thieu.md")
            continue
        numbered.append((int(match.group(1)), path, match.group(2)))
    seen_numbers: dict[int, Path] = {}
    for number, path, stem in numbered:
        if number in seen_numbers:
            reader.problem(path, 1, f"lesson number {number} is also used by {seen_numbers[number].name}")
        seen_numbers[number] = path
        lesson_files[nfc(path.name)] = stem
    lessons: list[tuple[LessonSource, dict[str, int]]] = []
    for number, path, stem in sorted(numbered, key=lambda item: (item[0], item[1].name)):
        text = _read_text(reader, path)
        if text is None:
            continue
        front, key_lines, body, body_line = _split_front_matter(reader, path, text, required=False)
        if front is None:
            continue
        if not is_quiz(front):
            for key in front:
                if key not in LESSON_FIELDS:
                    reader.problem(
                        path, key_lines.get(str(key), 1), f"unknown field '{key}'; lessons take: id, title"
                    )
        slug = nfc(str(front.get("id", stem)))
        if not SLUG_RE.match(slug) or len(slug) > 100:
            where = key_lines.get("id", 1)
            reader.problem(
                path,
                where,
                f"lesson id '{slug}' must use a-z, 0-9 and dashes only (set 'id:' in front matter)",
            )
        front_title = nfc(str(front["title"]).strip()) if front.get("title") else None
        title, body, body_line = _lesson_title(reader, path, body, body_line, {"title": front_title})
        if title is None:
            continue
        quiz = None
        if is_quiz(front):
            quiz = parse_quiz(
                front,
                key_lines,
                body,
                body_line,
                lambda line, message, path=path: reader.problem(path, line, message),
            )
        elif not body.strip():
            reader.problem(path, body_line, "the lesson has no content")
        lessons.append((LessonSource(slug, title, number, path, body, body_line, front, quiz), key_lines))
    seen_slugs: dict[str, Path] = {}
    for lesson, key_lines in lessons:
        if lesson.slug in seen_slugs:
            reader.problem(
                lesson.file,
                key_lines.get("id", 1),
                f"lesson id '{lesson.slug}' is also used by {seen_slugs[lesson.slug].name}",
            )
        seen_slugs[lesson.slug] = lesson.file
    return [lesson for lesson, _ in lessons], lesson_files


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


def read_course(folder: Path, video_hosts: tuple[str, ...] = ()) -> tuple[CourseSource | None, list[Problem]]:
    """Read and check one course folder.

    Returns the course (None when any problem was found) and every problem, sorted by file and line.
    """
    reader = _Reader(folder)
    course_file = folder / COURSE_FILE
    if not course_file.is_file():
        reader.problem(course_file, 1, f"a course folder needs a {COURSE_FILE} file")
        return None, reader.problems
    text = _read_text(reader, course_file)
    meta = None
    intro, intro_line = "", 1
    key_lines: dict[str, int] = {}
    if text is not None:
        data, key_lines, intro, intro_line = _split_front_matter(reader, course_file, text, required=True)
        if data is not None:
            meta = _course_metadata(reader, course_file, data, key_lines)
    lessons, lesson_files = _read_lessons(reader, video_hosts)
    if not lessons and not reader.problems:
        reader.problem(course_file, 1, "the course has no lessons: add files such as 01-gioi-thieu.md")
    images: dict[str, Path] = {}
    checks = [(course_file, intro, intro_line)] + [(lsn.file, lsn.body, lsn.body_line) for lsn in lessons]
    for file, body, first_line in checks:
        _check_markdown(
            reader, file, body, first_line, lesson_files=lesson_files, images=images, video_hosts=video_hosts
        )
    problems = sorted(set(reader.problems))
    if problems or meta is None:
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
    ), []


def course_folders(path: Path) -> list[Path]:
    """The course folders at `path`: the folder itself if it holds course.md, else its children."""
    if (path / COURSE_FILE).is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def lesson_slug_for_file(lessons: list[LessonSource]) -> dict[str, str]:
    """Map each lesson's file name (NFC) to its slug, for rewriting links between lessons."""
    return {nfc(lesson.file.name): lesson.slug for lesson in lessons}
