"""YAML written by people (course front matter, requirement sets), read without surprises.

PyYAML's SafeLoader turns `2025-02-30` or `0b_` into a bare ValueError with no line, follows
anchors and aliases (a few lines can stand for billions of values once serialised) and recurses
once per nesting level. This loader turns every value error into a `yaml.YAMLError` that carries
the line (`problem_mark`), refuses aliases and caps nesting, so callers need catch only YAMLError.
"""

from __future__ import annotations

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.reader import ReaderError

MAX_DEPTH = 20  # front matter and requirement sets nest three or four levels; 20 is generous


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Loader(yaml.SafeLoader):
    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ComposerError(
                None,
                None,
                "anchors and aliases (*name) are not allowed; write the value out",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(
                    None, None, f"values nest more than {MAX_DEPTH} levels deep", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _guarded(construct, what: str):
    def construct_or_explain(loader, node):
        try:
            return construct(loader, node)
        # What PyYAML's scalar constructors raise on values their tag does not fit
        # (`2025-02-30`, `!!float ''`, `!!bool x`, `!!timestamp y`).
        except (ValueError, OverflowError, AttributeError, TypeError, IndexError, KeyError):
            raise ConstructorError(
                None, None, f"'{_shown(node.value)}' is not a valid {what}", node.start_mark
            ) from None

    return construct_or_explain


for _tag, _construct, _what in (
    (
        "timestamp",
        yaml.SafeLoader.construct_yaml_timestamp,
        "date (write it as YYYY-MM-DD with a real month and day, or quote it if it is text)",
    ),
    ("int", yaml.SafeLoader.construct_yaml_int, "number"),
    ("float", yaml.SafeLoader.construct_yaml_float, "number"),
    ("bool", yaml.SafeLoader.construct_yaml_bool, "true or false"),
    ("binary", yaml.SafeLoader.construct_yaml_binary, "base64 value"),
):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _guarded(_construct, _what))


def load_with_node(text: str) -> tuple[yaml.Node | None, object]:
    """Parse one YAML document; return its node tree (for line numbers) and its value.

    Raises yaml.YAMLError, whose `problem_mark` (when present) locates the fault, for every kind
    of bad input: syntax, impossible dates, malformed numbers, aliases, excessive nesting.
    """
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            return node, (loader.construct_document(node) if node is not None else None)
        finally:
            loader.dispose()
    except ReaderError as exc:  # a control character: PyYAML gives its offset, not its line
        line = text.count("\n", 0, exc.position)
        mark = yaml.Mark("<yaml>", exc.position, line, 0, None, None)
        raise yaml.MarkedYAMLError(None, None, str(exc).split("\n")[0], mark) from None


def load(text: str) -> object:
    """Parse one YAML document like `yaml.safe_load`, raising only yaml.YAMLError (see above)."""
    return load_with_node(text)[1]
