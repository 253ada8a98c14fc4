"""Progress of long commands (`demo`, `rebuild`) on the terminal: done so far and the rate."""

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
    from collections.abc import Callable, Iterator


class _Rate(ProgressColumn):
    """Items a second so far, in the unit the task names (`events/s`, `commands/s`)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
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
