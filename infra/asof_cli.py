"""`bridgework as-of --position N | --at T --query '{ … }'`: a GraphQL selection over the
read models as they stood then, run in-process as an administrator; its JSON on stdout."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING
from uuid import uuid4

import msgspec
from bridgework.infra.auth.authenticator import authenticator_for
from bridgework.infra.runtime import open_runtime
from bridgework.services.identity import Principal, Role

if TYPE_CHECKING:
    import argparse

    from bridgework.infra.runtime import Runtime
    from bridgework.infra.settings import Settings

OPERATION = "query AsOf($position: Int, $at: DateTime) {{ asOf(position: $position, at: $at) {} }}"


def as_of_document(selection: str) -> str:
    """The operation that runs `selection` (a `{ … }` selection set of Query) under asOf."""
    selection = selection.strip()
    if not selection.startswith("{"):
        selection = "{ " + selection + " }"
    return OPERATION.format(selection)


async def run_as_of(
    runtime: Runtime, selection: str, *, position: int | None, at: str | None
) -> tuple[object, list[dict[str, object]]]:
    """The `asOf` data and the errors (each as a client would see it) of `selection`."""
    from bridgework.graphql.context import ApiServices, Context  # noqa: PLC0415 - slow import
    from bridgework.graphql.live import LiveTail  # noqa: PLC0415
    from bridgework.graphql.loaders import Loaders  # noqa: PLC0415
    from bridgework.graphql.schema import schema  # noqa: PLC0415
    from bridgework.projections.positions import PositionWatcher  # noqa: PLC0415

    positions, live = PositionWatcher(runtime.pool, runtime.store), LiveTail(runtime.store)
    api = ApiServices(
        pool=runtime.pool,
        store=runtime.store,
        deps=runtime.deps,
        read_wait_seconds=runtime.settings.read_wait_seconds,
        positions=positions,
        live=live,
        auth=authenticator_for(runtime.settings, runtime.pool),
        as_of=runtime.as_of,
    )
    context = Context(
        api=api,
        loaders=Loaders(runtime.pool),
        principal=Principal(subject="cli:as-of", roles=frozenset({Role.ADMINISTRATOR})),
        correlation_id=uuid4(),
    )
    try:
        result = await schema.execute(
            as_of_document(selection),
            variable_values={"position": position, "at": at},
            context_value=context,
        )
    finally:
        await live.close()
        await positions.close()
    errors = [dict(e.formatted) for e in result.errors or []]
    return (result.data or {}).get("asOf"), errors


async def asof_command(settings: Settings, args: argparse.Namespace) -> None:
    async with open_runtime(settings) as runtime:
        data, errors = await run_as_of(runtime, args.query, position=args.position, at=args.at)
    if errors:
        for error in errors:
            sys.stderr.write(f"bridgework as-of: {msgspec.json.encode(error).decode()}\n")
        raise SystemExit(1)
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(data)).decode() + "\n")
