"""The package's layout is the pipeline: model ← extract ← build ← serve ← cli.

Every import inside `kg` (lazy ones in functions included) must point to the same layer or
an earlier one, and no chain of imports may come back to where it started.
"""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

KG = Path(__file__).resolve().parent.parent / "kg"
LAYERS = {"model": 0, "extract": 1, "build": 2, "serve": 3}
TOP = 4   # kg/__init__.py, kg/cli.py, kg/bench.py: the entry points


def module_name(path: Path, root: Path = KG) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.get(parts[1], TOP) if len(parts) > 1 else TOP


def imports(path: Path, root: Path = KG) -> set[str]:
    """Modules of kg that `path` imports, resolved to dotted names."""
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] != "kg":
                continue
            for alias in node.names:   # `from . import cues` names a module, not the package
                submodule = (root.parent / Path(*target.split("."), alias.name)).with_suffix(".py")
                found.add(f"{target}.{alias.name}" if submodule.is_file() else target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "kg")
    return found - {module}


def graph(root: Path = KG) -> nx.DiGraph:
    g = nx.DiGraph()
    for path in root.rglob("*.py"):
        for target in imports(path, root):
            g.add_edge(module_name(path, root), target)
    return g


def test_layout_imports_point_to_earlier_layers():
    wrong = [(a, b) for a, b in graph().edges if layer(b) > layer(a)]
    assert not wrong, "imports against the pipeline's direction: " + ", ".join(f"{a} → {b}" for a, b in wrong)


def test_layout_has_no_import_cycle():
    cycles = list(nx.simple_cycles(graph()))
    assert not cycles, f"import cycles: {cycles}"


def test_layout_check_sees_a_wrong_import_and_a_cycle(tmp_path):
    """The checks themselves, on a made-up package: a lazy import from a later layer and a cycle."""
    root = tmp_path / "kg"
    for folder in ("model", "serve"):
        (root / folder).mkdir(parents=True)
    (root / "model" / "names.py").write_text("def f():\n    from ..serve import store\n", encoding="utf-8")
    (root / "serve" / "store.py").write_text("from ..model import names\n", encoding="utf-8")
    g = graph(root)
    assert ("kg.model.names", "kg.serve.store") in g.edges
    assert any(layer(b) > layer(a) for a, b in g.edges)
    assert list(nx.simple_cycles(g))
