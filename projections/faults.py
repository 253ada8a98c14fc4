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
_TRANSIENT_STATES = ("57P", "55P03", "58030")
"""Operator intervention by shutdown or start-up (57P01-57P05), lock not available, I/O error;
but not 57014 `query_canceled`: a statement that times out is the work's own doing (the runner
shrinks its batch; the API says so with `timed_out`)."""
_CLOSED = (asyncpg.InterfaceError, asyncpg.InternalClientError)
_CLOSED_MESSAGES = ("connection is closed", "pool is closing", "pool is closed")
STATEMENT_TIMEOUT = "57014"


def is_transient(exc: BaseException) -> bool:
    """True if `exc`, or an exception it was raised from or while handling, means the database
    is unavailable for now, so the same work will succeed once it is back."""
    return any(_transient(e) for e in _chain(exc))


def timed_out(exc: BaseException) -> bool:
    """True if `exc` (or its cause) is a statement cancelled by `statement_timeout`."""
    return any(
        isinstance(e, asyncpg.PostgresError) and e.sqlstate == STATEMENT_TIMEOUT
        for e in _chain(exc)
    )


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not s for s in seen):
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, OSError | TimeoutError):  # refused, reset, unreachable; acquire timed out
        return True
    # Exactly the classes asyncpg raises for a closed connection or pool ("connection is
    # closed"), and for one the server has just terminated ("cannot switch to state 15;
    # another operation (2) is in progress", measured with pg_terminate_backend): their
    # subclasses (bad query arguments, unsupported features, protocol errors) are not.
    if type(exc) in _CLOSED or (
        isinstance(exc, asyncpg.InterfaceError) and str(exc).startswith(_CLOSED_MESSAGES)
    ):
        return True
    if isinstance(exc, asyncpg.PostgresError):
        state = str(getattr(exc, "sqlstate", "") or "")
        return state.startswith(_TRANSIENT_CLASSES + _TRANSIENT_STATES)
    return False


def backoff(attempt: int, base: float, cap: float) -> float:
    """Seconds to wait before try `attempt + 1`: doubling from `base` up to `cap`, with jitter
    (between half and all of it) so that workers failing together do not retry together."""
    delay = min(cap, base * 2.0 ** min(max(attempt - 1, 0), 62))
    return delay * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not a secret
