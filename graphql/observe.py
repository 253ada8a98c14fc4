"""What the API tells whoever watches it (Prometheus, in infra) about each operation.

The GraphQL layer does not know about Prometheus: it reports to an `Observer`, and the
composition root hands it one.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Protocol

from strawberry.extensions import SchemaExtension

if TYPE_CHECKING:
    from collections.abc import Iterator

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class Observer(Protocol):
    def operation(self, name: str, kind: str, outcome: str, seconds: float) -> None:
        """One query or mutation ran: its name, kind, `ok` or its first error code, duration."""


class NoObserver:
    def operation(self, name: str, kind: str, outcome: str, seconds: float) -> None:
        """Nobody is watching."""


def operation_label(name: str | None) -> str:
    """A client-chosen operation name, or `anonymous`; names that are not plain GraphQL
    names become `invalid`, so a client cannot put arbitrary text into the metrics."""
    if not name:
        return "anonymous"
    return name if _NAME.match(name) else "invalid"


class ObserveOperations(SchemaExtension):
    """Times each operation and reports how it ended to the context's observer."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        api = getattr(context.context, "api", None)
        observer: Observer | None = getattr(api, "observer", None)
        if observer is None:
            return
        result = context.result
        errors = getattr(result, "errors", None) or context.pre_execution_errors or []
        outcome = "ok"
        if errors:
            extensions = getattr(errors[0], "extensions", None) or {}
            outcome = str(extensions.get("code", "ERROR"))
        try:
            kind = context.operation_type.value
        except RuntimeError:  # a document that did not parse has no operation
            kind = "unknown"
        observer.operation(
            operation_label(context.operation_name), kind, outcome, time.perf_counter() - started
        )
