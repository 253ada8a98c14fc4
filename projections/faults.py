"""Telling a database outage from a poison event, and how long to wait before trying again.

A transient fault is the database (or the way to it) being unavailable for a while: waiting
and trying the same work again will succeed. Anything else is the work's own fault (bad data,
a bug, an unknown event type, a decode error, a statement that times out) and trying it again
unchanged fails again. The runner parks events only for the second kind; the API answers
UNAVAILABLE for the first.
"""

from __future__ import annotations

import random

import asyncpg

_TRANSIENT_CLASSES = ("08", "53", "40")
"""SQLSTATE classes: connection exception, insufficient resources (disk full, out of memory,
too many connections), transaction rollback (serialization failure, deadlock)."""
_TRANSIENT_PREFIXES = ("57P",)
"""Operator intervention by shutdown or start-up (57P01-57P04), but not 57014
`query_canceled`: a statement timeout is the batch's own fault."""


_CLOSED = (asyncpg.InterfaceError, asyncpg.InternalClientError)


def is_transient(exc: BaseException) -> bool:
    """True if `exc` (or an exception it was raised from) means the database is unavailable
    for now, so the same work will succeed once it is back."""
    seen: BaseException | None = exc
    while seen is not None:
        if _transient(seen):
            return True
        seen = seen.__cause__
    return False


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, OSError | TimeoutError):  # refused, reset, unreachable; acquire timed out
        return True
    # Exactly the classes asyncpg raises for a closed connection or pool ("connection is
    # closed"), and for one the server has just terminated ("cannot switch to state 15;
    # another operation (2) is in progress", measured with pg_terminate_backend): their
    # subclasses (bad query arguments, unsupported features, protocol errors) are not.
    if type(exc) in _CLOSED:
        return True
    if isinstance(exc, asyncpg.PostgresError):
        state = str(getattr(exc, "sqlstate", "") or "")
        return state.startswith(_TRANSIENT_CLASSES + _TRANSIENT_PREFIXES)
    return False


def backoff(attempt: int, base: float, cap: float) -> float:
    """Seconds to wait before try `attempt + 1`: doubling from `base` up to `cap`, with jitter
    (between half and all of it) so that workers failing together do not retry together."""
    delay = min(cap, base * 2.0 ** min(max(attempt - 1, 0), 62))
    return delay * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not a secret
