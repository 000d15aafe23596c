"""The catalogue search: every current course version as folded search documents, indexed by each
database its own way, and the words of a query matched against them.

A course is found by its code, title, summary, category (in Vietnamese and in English) and the
titles and text of its lessons, with or without diacritics ("chuyen doi so" finds "Chuyển đổi số").
Every word of the query must start a word somewhere in the course (AND, prefix match). The
documents live in the portable table `course_search_documents`; the index over their folded text
is the only thing that differs between databases, and `_FoldedMatch` is the only place that knows:
an FTS5 table kept in step by triggers on SQLite, a GIN index over a 'simple' tsvector on
PostgreSQL (both made by the migration ..._course_search_index.py). On SQLite a later migration
that rebuilds course_search_documents (batch "move and copy") drops the triggers with the old
table: it must make them again (see that migration's _SQLITE_INDEX).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from flask_babel import force_locale
from sqlalchemy import Boolean, Select, delete, func, insert, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from app.courses.categories import CATEGORY_LABELS
from app.models import CourseSearchDocument, CourseVersion, Lesson
from app.text import fold

RANK_HEAD, RANK_SUMMARY, RANK_CATEGORY, RANK_LESSON_TITLE, RANK_LESSON_TEXT = range(5)
MAX_WORDS = 8
SNIPPET_WORDS = 14
FTS_TABLE = "course_search_fts"  # SQLite only; the migration makes it and its triggers
PG_INDEX = "ix_course_search_documents_tsv"  # PostgreSQL only


def is_search_index(name: str | None) -> bool:
    """Whether a table or index is part of one database's own search index (which autogenerate
    and the schema comparison leave out: the models describe only the portable table)."""
    return bool(name) and (name in (PG_INDEX, FTS_TABLE) or name.startswith(FTS_TABLE + "_"))


_WORD = re.compile(r"[^\W_]+")
_Doc = CourseSearchDocument


# --- the documents -----------------------------------------------------------------------------


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        self._skip += tag in ("script", "style")
        self.parts.append(" ")

    def handle_endtag(self, tag) -> None:
        self._skip -= tag in ("script", "style") and self._skip > 0
        self.parts.append(" ")

    def handle_data(self, data) -> None:
        if not self._skip:
            self.parts.append(data)


def words_of(text: str) -> str:
    """`text` folded into its words, single-spaced, punctuation dropped: both databases then cut
    it into the same words ("KH-01" is "kh 01"; PostgreSQL's parser would read "-01" as a number)."""
    return " ".join(_WORD.findall(fold(text)))


def html_text(html: str) -> str:
    """The words a reader sees in a lesson's HTML, single-spaced."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def category_words(code: str) -> str:
    """A category's name in Vietnamese and in English, so either finds it."""
    label = CATEGORY_LABELS.get(code)
    if label is None:
        return code.replace("-", " ")
    names = []
    for locale in ("vi", "en"):
        with force_locale(locale):
            names.append(str(label))
    return " ".join(dict.fromkeys(names))


def document_rows(
    version_id: int,
    head: tuple[str, str, str, str],
    lessons: Iterable[tuple[int, str, str]],
) -> list[dict]:
    """The search documents of one version: `head` is (code, title, summary, category) and
    `lessons` (id, title, html) pairs. Shared by the importer and the migration's backfill."""
    code, title, summary, category = head
    parts = [
        (None, RANK_HEAD, f"{code} {title}"),
        (None, RANK_SUMMARY, summary),
        (None, RANK_CATEGORY, category_words(category)),
    ]
    for lesson_id, lesson_title, html in lessons:
        parts.append((lesson_id, RANK_LESSON_TITLE, lesson_title))
        parts.append((lesson_id, RANK_LESSON_TEXT, html_text(html)))
    rows = [
        {"course_version_id": version_id, "lesson_id": lesson_id, "rank": rank, "folded": words_of(text)}
        for lesson_id, rank, text in parts
    ]
    return [row for row in rows if row["folded"]]


def index_version(session: Session, version: CourseVersion) -> None:
    """Make `version` the one its course is found by: its documents replace the course's older
    ones, so words only in an earlier edition no longer find it. Flushes, never commits."""
    session.flush()
    older = select(CourseVersion.id).where(CourseVersion.course_id == version.course_id)
    session.execute(delete(_Doc).where(_Doc.course_version_id.in_(older)))
    lessons = session.execute(
        select(Lesson.id, Lesson.title, Lesson.html)
        .where(Lesson.course_version_id == version.id)
        .order_by(Lesson.position)
    ).all()
    head = (version.course.code, version.title, version.summary, version.category)
    session.execute(insert(_Doc), document_rows(version.id, head, [tuple(row) for row in lessons]))


# --- matching ------------------------------------------------------------------------------------


class _FoldedMatch(FunctionElement):
    """True where a search document has a word starting with the (folded) word given."""

    type = Boolean()
    inherit_cache = True
    name = "folded_match"


@compiles(_FoldedMatch)
def _match_fts5(element, compiler, **kw):
    doc_id, _folded, word = (compiler.process(clause, **kw) for clause in element.clauses)
    # Compiled SQL of a column and a bound parameter around a constant name: nothing from the user.
    return f"{doc_id} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH '\"' || {word} || '\"*')"  # noqa: S608


@compiles(_FoldedMatch, "postgresql")
def _match_tsvector(element, compiler, **kw):
    _doc_id, folded, word = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"to_tsvector('simple'::regconfig, {folded}) @@ to_tsquery('simple'::regconfig, {word} || ':*')"


def _matches(word: str):
    return _FoldedMatch(_Doc.id, _Doc.folded, word)


def search_words(query: str) -> list[str]:
    """The folded words of a query, each once, at most MAX_WORDS."""
    return list(dict.fromkeys(words_of(query).split()))[:MAX_WORDS]


def ranked_versions(words: Sequence[str]):
    """Subquery (course_version_id, score) of the versions in which every word is found; a lower
    score is a better match (title and code first, then summary, category, lesson words)."""
    per_word = [
        select(_Doc.course_version_id, func.min(_Doc.rank).label("rank"))
        .where(_matches(word))
        .group_by(_Doc.course_version_id)
        for word in words
    ]
    found = (per_word[0] if len(per_word) == 1 else union_all(*per_word)).subquery("found")
    return (
        select(found.c.course_version_id, func.sum(found.c.rank).label("score"))
        .group_by(found.c.course_version_id)
        .having(func.count() == len(words))
        .subquery("ranked")
    )


def search_versions(stmt: Select, query: str) -> Select:
    """`stmt` (selecting CourseVersion) limited to the versions that match `query`, best first;
    unchanged when the query has no words."""
    words = search_words(query)
    if not words:
        return stmt
    ranked = ranked_versions(words)
    return (
        stmt.join(ranked, ranked.c.course_version_id == CourseVersion.id)
        .order_by(None)
        .order_by(ranked.c.score, CourseVersion.title, CourseVersion.course_id)
    )


# --- which lesson matched ------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonHit:
    """The lesson in which a course was found, with a few words around the first match;
    `snippet` is (text, is_match) pieces so the page can highlight the words found."""

    slug: str
    title: str
    snippet: tuple[tuple[str, bool], ...]


def _found(word_tokens: Iterable[str], words: Iterable[str]) -> set[str]:
    tokens = list(word_tokens)
    return {word for word in words if any(token.startswith(word) for token in tokens)}


def _snippet(text: str, words: Sequence[str]) -> tuple[tuple[str, bool], ...]:
    pieces = text.split()
    hits = [i for i, piece in enumerate(pieces) if _found(_WORD.findall(fold(piece)), words)]
    if not hits:
        return ()
    start = max(0, hits[0] - SNIPPET_WORDS // 3)
    window = pieces[start : start + SNIPPET_WORDS]
    out = [("…", False)] if start else []
    out += [(piece, start + i in hits) for i, piece in enumerate(window)]
    if start + SNIPPET_WORDS < len(pieces):
        out.append(("…", False))
    return tuple(out)


def lesson_hits(session: Session, version_ids: Sequence[int], query: str) -> dict[int, LessonHit]:
    """For each version found only thanks to words in its lessons: the lesson with the most of
    those words (the first such in the course). Two queries whatever the number of versions."""
    words = search_words(query)
    if not words or not version_ids:
        return {}
    docs = session.execute(
        select(_Doc.course_version_id, _Doc.lesson_id, _Doc.folded)
        .where(_Doc.course_version_id.in_(version_ids), or_(*(_matches(word) for word in words)))
        .order_by(_Doc.course_version_id, _Doc.rank, _Doc.lesson_id)
    ).all()
    outside: dict[int, set[str]] = {}
    inside: dict[int, dict[int, set[str]]] = {}
    for version_id, lesson_id, folded in docs:
        found = _found(folded.split(), words)
        if lesson_id is None:
            outside.setdefault(version_id, set()).update(found)
        else:
            inside.setdefault(version_id, {}).setdefault(lesson_id, set()).update(found)
    wanted: dict[int, tuple[int, ...]] = {}
    for version_id, lessons in inside.items():
        needed = set(words) - outside.get(version_id, set())
        if needed:
            wanted[version_id] = tuple(sorted(lessons, key=lambda lesson: -len(lessons[lesson] & needed)))
    return _hits_of(session, wanted, words)


def _hits_of(
    session: Session, wanted: dict[int, tuple[int, ...]], words: Sequence[str]
) -> dict[int, LessonHit]:
    ids = {lesson_ids[0] for lesson_ids in wanted.values()}
    if not ids:
        return {}
    lessons = {
        row.id: row
        for row in session.execute(
            select(Lesson.id, Lesson.slug, Lesson.title, Lesson.html).where(Lesson.id.in_(ids))
        )
    }
    hits = {}
    for version_id, lesson_ids in wanted.items():
        lesson = lessons[lesson_ids[0]]
        hits[version_id] = LessonHit(lesson.slug, lesson.title, _snippet(html_text(lesson.html), words))
    return hits
