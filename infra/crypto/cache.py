"""The unwrapped data keys this process holds: one cache, shared by its stores (which fill
it as they read) and the transcoder (which opens sealed fields from it as it decodes).

Keyed by the subject's id as text (as a sealed value names it), bounded, the longest held
first out. An entry of None is a destroyed key: it never comes back, so it is kept
like any other. A key is looked up at decode time only after the read that returned the
event has loaded it, so the bound only needs to exceed the subjects of the reads in flight.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

DATA_KEYS_CACHED = 100_000
"""Unwrapped data keys kept per process (about 200 bytes each)."""
KEY_SECONDS = 300.0
"""How long a live key is used before a read fetches it again: a process that never reads
an erasure (another process wrote it) stops opening the erased values within this time."""


class Entry(NamedTuple):
    key: AESGCM | None
    """None: destroyed."""
    owner: str | None
    """The student whose erasure destroys it too."""
    at: float = 0.0
    """When it was loaded (`time.monotonic()`)."""


DESTROYED = Entry(None, None)


class KeyCache:
    def __init__(self, size: int = DATA_KEYS_CACHED) -> None:
        self.size = size
        self._entries: OrderedDict[str, Entry] = OrderedDict()

    def get(self, subject: str) -> Entry | None:
        """The entry (None: not loaded). A hit does not reorder: the cheapest lookup, at
        the price of evicting by age rather than by use."""
        return self._entries.get(subject)

    def missing(self, subjects: Iterable[str]) -> list[str]:
        """The subjects a read must fetch: not loaded, or live and loaded too long ago."""
        stale = time.monotonic() - KEY_SECONDS
        entries = self._entries
        return [
            s
            for s in subjects
            if (e := entries.get(s)) is None or (e.key is not None and e.at < stale)
        ]

    def put(self, subject: str, entry: Entry) -> None:
        if entry.key is not None:
            entry = entry._replace(at=time.monotonic())
        self._entries.pop(subject, None)  # a fresh load goes to the back of the line
        self._entries[subject] = entry
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def forget(self, students: Iterable[str], destroyed: Iterable[str] = ()) -> None:
        """Mark destroyed: the students', the keys they own, and `destroyed`."""
        gone = set(students)
        if not gone:
            return
        owned = [s for s, e in self._entries.items() if e.owner in gone]
        for subject in [*gone, *owned, *destroyed]:
            self.put(subject, DESTROYED)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


CACHE = KeyCache()
"""This process's."""
