"""The register of legal documents as shipped (app/courses/legal_documents.yaml), and the citation
marker `[[VB number]]` that lessons and questions use.

Pure: no database, no request. `courses check` reads the register here; `flask legal load` loads
the same documents into the database, so the file is the one source of both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from app import safe_yaml
from app.messages import Message, _l
from app.text import fold, nfc

REGISTER_FILE = Path(__file__).resolve().parent.parent / "courses" / "legal_documents.yaml"
KINDS = (
    "law",
    "legal_code",
    "ordinance",
    "resolution",
    "decree",
    "decision",
    "directive",
    "circular",
    "other",
)
FIELDS = (
    "number",
    "kind",
    "title",
    "issuer",
    "effective_on",
    "replaced_by",
    "replaced_on",
    "note",
)
REQUIRED = ("number", "kind", "title", "issuer")
MAX_LENGTH = {"number": 60, "title": 500, "issuer": 200, "replaced_by": 60, "note": 1000}
# `[[VB 356/2025/NĐ-CP]]`: VB for "văn bản"; the number as the register writes it.
MARKER_RE = re.compile(r"\[\[VB\s+([^\[\]\n]+?)\s*\]\]")


class RegisterError(ValueError):
    """The register file is wrong: the message names the line."""


@dataclass(frozen=True)
class Document:
    number: str
    kind: str
    title: str
    issuer: str
    effective_on: date | None = None
    replaced_by: str = ""
    replaced_on: date | None = None
    note: str = ""

    def repealed_as_of(self, day: date) -> bool:
        """Replaced (or repealed) on or before `day`; a replacement whose date is not known counts
        as already in effect, so a course never keeps citing it unnoticed."""
        if self.replaced_on is not None:
            return self.replaced_on <= day
        return bool(self.replaced_by)

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in FIELDS}


def anchor(number: str) -> str:
    """The id of a document's row on the register page: "356/2025/NĐ-CP" -> "vb-356-2025-nd-cp"."""
    words = "".join(ch if ch.isalnum() else " " for ch in fold(number)).split()
    return "vb-" + "-".join(words)


def citations(line: str) -> list[str]:
    """The document numbers cited on a line of Markdown (NFC, spaces collapsed)."""
    return [normal_number(found) for found in MARKER_RE.findall(line)]


def normal_number(number: str) -> str:
    return " ".join(nfc(number).split())


def _date(value: object, where: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RegisterError(f"{where}: '{value}' is not a date (write 2026-01-01)") from None


def _document(item: object, line: int, path: Path) -> Document:
    where = f"{path}:{line}"
    if not isinstance(item, dict):
        raise RegisterError(f"{where}: each document is a list item of 'field: value' lines")
    unknown = [str(key) for key in item if key not in FIELDS]
    if unknown:
        raise RegisterError(f"{where}: unknown field '{unknown[0]}'; the fields are: {', '.join(FIELDS)}")
    missing = [key for key in REQUIRED if item.get(key) in (None, "")]
    if missing:
        raise RegisterError(f"{where}: '{missing[0]}' is required")
    text = {key: normal_number(str(item.get(key) or "")) for key in ("number", "replaced_by")}
    text |= {key: nfc(str(item.get(key) or "").strip()) for key in ("kind", "title", "issuer", "note")}
    for key, limit in MAX_LENGTH.items():
        if len(text[key]) > limit:
            raise RegisterError(f"{where}: '{key}' is longer than {limit} characters")
    if text["kind"] not in KINDS:
        raise RegisterError(f"{where}: kind '{text['kind']}' is not one of: {', '.join(KINDS)}")
    return Document(
        **text,
        effective_on=_date(item.get("effective_on"), where),
        replaced_on=_date(item.get("replaced_on"), where),
    )


def parse(text: str, path: Path = REGISTER_FILE) -> dict[str, Document]:
    """The documents of a register file by number; RegisterError names the line of a mistake."""
    try:
        node, data = safe_yaml.load_with_node(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or exc
        raise RegisterError(f"{path}:{line}: not valid YAML: {reason}") from None
    if data is None:
        return {}
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise RegisterError(f"{path}:1: the register is a list of documents ('- number: ...')")
    documents: dict[str, Document] = {}
    for item, item_node in zip(data, node.value, strict=True):
        line = item_node.start_mark.line + 1
        document = _document(item, line, path)
        if document.number in documents:
            raise RegisterError(f"{path}:{line}: document {document.number} is listed twice")
        documents[document.number] = document
    for document in documents.values():
        if document.replaced_by and document.replaced_by not in documents:
            raise RegisterError(
                f"{path}: {document.number} is replaced by {document.replaced_by}, "
                "which is not in the register"
            )
    return documents


def load(path: Path = REGISTER_FILE) -> dict[str, Document]:
    """The shipped register (or the file at `path`): a fresh dict, parsed once per content (every
    course check, upload and lesson preview reads it; parsing its YAML is what costs)."""
    return dict(_parsed(path.read_text(encoding="utf-8"), path))


@lru_cache(maxsize=4)
def _parsed(text: str, path: Path) -> dict[str, Document]:
    return parse(text, path)


@dataclass(frozen=True)
class CitationCheck:
    """What a citation is checked against: the register, and the day the law is read as of."""

    documents: dict[str, Document]
    as_of: date

    def problem(self, number: str) -> Message | None:
        """Why citing `number` is wrong, or None."""
        document = self.documents.get(number)
        if document is None:
            return _l("[[VB %(number)s]]: no such document in the register of legal documents", number=number)
        if not document.repealed_as_of(self.as_of):
            return None
        on = f"{document.replaced_on:%d/%m/%Y}" if document.replaced_on else None
        if document.replaced_by and on:
            return _l(
                "[[VB %(number)s]] was replaced by %(replacement)s on %(date)s: cite the document in force",
                number=number,
                replacement=document.replaced_by,
                date=on,
            )
        if document.replaced_by:
            return _l(
                "[[VB %(number)s]] was replaced by %(replacement)s (date not verified): "
                "cite the document in force",
                number=number,
                replacement=document.replaced_by,
            )
        if on:
            return _l("[[VB %(number)s]] was repealed on %(date)s", number=number, date=on)
        return _l("[[VB %(number)s]] was repealed (date not verified)", number=number)
