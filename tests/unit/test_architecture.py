"""The shape of the code, checked: small modules, the formatter's layout, every package
shipped. The allowlists only ever shrink (issue 11 empties them)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
LAYERS = ("domain", "services", "projections", "graphql", "infra")
MAX_LINES = 300


def sources() -> list[Path]:
    return sorted(p for layer in LAYERS for p in (ROOT / layer).rglob("*.py"))


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_no_module_grows_past_three_hundred_lines():
    too_long = {name(p) for p in sources() if len(p.read_text().splitlines()) > MAX_LINES}
    assert not too_long, sorted(too_long)


def test_no_new_module_leaves_the_formatter_out():
    """`# fmt: skip` only where it was before issue 11 (each file at most as often)."""
    allowed = FMT_SKIPS_FOR_NOW
    found = {name(p): p.read_text().count("# fmt: skip") for p in sources()}
    grown = {f: n for f, n in found.items() if n > allowed.get(f, 0)}
    assert not grown, grown


def test_every_package_folder_is_shipped_in_the_wheel():
    """setuptools drops subpackages it is not told about (FIELD_NOTES.md)."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    folders = {"bridgework." + ".".join(p.parent.relative_to(ROOT).parts) for p in sources()}
    assert folders <= listed, sorted(folders - listed)
    assert not (ROOT / "graphql" / "__init__.py").exists()  # it would shadow graphql-core


FMT_SKIPS_FOR_NOW: dict[str, int] = {
    "infra/runtime.py": 1,
    "infra/settings.py": 1,
}
"""Formatter opt-outs left in each source module today; issue 11 removes them."""
