"""What the command line imports before a command runs: `bridgework --help`, `token` and
`verify` must not pay for the web framework, GraphQL, the broker or the database driver (each takes
seconds on a loaded machine). Checked in a fresh interpreter, by the modules it ends up
holding, never by the clock."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = frozenset({"strawberry", "litestar", "graphql", "uvicorn", "nats", "asyncpg", "rich"})
"""Top-level packages (`graphql` is graphql-core; ours is `bridgework.graphql`)."""


def imported_after(code: str) -> set[str]:
    report = "import sys; print(' '.join({m.split('.')[0] for m in sys.modules}))"
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", f"{code}\n{report}"], capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


@pytest.mark.parametrize(
    "code",
    [
        "from bridgework.infra import cli; cli._parser().parse_args(['token', '--role', 'mentor'])",
        "from bridgework.infra.settings import Settings; Settings.from_env({})",
    ],
    ids=["every command's parser", "the settings"],
)
def test_building_the_parser_and_reading_settings_import_nothing_heavy(code):
    assert imported_after(code) & HEAVY == set()
