"""The problems of a requirement set as a person reads them: which set and which rule in words
("Requirement set «Trưởng phòng», rule 5"), the line of the YAML, and the message in the reader's
language, instead of a field path such as `requirements[0].rules[4].kind`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import yaml
from flask_babel import lazy_gettext as _l

from app.profiles.facts import TitleDef
from app.profiles.present import KIND_LABELS

_TOKEN = re.compile(r"([A-Za-z_][\w-]*)|\[(\d+)\]")

# The engine's and the parser's messages (English, for the command line) in words: a pattern and
# the translated message it becomes, with the pattern's named groups as its values.
_MESSAGES = [
    (
        r"unknown rule kind '(?P<kind>.*)' \(known: (?P<known>.*)\)",
        _l("the rule kind «%(kind)s» does not exist (known kinds: %(known)s)"),
    ),
    (r"unknown field", _l("this field is not known here")),
    (r"unknown parameter", _l("this kind of rule has no such parameter")),
    (r"is required", _l("is required")),
    (r"must be a whole number", _l("must be a whole number")),
    (r"must be at least (?P<n>.+)", _l("must be at least %(n)s")),
    (r"must be a number", _l("must be a number")),
    (r"must be between 0 and (?P<n>.+)", _l("must be between 0 and %(n)s")),
    (r"must not be negative", _l("must not be negative")),
    (r"must be true or false", _l("must be true or false")),
    (r"must be a non-empty text", _l("must not be empty")),
    (r"must be a non-empty list", _l("must be a list that is not empty")),
    (r"must be a list", _l("must be a list")),
    (r"must be an object", _l("must be a list of name: value pairs")),
    (r"expected key: value pairs", _l("must be a list of name: value pairs")),
    (r"must be a date written YYYY-MM-DD", _l("must be a date written YYYY-MM-DD")),
    (r"unknown course code (?P<code>.+)", _l("no course has the code «%(code)s»")),
    (r"unknown scale (?P<scale>.+)", _l("there is no scale «%(scale)s»")),
    (
        r"(?P<level>.+) is not a level of (?P<scale>\S+) \((?P<levels>.*)\)",
        _l("«%(level)s» is not a level of %(scale)s (levels: %(levels)s)"),
    ),
    (r"unknown category (?P<category>.+)", _l("there is no category «%(category)s»")),
    (r"unknown title '(?P<title>.*)'", _l("no position has the code «%(title)s»")),
    (r"a date is required \(YYYY-MM-DD\)", _l("a date is required (YYYY-MM-DD)")),
    (r"a list of rules is required", _l("a list of rules is required")),
    (r"key '(?P<key>.*)' is used twice", _l("the key «%(key)s» is used by two rules")),
    (r"not valid YAML: (?P<why>.*)", _l("this is not valid YAML: %(why)s")),
    (r"expected a list of requirement sets", _l("no requirement set found: write a list of sets")),
    (
        r"expected 'title', 'effective_from' and 'rules'",
        _l("a set needs a title, an effective date and rules"),
    ),
    (r"expected kind, params, legal_basis", _l("a rule needs a kind, its parameters and a legal basis")),
]
_COMPILED = [(re.compile(pattern + r"\Z", re.S), words) for pattern, words in _MESSAGES]

_FIELDS = {
    "kind": _l("rule kind"),
    "key": _l("key"),
    "label": _l("label"),
    "legal_basis": _l("legal basis"),
    "applies_to": _l("applies to"),
    "params": _l("parameters"),
    "title": _l("position"),
    "effective_from": _l("effective date"),
    "rules": _l("rules"),
    "note": _l("note"),
    "example": _l("example"),
}


@dataclass(frozen=True)
class Explained:
    """One problem in words: where (the set and rule), the line, and what is wrong."""

    where: str
    line: int | None
    message: str
    field: str  # the field path, for those who know the format


def _tokens(path: str) -> list[tuple[str, int | None]]:
    return [(name, int(index) if index else None) for name, index in _TOKEN.findall(path)]


def _child(node, name: str):
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == name:
                return key, value
    return None


def line_of(root, path: str) -> int | None:
    """The line (from 1) of the YAML where the field at `path` is written, as near as it goes."""
    if root is None:
        return None
    node, tokens = root, _tokens(path)
    if tokens and tokens[0][0] == "requirements":
        tokens = tokens[1:]
        found = _child(node, "requirements")
        node = found[1] if found else node
    line = node.start_mark.line + 1
    for name, index in tokens:
        if index is not None:
            if isinstance(node, yaml.SequenceNode) and index < len(node.value):
                node = node.value[index]
            elif not (isinstance(node, yaml.MappingNode) and index == 0):  # one set, not a list
                break
            line = node.start_mark.line + 1
            continue
        found = _child(node, name)
        if found is None:
            break
        key, node = found
        line = key.start_mark.line + 1
    return line


def _place(tokens, items: list, titles: Mapping[str, TitleDef]) -> tuple[str, list]:
    """The set and rule a path points at, in words, and the rest of the path."""
    parts: list[str] = []
    rest = list(tokens)
    if rest and rest[0][0] == "requirements":
        rest = rest[1:]
    if rest and rest[0][1] is not None:
        i = rest.pop(0)[1]
        item = items[i] if i < len(items) and isinstance(items[i], dict) else {}
        code = str(item.get("title", ""))
        name = titles[code].name if code in titles else code or str(i + 1)
        parts.append(str(_l("Requirement set «%(title)s»", title=name)))
        if len(rest) >= 2 and rest[0][0] == "rules" and rest[1][1] is not None:
            j = rest[1][1]
            rest = rest[2:]
            rules = item.get("rules") if isinstance(item.get("rules"), list) else []
            rule = rules[j] if j < len(rules) and isinstance(rules[j], dict) else {}
            label = str(rule.get("label") or KIND_LABELS.get(str(rule.get("kind", "")), ""))
            words = _l("rule %(n)s", n=j + 1)
            parts.append(f"{words} («{label}»)" if label else str(words))
    return ", ".join(parts), rest


def _field_words(rest) -> str:
    names = [name if index is None else f"[{index}]" for name, index in rest]
    if not names:
        return ""
    if names[0] == "params" and len(names) > 1:
        return str(
            _l(
                "parameter «%(name)s»",
                name="".join(n if n.startswith("[") else f".{n}" for n in names[1:]).lstrip("."),
            )
        )
    words = _FIELDS.get(names[0])
    return str(words) if words is not None and len(names) == 1 else ".".join(names)


def _message_words(message: str) -> tuple[str, bool]:
    """The message in words, and whether it names its field itself."""
    text = str(message)
    for pattern, words in _COMPILED:
        match = pattern.match(text)
        if match:
            return str(words) % match.groupdict() if match.groupdict() else str(
                words
            ), "kind" in match.groupdict()
    return text, False


def explain(field: str, message, root, items: list, titles: Mapping[str, TitleDef]) -> Explained:
    """One problem (`field` path and message) of the YAML whose node tree is `root` and whose sets
    are `items`, in words."""
    line = int(field.split()[1]) if field.startswith("line ") else line_of(root, field)
    where, rest = _place(_tokens(field) if not field.startswith("line ") else [], items, titles)
    text, names_field = _message_words(message)
    what = "" if names_field else _field_words(rest)
    return Explained(where=where, line=line, message=f"{what}: {text}" if what else text, field=field)
