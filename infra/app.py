"""The Litestar application: GraphQL, health and readiness, and the process's lifespan."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from bridgework.graphql.codes import body_too_deep
from bridgework.graphql.context import ApiServices
from bridgework.graphql.schema import graphql_controller
from bridgework.infra.metrics import Metrics
from bridgework.infra.runtime import Runtime, open_runtime
from bridgework.infra.settings import Settings
from litestar import Litestar, Response, get
from litestar.datastructures import State
from litestar.exceptions import ServiceUnavailableException
from prometheus_client import CONTENT_TYPE_LATEST

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    """Liveness: the process is up and serving."""
    return {"status": "ok"}


@get("/ready")
async def ready(state: State) -> dict[str, Any]:
    """Readiness: the database answers; reports each projection's checkpoint and lag."""
    runtime: Runtime = state.runtime
    try:
        async with runtime.pool.acquire(timeout=2) as conn:
            head = await conn.fetchval("SELECT coalesce(max(position), 0) FROM events")
            rows = await conn.fetch("SELECT name, position FROM projection_checkpoints")
    except Exception as e:
        raise ServiceUnavailableException(f"database unavailable: {e}") from e
    return {
        "status": "ready",
        "head": head,
        "projections": {r["name"]: {"position": r["position"]} for r in rows},
    }


@get("/metrics", include_in_schema=False)
async def metrics(state: State) -> Response[bytes]:
    """Prometheus text exposition of this process's metrics."""
    body = await state.metrics.render(state.runtime)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def create_app(
    settings: Settings | None = None, *, run_projections: bool | None = None
) -> Litestar:
    """Build the app; resources open on startup and close on shutdown (graceful: in-flight
    requests finish, the projection runner stops between batches, the pool closes)."""
    settings = settings or Settings.from_env()
    in_process = settings.run_projections if run_projections is None else run_projections
    observed = Metrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_runtime(settings) as runtime:
            if in_process:
                runtime.run_projections()
            app.state.runtime = runtime
            app.state.api = ApiServices(
                pool=runtime.pool,
                store=runtime.store,
                deps=runtime.deps,
                read_wait_seconds=settings.read_wait_seconds,
                observer=observed,
            )
            yield

    return Litestar(
        route_handlers=[graphql_controller(), health, ready, metrics],
        lifespan=[lifespan],
        middleware=[observed.count_websockets],
        state=State({"metrics": observed}),
        exception_handlers={RecursionError: body_too_deep},
    )
