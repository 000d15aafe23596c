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
        except (ValueError, OverflowError, AttributeError, TypeError):  # e.g. `!!timestamp x`
            raise ConstructorError(
                None, None, f"'{_shown(node.value)}' is not a valid {what}", node.start_mark
            ) from None

    return construct_or_explain


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    _guarded(
        yaml.SafeLoader.construct_yaml_timestamp,
        "date (write it as YYYY-MM-DD with a real month and day, or quote it if it is text)",
    ),
)
_Loader.add_constructor("tag:yaml.org,2002:int", _guarded(yaml.SafeLoader.construct_yaml_int, "number"))
_Loader.add_constructor("tag:yaml.org,2002:float", _guarded(yaml.SafeLoader.construct_yaml_float, "number"))


def load_with_node(text: str) -> tuple[yaml.Node | None, object]:
    """Parse one YAML document; return its node tree (for line numbers) and its value.

    Raises yaml.YAMLError, whose `problem_mark` (when present) locates the fault, for every kind
    of bad input: syntax, impossible dates, malformed numbers, aliases, excessive nesting.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def load(text: str) -> object:
    """Parse one YAML document like `yaml.safe_load`, raising only yaml.YAMLError (see above)."""
    return load_with_node(text)[1]
