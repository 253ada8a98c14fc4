"""The shape of the code, checked: small modules, the formatter's layout, every package
shipped."""

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


FORMATTER_OPT_OUTS = ("# fmt: " + "skip", "# fmt: " + "off")


def test_the_formatter_has_the_last_word():
    """No line or block of ours or of the tests is left out of `ruff format`."""
    tests = sorted((ROOT / "tests").rglob("*.py"))
    opted_out = {
        name(p) for p in [*sources(), *tests] if any(o in p.read_text() for o in FORMATTER_OPT_OUTS)
    }
    assert not opted_out, sorted(opted_out)


def test_every_package_folder_is_shipped_in_the_wheel():
    """setuptools drops subpackages it is not told about (FIELD_NOTES.md)."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    folders = {"bridgework." + ".".join(p.parent.relative_to(ROOT).parts) for p in sources()}
    assert folders <= listed, sorted(folders - listed)
    assert not (ROOT / "graphql" / "__init__.py").exists()  # it would shadow graphql-core
