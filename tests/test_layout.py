"""The shape of the house, read from the source: which package may import what, no import
cycles (imports inside functions included), and one home for each constant."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "index", "web")
# What each package may not import: data flows web -> index -> archive.
FORBIDDEN = {
    "archive": ("flask", "werkzeug", "whoosh", "index", "web"),
    "index": ("flask", "werkzeug", "web"),
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports, at any depth of its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    typing_only = {id(inner) for node in ast.walk(tree)
                   if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
                   for inner in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:  # annotations only; not run
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            # ``from index import search`` imports the module index.search
            found.update(f"{base}.{alias.name}" for alias in node.names
                         if f"{base}.{alias.name}" in MODULES)
    return found


def _project_graph() -> dict[str, set[str]]:
    graph = defaultdict(set)
    for name, path in MODULES.items():
        for imported in _imports(name, path):
            if imported in MODULES and imported != name:
                graph[name].add(imported)
    return graph


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_packages_import_only_downstream(package):
    offenders = []
    for name, path in MODULES.items():
        if name.split(".")[0] != package:
            continue
        for imported in _imports(name, path):
            if imported.split(".")[0] in FORBIDDEN[package]:
                offenders.append(f"{name} imports {imported}")
    assert offenders == []


def test_only_the_whoosh_engine_imports_whoosh():
    """The engine-neutral core (query language, analysis, plan, spelling, service, results),
    the other engines, the web layer and the archive name no Whoosh module."""
    offenders = [f"{name} imports {imported}" for name, path in MODULES.items()
                 if not name.startswith("index.engines.whoosh")
                 for imported in _imports(name, path) if imported.split(".")[0] == "whoosh"]
    assert offenders == []


def test_no_import_cycles():
    graph = _project_graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for neighbour in sorted(graph.get(node, ())):
            # a package's __init__ importing its own modules is how packages are built
            if neighbour.startswith(node + "."):
                continue
            if state.get(neighbour) == 1:
                cycles.append(" -> ".join(trail[trail.index(neighbour):] + [neighbour]))
            elif neighbour not in state:
                visit(neighbour, trail + [neighbour])
        state[node] = 2

    for module in sorted(MODULES):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_each_constant_has_one_home():
    """A module-level UPPER_CASE name assigned a literal value lives in one module only."""
    homes = defaultdict(list)
    for name, path in MODULES.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if (isinstance(target, ast.Name) and target.id.isupper()
                            and not target.id.startswith("_")
                            and isinstance(node.value, ast.Constant | ast.Dict | ast.Tuple)):
                        homes[target.id].append(name)
    assert {constant: where for constant, where in homes.items() if len(where) > 1} == {}


def _defined(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names


def test_names_are_imported_from_their_home():
    """``from archive.cite import language_name`` works only because cite imports it: a name
    is imported from the module that defines it (packages' ``__init__`` may re-export)."""
    defined = {name: _defined(ast.parse(path.read_text(encoding="utf-8")))
               for name, path in MODULES.items()}
    offenders = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.module not in MODULES or node.level:
                continue
            if MODULES[node.module].name == "__init__.py":
                continue
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                if alias.name not in defined[node.module] and submodule not in MODULES:
                    offenders.append(f"{name}: from {node.module} import {alias.name}")
    assert offenders == []


def test_exception_names_end_in_error():
    offenders = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(base, "id", getattr(base, "attr", "")) for base in node.bases}
                if bases & {"Exception", "ValueError", "RuntimeError", "LookupError", "OSError",
                            "KeyError", "TypeError"} or any(base.endswith("Error") for base in bases):
                    if not node.name.endswith("Error"):
                        offenders.append(f"{name}.{node.name}")
    assert offenders == []


def test_only_the_vector_graph_imports_usearch():
    """The proximity graph is one module's business: the vectors, the meaning search and the
    web name no usearch module."""
    offenders = [f"{name} imports {imported}" for name, path in MODULES.items()
                 if name != "index.vector_graph"
                 for imported in _imports(name, path) if imported.split(".")[0] == "usearch"]
    assert offenders == [] and "usearch" in {imported.split(".")[0] for imported in
                                             _imports("index.vector_graph", MODULES["index.vector_graph"])}
