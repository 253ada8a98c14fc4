"""Terminal output of the command line: progress of long commands (`demo`, `rebuild`), with
the rate, and aligned tables (`status`, `parked`)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence


class _Rate(ProgressColumn):
    """Items a second so far, in the unit the task names (`events/s`, `commands/s`)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if not speed and task.finished and task.elapsed:
            speed = task.completed / task.elapsed
        unit = task.fields.get("unit", "items")
        return Text(f"{speed:,.0f} {unit}/s" if speed else f"... {unit}/s")


@contextlib.contextmanager
def progress(
    description: str, *, total: int | None = None, unit: str = "events"
) -> Iterator[Callable[[int], None]]:
    """Show a bar (or a count when the total is unknown) on standard error; yield `advance`."""
    console = Console(stderr=True)
    columns = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn() if total is not None else TextColumn(""),
        MofNCompleteColumn() if total is not None else TextColumn("{task.completed:,}"),
        _Rate(),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(description, total=total, unit=unit)

        def advance(n: int) -> None:
            bar.advance(task, n)

        yield advance


def aligned(rows: Sequence[tuple[str, ...]]) -> str:
    """Rows (the first a header) as columns two spaces apart; the last column is not padded."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[-1] + "\n"
        for row in rows
    )
