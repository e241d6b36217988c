"""The package's layers import only downwards: core, then format, then plugin, then CLI.

The core imports neither pytest nor yaml, so it can be embedded anywhere; the format
reads files with PyYAML but knows nothing of pytest; the plugin never imports the CLI.
Checked on the source, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pytest_tier2"


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module `path` imports, relative imports resolved."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = parts[:-1]  # a module's package; for `__init__.py`, the package itself
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def modules_of(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def forbidden(names: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == p or n.startswith(p + ".") for p in prefixes))


@pytest.mark.parametrize("path", modules_of("core"), ids=lambda p: p.name)
def test_the_core_imports_neither_pytest_nor_yaml_nor_anything_above_it(path: Path) -> None:
    names = {n for n in imported_modules(path) if not n.startswith("pytest_tier2.core")}
    assert forbidden(names, ("pytest", "_pytest", "yaml", "pytest_tier2")) == []


@pytest.mark.parametrize("path", modules_of("format"), ids=lambda p: p.name)
def test_the_format_imports_the_core_and_yaml_but_not_pytest(path: Path) -> None:
    names = {
        n
        for n in imported_modules(path)
        if not n.startswith(("pytest_tier2.core", "pytest_tier2.format"))
    }
    # The package root only holds constants (suffixes, the size limit).
    names -= {"pytest_tier2", "pytest_tier2.SUITE_SUFFIXES", "pytest_tier2.DEFAULT_MAX_FILE_BYTES"}
    assert forbidden(names, ("pytest", "_pytest", "pytest_tier2")) == []


def test_no_module_imports_pytest_private_modules() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        assert forbidden(imported_modules(path), ("_pytest",)) == [], path


def test_the_plugin_never_imports_the_command_line() -> None:
    plugin_modules = [
        p
        for p in PACKAGE.rglob("*.py")
        if p.relative_to(PACKAGE).parts[0] not in ("cli", "__main__.py")
    ]
    assert PACKAGE / "golden" / "keeper.py" in plugin_modules
    for path in plugin_modules:
        assert forbidden(imported_modules(path), ("pytest_tier2.cli",)) == [], path
