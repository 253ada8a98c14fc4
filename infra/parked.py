"""`bridgework parked`: list the events projections set aside, retry or skip one."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from bridgework.infra.runtime import open_runtime
from bridgework.infra.terminal import aligned
from bridgework.projections.parking import ParkingError

if TYPE_CHECKING:
    import argparse

    from bridgework.infra.settings import Settings
    from bridgework.projections.parking import ParkedEvent

_ERROR_WIDTH = 80


async def parked_command(settings: Settings, args: argparse.Namespace) -> None:
    """Run `bridgework parked …`; an unknown projection or position exits 1, saying which."""
    problem = None
    async with open_runtime(settings) as runtime:
        runner = runtime.runner
        try:
            if args.action == "retry":
                await runner.retry_parked(args.name, args.position)
                print(f"applied event {args.position} to {args.name}")  # noqa: T201
            elif args.action == "skip":
                await runner.skip_parked(args.name, args.position)
                print(f"skipped event {args.position} for {args.name}")  # noqa: T201
            else:
                sys.stdout.write(table(await runner.parked()))
        except ParkingError as e:
            problem = f"bridgework parked: {e}"
    if problem is not None:
        raise SystemExit(problem)


def table(rows: list[ParkedEvent]) -> str:
    """Parked events as aligned columns, each error cut to its first line."""
    if not rows:
        return "no open parked events\n"
    cells = [("PROJECTION", "POSITION", "TYPE", "ATTEMPTS", "PARKED AT", "ERROR")]
    for r in rows:
        error = r.error.splitlines()[0] if r.error else ""
        if len(error) > _ERROR_WIDTH:
            error = error[: _ERROR_WIDTH - 1] + "…"
        parked_at = f"{r.parked_at:%Y-%m-%d %H:%M:%S}"
        cells.append(
            (r.projection, str(r.position), r.event_type, str(r.attempts), parked_at, error)
        )
    return aligned(cells)
