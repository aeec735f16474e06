"""The core stays pure: allowed imports only, and every public callable documents itself."""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

import pytest

import servqual.gaps as core

PACKAGE = Path(core.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))
ALLOWED_THIRD_PARTY = {"numpy", "scipy", "statsmodels"}
#: The database adapter (sources.py and its SQL helpers) is the one place that may read
#: the database; everything it feeds stays pure.
ADAPTER = {"sources.py", "queries.py", "stream.py", "audit_queries.py"}
PURE_MODULES = [path for path in MODULES if path.name not in ADAPTER]


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module)
    return roots


@pytest.mark.parametrize("path", PURE_MODULES, ids=lambda p: p.name)
def test_core_imports_only_stdlib_numpy_scipy_statsmodels(path):
    for name in imported_roots(path):
        root = name.split(".")[0]
        if root == "servqual":
            # Only its own package: no Flask, no models, no other servqual module.
            assert name.startswith("servqual.gaps"), f"{path.name} imports {name}"
        else:
            assert root in ALLOWED_THIRD_PARTY or root in sys.stdlib_module_names, (
                f"{path.name} imports {name}"
            )


def test_every_public_callable_has_a_docstring():
    for name in core.__all__:
        obj = getattr(core, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_modules_stay_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) < 400


@pytest.mark.parametrize("path", PURE_MODULES, ids=lambda p: p.name)
def test_no_pure_module_imports_the_adapter(path):
    assert not any(
        name.split(".")[-1] in {"sources", "queries", "stream"}
        for name in imported_roots(path)
        if name.startswith("servqual.gaps")
    ), f"{path.name} imports the database adapter"
