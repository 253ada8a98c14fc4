"""The runner's bookkeeping, without any I/O: what to do after a failure, and its counters.

`Isolation` finds the event a projection fails on by halving the batch that failed, gives
that event a few tries on its own, then says to park it. `Outage` waits out an unavailable
database for the whole runner, saying so once when it starts and once when it ends.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from bridgework.projections.faults import backoff

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.services.ports import Checkpoint, StoredEvent

log = logging.getLogger("bridgework.projections")

OUTAGE_BACKOFF_CAP = 5.0
"""Seconds between tries at most while the database is unavailable: back soon after it is."""


@dataclass(slots=True)
class ProjectionStats:
    """What one projection's runner did since it started (for metrics)."""

    batches: int = 0
    """Batches committed."""
    events: int = 0
    """Events those batches moved past (applied, or not handled)."""
    failures: int = 0
    """Batches that failed for a reason other than a database outage."""
    parked: int = 0
    """Events this process parked."""
    transient_faults: int = 0
    """Tries that met an unavailable database."""


class Shrink(NamedTuple):
    """Try again at once with a batch of `size` events."""

    size: int


class Retry(NamedTuple):
    """Try the first event on its own again after `delay` seconds."""

    attempt: int
    delay: float


class Park(NamedTuple):
    """The first event failed on its own `attempts` times: park it."""

    attempts: int


class Isolation:
    """Where the search for a failing event stands, for one projection."""

    def __init__(self, batch_size: int, max_attempts: int, base: float, cap: float) -> None:
        self.size = batch_size
        """How many events to read next."""
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._backoff = (base, cap)
        self._suspect: Checkpoint | None = None
        """The end of the last batch that failed: batches stay small until past it, so the
        search halves the failing range instead of growing back into it."""
        self._head = -1
        self._attempts = 0
        """Failures of the event at position `_head` on its own."""

    def succeeded(self, last: Checkpoint) -> None:
        self._attempts = 0
        if self._suspect is None or last >= self._suspect:
            self._suspect = None
            self.size = min(self._batch_size, self.size * 2)

    def failed(self, events: Sequence[StoredEvent]) -> Shrink | Retry | Park:
        if len(events) > 1:
            self.size, self._suspect = max(1, len(events) // 2), events[-1].checkpoint
            return Shrink(self.size)
        if self._head != events[0].position:
            self._head, self._attempts = events[0].position, 0
        self._attempts += 1
        if self._attempts < self._max_attempts:
            return Retry(self._attempts, backoff(self._attempts, *self._backoff))
        return Park(self._attempts)

    def parked(self) -> None:
        """The failing event is out of the way: grow back from here."""
        self._attempts, self._suspect = 0, None


class Outage:
    """Which projections are meeting an unavailable database, and since when."""

    def __init__(self, base: float) -> None:
        self._base = base
        self._faults: dict[str, int] = {}
        """Consecutive transient faults of each projection now meeting the outage."""
        self._since: float | None = None

    def fault(self, name: str, error: BaseException, describe: str) -> float:
        """Count one; return the seconds to wait before that projection tries again."""
        faults = self._faults[name] = self._faults.get(name, 0) + 1
        if self._since is None:
            self._since = time.monotonic()
            log.warning("database unavailable (%s); projections will keep trying", describe)
        log.debug("projection %s met an outage", name, exc_info=error)
        return backoff(faults, self._base, OUTAGE_BACKOFF_CAP)

    def reached(self, name: str) -> None:
        """The projection reached the database again."""
        if self._faults.pop(name, None) is None or self._faults or self._since is None:
            return
        log.info(
            "database available again after %.1f s; projections resumed",
            time.monotonic() - self._since,
        )
        self._since = None
