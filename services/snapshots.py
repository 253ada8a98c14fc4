"""Snapshots: an aggregate's state at a version, so a cold load replays only what came after.

The state is the aggregate's own attributes, as the eventsourcing library's `Snapshot.take`
keeps them (its id, version and timestamps included, its pending events left out), pickled.
Unpickling only ever builds the value types an aggregate holds (ids, dates, numbers,
collections) and classes defined in `bridgework.domain`, never a function or any other
callable, so a row in the table cannot run code.

Each snapshot carries its class's layout: a hash of the source of the domain modules that
define the class. Any change to an aggregate's code (a new attribute, a renamed one, a fold
that now reads events differently) gives a new layout, and snapshots of the old one are
ignored: the aggregate is replayed from the log and snapshotted again.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import io
import logging
import pickle
import sys
from typing import Any

from bridgework.domain.base import BridgeworkAggregate
from bridgework.services.ports import StoredSnapshot
from eventsourcing.utils import get_topic, resolve_topic

SNAPSHOT_EVERY = 200
"""Events replayed past the newest snapshot after which a commit stores a new one."""

_DOMAIN = "bridgework.domain"
_VALUE_TYPES = {
    "builtins": {"set", "frozenset", "list", "tuple", "dict", "bytearray", "complex"},
    "datetime": {"date", "datetime", "time", "timedelta", "timezone"},
    "decimal": {"Decimal"},
    "uuid": {"UUID", "SafeUUID"},
    "zoneinfo": {"ZoneInfo"},
    "zoneinfo._zoneinfo": {"ZoneInfo"},
}

log = logging.getLogger(__name__)


class _DomainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if name in _VALUE_TYPES.get(module, ()):
            return super().find_class(module, name)
        public = all(part.isidentifier() and not part.startswith("_") for part in name.split("."))
        if public and (module == _DOMAIN or module.startswith(_DOMAIN + ".")):
            found = super().find_class(module, name)
            # Only a class of our own domain: no function, method or imported name, each of
            # which would let a crafted row call something.
            if isinstance(found, type) and found.__module__.startswith(_DOMAIN + "."):
                return found
        raise pickle.UnpicklingError(f"a snapshot may not build {module}.{name}")


@functools.cache
def layout(cls: type[BridgeworkAggregate]) -> str:
    """A hash of the source of every domain module the class and its bases live in."""
    digest = hashlib.sha256(cls.__qualname__.encode())
    modules = sorted({c.__module__ for c in cls.__mro__ if c.__module__.startswith(_DOMAIN)})
    for name in modules:
        digest.update(name.encode() + b"\0" + inspect.getsource(sys.modules[name]).encode())
    return digest.hexdigest()[:32]


def take(stream_id: str, aggregate: BridgeworkAggregate) -> StoredSnapshot:
    state = dict(vars(aggregate))
    state.pop("_pending_events", None)
    cls = type(aggregate)
    return StoredSnapshot(
        stream_id=stream_id,
        version=aggregate.version,
        topic=get_topic(cls),
        layout=layout(cls),
        state=pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL),
    )


def restore(snapshot: StoredSnapshot) -> BridgeworkAggregate | None:
    """The aggregate a snapshot holds; None when it is of another layout or unreadable."""
    if not snapshot.topic.startswith(_DOMAIN + "."):
        return None
    try:
        cls = resolve_topic(snapshot.topic)
        if not (isinstance(cls, type) and issubclass(cls, BridgeworkAggregate)):
            return None
        if snapshot.layout != layout(cls):
            return None
        state = _DomainUnpickler(io.BytesIO(snapshot.state)).load()
    except Exception:
        log.warning("ignoring unreadable snapshot of %s", snapshot.stream_id, exc_info=True)
        return None
    aggregate: BridgeworkAggregate = cls.__new__(cls)
    vars(aggregate).update(state)
    vars(aggregate)["_pending_events"] = []
    if aggregate.version != snapshot.version:
        return None
    return aggregate
