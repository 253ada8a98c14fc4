"""The Litestar application: GraphQL, health and readiness, and the process's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

import msgspec
from bridgework.graphql.codes import body_too_deep
from bridgework.graphql.context import ApiServices
from bridgework.graphql.live import LiveTail
from bridgework.graphql.schema import graphql_controller
from bridgework.infra.auth.authenticator import authenticator_for
from bridgework.infra.auth.issuer import LocalIssuer
from bridgework.infra.auth.routes import discovery, jwks
from bridgework.infra.checkpoints.routes import checkpoint, checkpoint_keys
from bridgework.infra.connections import WebsocketLimit
from bridgework.infra.contract import events_catalog
from bridgework.infra.feed import feed
from bridgework.infra.feed_consumer_routes import CONSUMER_ROUTES
from bridgework.infra.feed_wait import Stopping
from bridgework.infra.health import log_health, readiness_problems
from bridgework.infra.hours_page import VerifyHoursPage
from bridgework.infra.metrics import Metrics
from bridgework.infra.protection import SecurityHeaders, exposure
from bridgework.infra.runtime import Runtime, open_runtime
from bridgework.infra.settings import Settings
from bridgework.projections.positions import PositionWatcher
from litestar import Litestar, Response, get
from litestar.datastructures import State
from prometheus_client import CONTENT_TYPE_LATEST

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

log = logging.getLogger("bridgework")

UNAVAILABLE = 503


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    """Liveness: the process is up and serving."""
    return {"status": "ok"}


@get("/ready")
async def ready(state: State) -> Response[dict[str, Any]]:
    """Readiness: the database answers, no projection lags too far, no open transaction
    has held the log's readers back too long. 503 with the reasons otherwise."""
    runtime: Runtime = state.runtime
    settings = runtime.settings
    try:
        found = await log_health(runtime.pool, runtime.store)
    except Exception:  # the driver's text stays in the log, never in the answer
        log.warning("readiness: the database did not answer", exc_info=True)
        body = {"status": "unavailable", "problems": ["the database does not answer"]}
        return Response(body, status_code=UNAVAILABLE)
    problems = readiness_problems(
        found,
        max_lag=settings.ready_max_lag_seconds,
        max_held_back=settings.ready_max_held_back_seconds,
    )
    body = {"status": "not ready" if problems else "ready", "problems": problems}
    return Response(body | msgspec.to_builtins(found), status_code=UNAVAILABLE if problems else 200)


@get("/metrics", include_in_schema=False)
async def metrics(state: State) -> Response[bytes]:
    """Prometheus text exposition of this process's metrics."""
    body = await state.metrics.render(state.runtime, state.api, state.websockets)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def create_app(
    settings: Settings | None = None, *, run_projections: bool | None = None
) -> Litestar:
    """Build the app; resources open on startup and close on shutdown (graceful: in-flight
    requests finish, the projection runner stops between batches, the pool closes)."""
    settings = settings or Settings.from_env()
    in_process = settings.run_projections if run_projections is None else run_projections
    websockets = WebsocketLimit(settings.max_websockets, settings.max_websockets_per_identity)
    observed = Metrics()
    # Bridgework's own issuer, unless tokens come from an external one (its key is made on
    # first use, in the data folder).
    issuer = LocalIssuer(settings) if settings.auth.issuer is None else None
    protection = settings.protection
    graphql = graphql_controller(graphiql=protection.graphiql)
    stopping = Stopping()

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        stopping.bind(asyncio.get_running_loop())
        async with open_runtime(settings) as runtime:
            if in_process:
                runtime.run_projections()
            if settings.mail.run_mailer:
                await runtime.run_mailer()
            if settings.relay.run_relay:
                runtime.run_relay()
            if settings.webhooks.run_worker:
                await runtime.run_webhooks()
            positions = PositionWatcher(runtime.pool, runtime.store)
            live = LiveTail(runtime.store)
            app.state.runtime = runtime
            app.state.api = ApiServices(
                pool=runtime.pool,
                store=runtime.store,
                deps=runtime.deps,
                read_wait_seconds=settings.read_wait_seconds,
                positions=positions,
                live=live,
                auth=authenticator_for(settings, runtime.pool),
                observer=observed,
                as_of=runtime.as_of,
            )
            try:
                yield
            finally:
                await live.close()
                await positions.close()

    app = Litestar(
        route_handlers=[
            graphql,
            health,
            ready,
            metrics,
            jwks,
            discovery,
            VerifyHoursPage,
            events_catalog,
            feed,
            checkpoint,
            checkpoint_keys,
            *CONSUMER_ROUTES,
        ],
        lifespan=[lifespan],
        middleware=[websockets],
        state=State(
            {
                "metrics": observed,
                "websockets": websockets,
                "issuer": issuer,
                "exposure": exposure(protection),
                "stopping": stopping,
            }
        ),
        exception_handlers={RecursionError: body_too_deep},
        logging_config=None,  # the command line configures logging (infra/logs.py)
    )
    # Around routing and the exception handlers (app-level `middleware` runs only for a
    # matched route): a 404 or a handler's error gets the headers too.
    app.asgi_handler = SecurityHeaders(protection)(app.asgi_handler)
    return app
