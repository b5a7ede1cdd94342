"""Imports point one way: no module imports, however indirectly, one that imports it.

Every import statement counts — at the top of a file, under `if TYPE_CHECKING:` and
inside functions — because each is a dependency a reader has to hold in mind, and a
cycle hidden in a function or a type hint is still a cycle. An import inside a
function is allowed only with a comment saying why (usually: to keep networkx out of
`import simulation`). The layers are drawn in docs/architecture.md.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("simulation", "lessons", "kubeviz")
# The model's layers, lowest first (docs/architecture.md draws them): a module may
# import its own layer and those below. A package counts with everything in it.
# Then the lesson engine, then the web layer's (WEB_LAYERS).
LAYERS = (
    "errors events resources quantity names clock config recorder state",
    "objects",
    "store manifests validation admission network",
    "apiserver workqueue",
    "component context",
    "control_plane node limits containers",
    "bootstrap history view",
    "actions apply kubectl",
    "cluster __main__",
)
LAYER_OF = {
    f"simulation.{name}": n for n, names in enumerate(LAYERS) for name in names.split()
}
LAYER_OF |= {"simulation": len(LAYERS) - 1, "lessons": len(LAYERS)}
# The web layer's own layers, above the model and the lesson engine.
WEB_LAYERS = (
    "__init__ apps env settings middleware protocol limits memberships frames"
    " ahead scenarios models migrations outbound transport",
    "persistence",
    "autosave",
    "live",
    "registry",
    "consumers views",
    "lessons",
    "classroom",
    "routing urls asgi",
)
for n, names in enumerate(WEB_LAYERS, start=len(LAYERS) + 1):
    for name in names.split():
        LAYER_OF["kubeviz" if name == "__init__" else f"kubeviz.{name}"] = n


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str | None  # the imported module of ours (a package: its __init__)
    name: str  # what the statement names: `shlex`, `simulation.network.dns`
    path: Path
    line: int
    deferred: bool  # inside a function
    explained: bool  # a comment on the line, or just above it


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name → file, for every .py file of the packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _owning_module(name: str, known: dict[str, Path]) -> str | None:
    """The module a dotted name lives in: itself, or the nearest package above."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _explained(lines: list[str], node: ast.stmt) -> bool:
    """A comment on the statement's line, or above the run of imports it is in."""
    if "#" in lines[node.lineno - 1]:
        return True
    n = node.lineno - 2
    while n >= 0 and lines[n].strip().startswith(("import ", "from ")):
        n -= 1
    return n >= 0 and lines[n].strip().startswith("#")


def _names(node: ast.Import | ast.ImportFrom, base: list[str], known) -> list[str]:
    """The dotted names an import statement brings in."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        up = base[: len(base) - (node.level - 1)]
        origin = ".".join(up + ([node.module] if node.module else []))
    else:
        origin = node.module or ""
    # `from pkg import mod` imports the submodule when there is one
    return [
        f"{origin}.{a.name}" if f"{origin}.{a.name}" in known else origin
        for a in node.names
    ]


def _imports_of(module: str, path: Path, known: dict[str, Path]) -> list[Import]:
    text = path.read_text()
    lines = text.splitlines()
    tree = ast.parse(text, filename=str(path))
    # the package a relative import starts from
    base = module.split(".")[: None if path.name == "__init__.py" else -1]
    found = []
    todo: list[tuple[ast.AST, bool]] = [(tree, False)]
    while todo:
        node, in_function = todo.pop()
        inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for child in ast.iter_child_nodes(node):
            todo.append((child, inside))
            if not isinstance(child, ast.Import | ast.ImportFrom):
                continue
            for name in _names(child, base, known):
                target = _owning_module(name, known)
                found.append(
                    Import(
                        module,
                        target if target != module else None,
                        name,
                        path,
                        child.lineno,
                        inside,
                        _explained(lines, child),
                    )
                )
    return found


def imports(root: Path = ROOT) -> list[Import]:
    """Every import statement's names, wherever the statement is; `target` is set
    when the name is one of our modules (other than the importing one)."""
    known = modules(root)
    return [
        imp
        for module, path in known.items()
        for imp in _imports_of(module, path, known)
    ]


def graph(found: list[Import]) -> nx.DiGraph:
    g = nx.DiGraph()
    for imp in found:
        if imp.target is None:
            continue
        g.add_edge(
            imp.source, imp.target, at=f"{imp.path.relative_to(ROOT)}:{imp.line}"
        )
    return g


def cycles(found: list[Import]) -> list[str]:
    """One cycle per group of modules that import each other, as readable text."""
    g = graph(found)
    report = []
    for group in sorted(nx.strongly_connected_components(g), key=min):
        if len(group) < 2:
            continue
        cycle = nx.find_cycle(g.subgraph(group), source=min(group))
        steps = ", ".join(f"{a} → {b} ({g.edges[a, b]['at']})" for a, b, *_ in cycle)
        report.append(f"{len(group)} modules import each other, e.g. {steps}")
    return report


def test_the_import_walk_sees_every_kind_of_import():
    """The walk counts top-level, TYPE_CHECKING and function-level imports alike."""
    found = imports()
    edges = {(i.source, i.target): i for i in found}
    # a top-level relative import of a submodule
    assert ("simulation.cluster", "simulation.history") in edges
    # one under TYPE_CHECKING
    assert ("simulation.context", "simulation.store") in edges
    # one inside a function, to keep networkx lazy
    lazy = edges[("simulation.cluster", "simulation.network")]
    assert lazy.deferred and lazy.explained
    # the web layer's absolute imports of the model
    assert ("kubeviz.live", "simulation") in edges
    # the standard library counts for deferral, not for cycles
    stdlib = [i for i in found if i.name == "copy"]
    assert stdlib and all(i.target is None for i in stdlib)


def layer(module: str) -> int | None:
    """The layer of a module: its own entry, or that of the package it is in."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in LAYER_OF:
            return LAYER_OF[".".join(parts[:n])]
    return None


def test_every_module_has_a_layer():
    """A new module of the model's top level goes into LAYERS (and the drawing)."""
    assert sorted({m for m in modules() if layer(m) is None}) == []


def test_imports_point_down_the_layers():
    upward = sorted(
        f"{i.path.relative_to(ROOT)}:{i.line} {i.source} (layer {layer(i.source)})"
        f" imports {i.target} (layer {layer(i.target)})"
        for i in imports()
        if i.target is not None
        and None not in (layer(i.source), layer(i.target))
        and layer(i.source) < layer(i.target)
    )
    assert upward == []


def test_no_module_imports_one_that_imports_it():
    assert cycles(imports()) == []


def test_every_import_inside_a_function_says_why():
    unexplained = [
        f"{i.path.relative_to(ROOT)}:{i.line} imports {i.name}"
        for i in imports()
        if i.deferred and not i.explained
    ]
    assert unexplained == []
