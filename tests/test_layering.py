"""The package layout is the architecture: these tests fail when an import breaks it.

Every ``import`` in the project's own modules is read with :mod:`ast`, the ones inside
functions included (a function-local import that closes a circle is still a circle;
it only hides it until the call), ``if TYPE_CHECKING:`` blocks excluded (they never
run). Each import is an edge to the module it names, so the tests see the same graph
Python builds at run time, without importing anything.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("common", "archive", "annotate", "library", "matching", "triage", "workbench")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(module: str, path: Path) -> set[str]:
    """The project modules ``module`` imports, resolved to the most specific module."""
    modules = _modules()
    is_package = path.name == "__init__.py"
    here = module.split(".") if is_package else module.split(".")[:-1]
    targets: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                targets.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = here[: len(here) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    submodule = f"{base}.{alias.name}"
                    targets.add(submodule if submodule in modules else base)
            visit(child)

    visit(ast.parse(path.read_text(), str(path)))
    return {target for target in targets if target in modules and target != module}


@cache
def import_graph() -> dict[str, frozenset[str]]:
    return {name: frozenset(_imported(name, path)) for name, path in _modules().items()}


def _cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return components


def test_the_graph_sees_function_local_imports():
    # The reader is what every other test here relies on: it must see an import
    # written inside a function body, as well as the module-level ones.
    graph = import_graph()
    assert "annotate.datasets.service" in graph["annotate.tasks"]
    assert "archive.ledger" in graph["archive.services"]


def test_no_module_imports_itself_back_through_others():
    # A package's __init__ that imports its own submodules is the one allowed loop:
    # Python runs the __init__ first, so a submodule importing a sibling is safe.
    graph = {
        module: frozenset(target for target in targets if not module.startswith(target + "."))
        for module, targets in import_graph().items()
    }
    assert _cycles(graph) == []


@pytest.mark.parametrize(
    ("layer", "must_not_import"),
    [
        ("common", ("archive", "annotate", "library", "matching", "triage", "workbench")),
        ("archive", ("annotate", "library", "matching", "triage", "workbench")),
        ("annotate", ("library", "matching", "triage", "workbench")),
        ("library", ("matching", "triage", "workbench")),
        ("matching", ("triage", "workbench")),
        ("triage", ("library", "matching", "workbench")),
    ],
)
def test_lower_layers_never_import_higher_ones(layer, must_not_import):
    offending = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if module == layer or module.startswith(layer + ".")
        for target in targets
        if target.split(".")[0] in must_not_import
    )
    assert offending == []


def test_exporters_are_pure_functions_of_records():
    # Exporters turn records into bytes; reading the database is the reader's job and
    # the fast paths' (annotate.fast), so an exporter can be tested on plain dicts. The
    # models module is allowed for its choice lists (verdict ratings, stances).
    offending = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if module.startswith("annotate.datasets.exporters")
        for target in targets
        if not target.startswith(("annotate.datasets.exporters", "annotate.datasets.jsonld"))
        and target not in ("annotate.models", "annotate.records", "annotate.actions")
    )
    assert offending == []


def _writes_an_event(call: ast.Call) -> bool:
    """``ledger.append(...)``, or a service helper that passes ``action`` on to it."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return (
            func.attr == "append" and isinstance(func.value, ast.Name) and func.value.id == "ledger"
        )
    return isinstance(func, ast.Name) and func.id in ("append", "_save", "_citation_event")


def test_ledger_actions_are_named_by_their_enums_not_spelled_out():
    # One vocabulary (archive.actions, annotate.actions): a bare string passed as an
    # event's action is a name no reader knows about.
    bare = []
    for module, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and _writes_an_event(node):
                for keyword in node.keywords:
                    if keyword.arg == "action" and isinstance(keyword.value, ast.Constant):
                        bare.append(f"{module}:{node.lineno} action={keyword.value.value!r}")
    assert bare == []
