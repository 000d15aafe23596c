"""The shape of `app/`, read from its imports (ast): packages by concern, and a graph that only goes down.

- No cycle between packages (a package is `app.<name>`, a sub-package or a top-level module; the
  application factory `app/__init__.py` composes them all and is left out).
- No view imports another view (a view module is one with routes; a module that only makes the
  Blueprint the views of a package share is not a view).
- Only the web layer reads Flask's request globals (`request`, `g`, `session`, `current_user`):
  the views and the few modules that exist to serve requests (WEB_MODULES).
Imports inside functions count too: a function-level import hides a dependency, it does not remove it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Modules that serve requests without being views: the access guard, request parameters, error
# pages, security headers, the language of the request, the commit point, the page frame.
WEB_MODULES = {
    "app.access",
    "app.params",
    "app.errors_web",
    "app.security",
    "app.i18n",
    "app.transactions",
    "app.fragments",
}
REQUEST_GLOBALS = {
    ("flask", "request"),
    ("flask", "g"),
    ("flask", "session"),
    ("flask_login", "current_user"),
}


def _modules(root: Path) -> dict[str, Path]:
    found = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]):
    """(imported module or (module, name) pair, line) for every import in the file."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                full = f"{source}.{alias.name}"
                yield (full, None, node.lineno) if full in modules else (source, alias.name, node.lineno)


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _is_view(path: Path) -> bool:
    """A module with routes (`@bp.route(...)`, `@bp.get(...)`, ...)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in ("route", "get", "post", "put", "delete", "patch")
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        for decorator in node.decorator_list
    )


@cache  # the three checks below read app/ once
def read(root: Path = APP):
    """The package graph {package: {package: [evidence]}}, view-to-view imports and request-global uses."""
    modules = _modules(root)
    top = root.name
    views = {name for name, path in modules.items() if _is_view(path)}
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    view_imports, request_globals = [], []
    for name, path in sorted(modules.items()):
        for target, imported, line in _imports(name, path, modules):
            where = f"{path.relative_to(root.parent)}:{line}"
            if (target, imported) in REQUEST_GLOBALS and name not in views and name not in WEB_MODULES:
                request_globals.append(f"{where} imports {imported} from {target}")
            if target not in modules or name == top:
                continue
            if name in views and target in views and target != name:
                view_imports.append(f"{where}: {name} imports the view {target}")
            if _package(target) != _package(name) and _package(target) != top:
                graph[_package(name)][_package(target)].append(where)
    return graph, view_imports, request_globals


def cycles(graph) -> list[list[str]]:
    """The strongly connected groups of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(set(graph) | {t for targets in graph.values() for t in targets}):
        if node not in index:
            visit(node)
    return groups


def describe(graph) -> str:
    return "\n".join(f"{source} -> {', '.join(sorted(graph[source]))}" for source in sorted(graph))


def _evidence(graph, group: list[str]) -> list[str]:
    return [
        f"{source} -> {target}: {graph[source][target][0]}"
        for source in group
        for target in graph[source]
        if target in group
    ]


def test_no_cycle_between_packages():
    graph, _views, _globals = read()
    found = cycles(graph)
    assert not found, (
        "package cycles:\n"
        + "\n".join(f"{group}:\n  " + "\n  ".join(_evidence(graph, group)) for group in found)
        + "\n\nthe graph:\n"
        + describe(graph)
    )


def test_no_view_imports_another_view():
    _graph, view_imports, _globals = read()
    assert not view_imports, "\n".join(view_imports)


def test_only_the_web_layer_reads_the_request():
    _graph, _views, request_globals = read()
    assert not request_globals, "\n".join(request_globals)


def test_the_reader_finds_what_it_looks_for(tmp_path):
    """The checks above can fail: a small package tree with each fault is caught."""
    root = tmp_path / "app"
    for folder in ("a", "b", "web"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "a" / "service.py").write_text("from app.b.service import helper\n")
    (root / "b" / "service.py").write_text(
        "def helper():\n    from app.a.service import x  # hidden in a function\nfrom flask import request\n"
    )
    (root / "web" / "one.py").write_text(
        "from flask import Blueprint\nbp = Blueprint('one', __name__)\n\n@bp.route('/')\ndef home(): ...\n"
    )
    (root / "web" / "two.py").write_text(
        "from flask import request\nfrom app.web.one import bp\n\n@bp.get('/two')\ndef two(): ...\n"
    )
    graph, view_imports, request_globals = read(root)
    assert cycles(graph) == [["app.a", "app.b"]]
    assert view_imports == ["app/web/two.py:2: app.web.two imports the view app.web.one"]
    assert request_globals == ["app/b/service.py:3 imports request from flask"]


LONGEST_FUNCTION = 60  # lines; a declarative table may be longer, logic may not


def long_functions(root: Path = APP) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > LONGEST_FUNCTION:
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.name}: {length} lines")
    return found


def test_no_function_is_longer_than_a_screen():
    assert not long_functions(), "\n".join(long_functions())


# --- the tests' own shape -----------------------------------------------------------------------

TESTS = Path(__file__).resolve().parent


def imports_of_test_modules(root: Path = TESTS) -> list[str]:
    """Imports of one test module by another. What tests share lives in modules that are not test
    modules: conftest.py (fixtures), helpers.py, factories.py, quiz_fixtures.py and the *_data.py
    modules, so running or changing one test module never depends on another."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                names = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[-1].startswith("test_") and name.split(".")[0] in (root.name, ""):
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno} imports {name}")
                    break
    return found


def test_no_test_module_imports_another():
    found = imports_of_test_modules()
    assert not found, "move what they share to tests/helpers.py or a *_data.py module:\n" + "\n".join(found)


def test_the_test_reader_finds_an_import_of_a_test_module(tmp_path):
    root = tmp_path / "tests"
    (root / "browser").mkdir(parents=True)
    (root / "helpers.py").write_text("X = 1\n")
    (root / "test_a.py").write_text("from tests.helpers import X\nY = 2\n")
    (root / "test_b.py").write_text("from tests.test_a import Y\n")
    (root / "browser" / "test_c.py").write_text("from tests.browser import test_d\nimport tests.test_a\n")
    assert imports_of_test_modules(root) == [
        "tests/browser/test_c.py:1 imports tests.browser.test_d",
        "tests/browser/test_c.py:2 imports tests.test_a",
        "tests/test_b.py:1 imports tests.test_a",
    ]
