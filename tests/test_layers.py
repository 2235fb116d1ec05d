"""The layers of dxframework point one way, and every module imports on its own.

The layers, from the bottom: ``errors`` and ``_version``; ``model`` (no I/O, no registry);
``methods``; ``io`` (knows no plugins); ``plugins``; ``pipeline``; ``packs``; ``analysis``;
``report``; ``cli``; and on top the public API (``dxframework/__init__.py``, ``__main__``).
A module of layer k imports only modules of layers ≤ k: the imports written at module level
(those under ``if TYPE_CHECKING:`` too, as a type names a dependency) are read with ``ast``,
so a cycle or an upward import fails here, before it fails at run time. Imports inside
function bodies are allowed only for optional extras.

Each module is also imported in a fresh interpreter (one per module, two at a time), so a
module that works only because another was imported first is found.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "dxframework"

#: Top-level modules and packages of dxframework, bottom layer first.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "_version"),
    ("model",),
    ("methods",),
    ("io",),
    ("plugins", "builtin"),
    ("pipeline",),
    ("packs", "testing"),
    ("analysis", "assessment"),
    ("report",),
    ("cli",),
    ("__init__", "__main__"),
)
LAYER = {name: k for k, names in enumerate(LAYERS) for name in names}

#: Optional extras (and the standard library's modules dxframework may import late).
OPTIONAL = {
    "babel",
    "dask",
    "distributed",
    "docx",
    "matplotlib",
    "openpyxl",
    "pandas",
    "python_calamine",
    "scipy",
    "xarray",
}

_E = "engineer E's part of issue 9 (plugins, pipeline, testing, report/environment)"

#: Modules that still break a rule when this test was written, by test: the assertions about
#: them are expected to fail, and fail loudly (strict) once they pass, so that the mark is
#: removed then.
KNOWN_BREAKS: dict[str, dict[str, str]] = {
    "upward": {},
    "late": {},
}


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["dxframework", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return LAYER["__init__"]
    return LAYER[parts[1]]


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(module: str) -> tuple[set[str], list[tuple[int, str]]]:
    """(dxframework modules imported at module level, (line, name) imported in functions)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top: set[str] = set()
    inner: list[tuple[int, str]] = []

    def names(node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name for a in node.names]
        base = _resolve(module, path, node)
        # "from dxframework.io import writers" imports the module dxframework.io.writers
        return [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                for name in names(child):
                    if in_function:
                        inner.append((child.lineno, name))
                    elif name.split(".")[0] == "dxframework":
                        top.add(name)
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            visit(child, inside)

    visit(tree, False)
    return {m for m in top if m in MODULES or m == "dxframework"}, inner


def _params(rule: str) -> list[object]:
    known = KNOWN_BREAKS[rule]
    return [
        pytest.param(
            m,
            marks=[pytest.mark.xfail(strict=True, reason=known[m])] if m in known else [],
            id=m,
        )
        for m in MODULES
    ]


def test_every_module_has_a_layer() -> None:
    """A new top-level module or package must be given its place in LAYERS."""
    unplaced = sorted(
        {m.split(".")[1] for m in MODULES if "." in m and m.split(".")[1] not in LAYER}
    )
    assert not unplaced, f"give these a layer in tests/test_layers.py: {unplaced}"


@pytest.mark.parametrize("module", _params("upward"))
def test_imports_point_down_the_layers(module: str) -> None:
    """A module of layer k imports only modules of layers ≤ k (at module level)."""
    top, _ = _imports(module)
    upward = sorted(m for m in top if _layer(m) > _layer(module))
    assert not upward, f"{module} (layer {_layer(module)}) imports upward: {upward}"


@pytest.mark.parametrize("module", _params("late"))
def test_no_imports_in_function_bodies(module: str) -> None:
    """Imports inside functions are for optional extras only (the layers are acyclic)."""
    _, inner = _imports(module)
    late = [(line, m) for line, m in inner if m.split(".")[0] not in OPTIONAL]
    # modules of the package that need an optional extra: the DOCX writer (python-docx), and
    # the documents (matplotlib, python-docx) for the commands that write them
    late = [(line, m) for line, m in late if m != "dxframework.report.docx_writer"]
    if module.startswith("dxframework.cli."):  # and the figures of an analysis (matplotlib)
        late = [
            (line, m)
            for line, m in late
            if not m.startswith("dxframework.report")
            and m != "dxframework.analysis.uncertainty.plots"
        ]
    assert not late, f"{module} imports in function bodies: {late}"


def _cycle() -> list[str] | None:
    """A cycle among the module-level imports, if any (depth-first search)."""
    graph = {m: sorted(_imports(m)[0] - {m}) for m in MODULES}
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def walk(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for n in graph.get(m, ()):
            # importing a submodule runs its package's __init__ first: not an edge back
            if m.startswith(n + ".") or n.startswith(m + "."):
                continue
            if state.get(n) == 1:
                return [*path[path.index(n) :], n]
            if n not in state:
                found = walk(n)
                if found:
                    return found
        path.pop()
        state[m] = 2
        return None

    for m in MODULES:
        if m not in state:
            found = walk(m)
            if found:
                return found
    return None


def test_module_level_imports_have_no_cycle() -> None:
    """No chain of module-level imports leads back to where it started."""
    cycle = _cycle()
    assert cycle is None, " → ".join(cycle or [])


_IMPORT_EACH = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "dxframework" or m.startswith("dxframework.")]:
        del sys.modules[loaded]  # as in a fresh interpreter: nothing of dxframework loaded
    try:
        importlib.import_module(name)
    except BaseException as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def _import_each(modules: list[str]) -> tuple[int, str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, *modules],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    return proc.returncode, proc.stdout + proc.stderr[-2000:]


@pytest.mark.slow
def test_every_module_imports_on_its_own() -> None:
    """Every module imports with nothing of dxframework loaded before it.

    Two interpreters (one per core) each import half the modules, one after the other, with
    every ``dxframework`` module dropped from ``sys.modules`` before each import: what a
    fresh interpreter would do, without starting one per module.
    """
    names = list(MODULES)
    halves = [names[0::2], names[1::2]]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_import_each, halves))
    failed = [text for code, text in results if code != 0]
    assert not failed, "\n".join(failed)
