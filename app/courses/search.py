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
from sqlalchemy import Boolean, Select, case, delete, func, insert, literal_column, or_, select, union_all
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
    """True where a search document has the (folded) words given, one after the other, each as
    the start of a word: "chuyen doi so" finds "chuyen doi so", "chuy do" finds it too."""

    type = Boolean()
    inherit_cache = True
    name = "folded_match"


@compiles(_FoldedMatch)
def _match_fts5(element, compiler, **kw):
    doc_id, _folded, words = (compiler.process(clause, **kw) for clause in element.clauses)
    # '"w1"* + "w2"*': a phrase of prefixes. Compiled SQL of a column and a bound parameter
    # around a constant name: nothing from the user is written into the statement.
    phrase = f"'\"' || replace({words}, ' ', '\"* + \"') || '\"*'"
    return f"{doc_id} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH {phrase})"  # noqa: S608


@compiles(_FoldedMatch, "postgresql")
def _match_tsvector(element, compiler, **kw):
    _doc_id, folded, words = (compiler.process(clause, **kw) for clause in element.clauses)
    # 'w1:* <-> w2:*': a phrase of prefixes.
    query = f"to_tsquery('simple'::regconfig, replace({words}, ' ', ':* <-> ') || ':*')"
    return f"to_tsvector('simple'::regconfig, {folded}) @@ {query}"


def _matches(words: Sequence[str]):
    return _FoldedMatch(_Doc.id, _Doc.folded, " ".join(words))


def search_words(query: str) -> list[str]:
    """The folded words of a query, each once, at most MAX_WORDS."""
    return list(dict.fromkeys(_phrase(query)))


def _phrase(query: str) -> list[str]:
    return words_of(query).split()[:MAX_WORDS]


def _pairs(phrase: Sequence[str]) -> list[list[str]]:
    """The query's neighbouring words, two by two ("du lieu bao mat": du lieu, lieu bao, bao mat)."""
    return [list(phrase[i : i + 2]) for i in range(len(phrase) - 1)]


def _versions_with(phrases: Sequence[Sequence[str]], label: str):
    """Subquery (course_version_id, rank): one row per phrase found in a version, with the best
    rank of the parts that have it."""
    each = [
        select(_Doc.course_version_id, func.min(_Doc.rank).label("rank"))
        .where(_matches(phrase))
        .group_by(_Doc.course_version_id)
        for phrase in phrases
    ]
    return (each[0] if len(each) == 1 else union_all(*each)).subquery(label)


def ranked_versions(query: str):
    """Subquery (course_version_id, tier, pairs, score) of the versions in which every word of
    `query` is found (AND), anywhere in the course.

    Vietnamese words are syllables, and folded ones are ambiguous ("so" is số, sở, sổ...), so
    words found together say much more than words found apart: tier 0 marks the versions with
    the whole query as a phrase in one part (title, a lesson...), `pairs` counts the neighbouring
    words of the query found side by side. A lower score is a better match: title and code
    first, then summary, category, lesson titles, lesson text.
    """
    words, phrase = search_words(query), _phrase(query)
    found = _versions_with([[word] for word in words], "found")
    every_word = (
        select(found.c.course_version_id, func.sum(found.c.rank).label("score"))
        .group_by(found.c.course_version_id)
        .having(func.count() == len(words))
        .subquery("every_word")
    )
    if len(phrase) < 2:
        no = literal_column("0")
        columns = (every_word.c.course_version_id, no.label("tier"), no.label("pairs"), every_word.c.score)
        return select(*columns).subquery("ranked")
    whole = _versions_with([phrase], "whole")
    paired = _versions_with(_pairs(phrase), "paired")
    pairs = (
        select(paired.c.course_version_id, func.count().label("pairs"))
        .group_by(paired.c.course_version_id)
        .subquery("pairs")
    )
    version = every_word.c.course_version_id
    return (
        select(
            version,
            case((whole.c.course_version_id.is_(None), 1), else_=0).label("tier"),
            func.coalesce(pairs.c.pairs, 0).label("pairs"),
            func.coalesce(whole.c.rank, every_word.c.score).label("score"),
        )
        .outerjoin(whole, whole.c.course_version_id == version)
        .outerjoin(pairs, pairs.c.course_version_id == version)
    ).subquery("ranked")


def search_versions(stmt: Select, query: str) -> Select:
    """`stmt` (selecting CourseVersion, already filtered) limited to the versions that match
    `query`, best first: only those with the whole phrase when any has it, else those with
    every word, the most words side by side first. Unchanged when the query has no words."""
    if not search_words(query):
        return stmt
    ranked = ranked_versions(query)
    found = stmt.join(ranked, ranked.c.course_version_id == CourseVersion.id)
    tiers = found.with_only_columns(ranked.c.tier).order_by(None).subquery("tiers")
    best = select(func.min(tiers.c.tier)).scalar_subquery()
    return (
        found.where(ranked.c.tier == best)
        .order_by(None)
        .order_by(ranked.c.pairs.desc(), ranked.c.score, CourseVersion.title, CourseVersion.course_id)
    )


# --- which lesson matched ------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonHit:
    """The lesson in which a course was found, with a few words around the first match;
    `snippet` is (text, is_match) pieces so the page can highlight the words found."""

    slug: str
    title: str
    snippet: tuple[tuple[str, bool], ...]


def _found(tokens: Sequence[str], words: Iterable[str]) -> set[str]:
    return {word for word in words if any(token.startswith(word) for token in tokens)}


def _phrase_starts(tokens: Sequence[str], phrase: Sequence[str]) -> list[int]:
    last = len(tokens) - len(phrase) + 1
    return [
        start
        for start in range(max(last, 0))
        if all(tokens[start + k].startswith(word) for k, word in enumerate(phrase))
    ]


def _marked(pieces: Sequence[str], words: Sequence[str], phrases: Sequence[Sequence[str]]) -> list[int]:
    """Which pieces of a text to highlight: those of each occurrence of the phrases, else (none
    there) those with any of the words."""
    flat = [(i, token) for i, piece in enumerate(pieces) for token in words_of(piece).split()]
    tokens = [token for _, token in flat]
    marked = {
        flat[start + k][0]
        for phrase in phrases
        for start in _phrase_starts(tokens, phrase)
        for k in range(len(phrase))
    }
    return sorted(marked or {i for i, token in flat if _found([token], words)})


def _snippet(
    text: str, words: Sequence[str], phrases: Sequence[Sequence[str]]
) -> tuple[tuple[str, bool], ...]:
    pieces = text.split()
    marked = _marked(pieces, words, phrases)
    if not marked:
        return ()
    start = max(0, marked[0] - SNIPPET_WORDS // 3)
    window = pieces[start : start + SNIPPET_WORDS]
    out = [("…", False)] if start else []
    out += [(piece, start + i in marked) for i, piece in enumerate(window)]
    if start + SNIPPET_WORDS < len(pieces):
        out.append(("…", False))
    return tuple(out)


def _lesson_of(docs: Sequence[tuple[int | None, str]], words: Sequence[str], phrase: Sequence[str]):
    """(lesson id, phrases to highlight) of the lesson to name for one version's matching
    documents, or None when the course was found without its lessons; documents come best first.

    With the whole phrase somewhere: the first part that has it. Else the lesson with the most of
    the query's neighbouring words side by side, then the most words found nowhere else."""
    with_phrase = [lesson_id for lesson_id, folded in docs if _phrase_starts(folded.split(), phrase)]
    if len(phrase) > 1 and with_phrase:
        return None if with_phrase[0] is None else (with_phrase[0], [phrase])
    outside: set[str] = set()
    inside: dict[int, list[list[str]]] = {}
    for lesson_id, folded in docs:
        if lesson_id is None:
            outside |= _found(folded.split(), words)
        else:
            inside.setdefault(lesson_id, []).append(folded.split())
    needed = set(words) - outside
    if not needed or not inside:
        return None
    pairs = _pairs(phrase)

    def weight(lesson_id: int) -> tuple[int, int]:
        texts = inside[lesson_id]
        side_by_side = sum(any(_phrase_starts(tokens, pair) for tokens in texts) for pair in pairs)
        return side_by_side, len(set().union(*(_found(tokens, needed) for tokens in texts)))

    return max(inside, key=weight), pairs


def lesson_hits(session: Session, version_ids: Sequence[int], query: str) -> dict[int, LessonHit]:
    """For each version found thanks to its lessons: the lesson to name and a few of its words
    (see `_lesson_of`). Two queries whatever the number of versions."""
    words, phrase = search_words(query), _phrase(query)
    if not words or not version_ids:
        return {}
    docs: dict[int, list[tuple[int | None, str]]] = {}
    for version_id, lesson_id, folded in session.execute(
        select(_Doc.course_version_id, _Doc.lesson_id, _Doc.folded)
        .where(_Doc.course_version_id.in_(version_ids), or_(*(_matches([word]) for word in words)))
        .order_by(_Doc.course_version_id, _Doc.rank, _Doc.lesson_id)
    ):
        docs.setdefault(version_id, []).append((lesson_id, folded))
    wanted = {version_id: _lesson_of(found, words, phrase) for version_id, found in docs.items()}
    return _hits_of(session, {key: value for key, value in wanted.items() if value}, words)


def _hits_of(
    session: Session, wanted: dict[int, tuple[int, list[list[str]]]], words: Sequence[str]
) -> dict[int, LessonHit]:
    ids = {lesson_id for lesson_id, _ in wanted.values()}
    if not ids:
        return {}
    lessons = {
        row.id: row
        for row in session.execute(
            select(Lesson.id, Lesson.slug, Lesson.title, Lesson.html).where(Lesson.id.in_(ids))
        )
    }
    hits = {}
    for version_id, (lesson_id, phrases) in wanted.items():
        lesson = lessons[lesson_id]
        snippet = _snippet(html_text(lesson.html), words, phrases)
        hits[version_id] = LessonHit(lesson.slug, lesson.title, snippet)
    return hits
