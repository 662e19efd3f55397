"""The engine's import graph: no cycles, and only the registry imports the policies.

Every import statement counts, also one inside a function or under ``if TYPE_CHECKING``:
a lazy import hides a cycle, it does not remove it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

ENGINE = ROOT / "entitlements"


def _module_files() -> dict[str, Path]:
    files = {f"entitlements.{p.stem}": p for p in ENGINE.glob("*.py") if p.stem != "__init__"}
    files["entitlements"] = ENGINE / "__init__.py"
    files["entitlements.cli"] = ROOT / "cli.py"  # installed as entitlements.cli
    return files


def _imported(name: str, path: Path) -> set[str]:
    """Every module ``path`` names in an import statement, relative ones resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    if name == "entitlements.cli":
        package = "entitlements"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)  # `from . import dates`
    return found


def import_graph() -> dict[str, set[str]]:
    files = _module_files()
    return {name: {m for m in _imported(name, path) if m in files and m != name} for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (depth-first search)."""
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_cycle_finder_sees_lazy_and_typing_imports(tmp_path):
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    module = tmp_path / "a.py"
    module.write_text("if TYPE_CHECKING:\n    from .b import B\n"
                      "def f():\n    from . import c\n    import entitlements.d\n", encoding="utf-8")
    assert {"entitlements.b", "entitlements.c", "entitlements.d"} <= _imported("entitlements.a", module)


def test_no_import_cycle_in_the_engine_and_cli():
    graph = import_graph()
    assert len(graph) > 20 and graph["entitlements.calculator"]
    assert cycles(graph) == []


def test_only_the_registry_imports_the_policies():
    files = _module_files()
    offenders = {name: sorted(m for m in _imported(name, path) if m.split(".")[:2] == ["entitlements", "policies"])
                 for name, path in files.items() if name != "entitlements.registry"}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_nothing_imports_policies_or_cli_outside_the_package():
    # a top-level `policies` or `cli` would be a second copy of the module (a second POLICY object)
    offenders = []
    for path in [*ENGINE.glob("*.py"), ROOT / "cli.py", *(ROOT / "policies").rglob("*.py"),
                 *(ROOT / "tests").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in ("policies", "cli")]
    assert offenders == []
