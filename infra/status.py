"""`bridgework status`: the log's head, every projection's checkpoint, lag and parked events,
the transaction holding readers back, if any, the mail outbox, each NATS relay's place, each
webhook endpoint's state and undelivered messages, and each named feed consumer's place: what
`/ready` and `/metrics` report, for an operator at a shell."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import msgspec
from bridgework.infra import statements
from bridgework.infra.feed_consumers_observed import consumer_lags, consumer_report
from bridgework.infra.health import log_health
from bridgework.infra.mail import outbox_counts
from bridgework.infra.mail.observed import mail_report
from bridgework.infra.relay.checkpoints import lags, relay_report
from bridgework.infra.runtime import open_runtime
from bridgework.infra.terminal import aligned
from bridgework.infra.webhooks.observed import webhook_endpoints, webhook_report

if TYPE_CHECKING:
    import argparse

    from bridgework.infra.health import LogHealth
    from bridgework.infra.settings import Settings


async def status_command(settings: Settings, args: argparse.Namespace) -> None:
    async with open_runtime(settings) as runtime:
        health = await log_health(runtime.pool, runtime.store)
        mail = await outbox_counts(runtime.pool)
        relays = await lags(runtime.pool)
        webhooks = await webhook_endpoints(runtime.pool)
        consumers = await consumer_lags(runtime.pool)
    if args.json:
        found = msgspec.to_builtins(health) | {"mail": msgspec.to_builtins(mail)}
        found["relays"] = msgspec.to_builtins(relays)
        found["webhooks"] = msgspec.to_builtins(webhooks)
        found["feed_consumers"] = msgspec.to_builtins(consumers)
        sys.stdout.write(msgspec.json.encode(found).decode() + "\n")
    else:
        sys.stdout.write(
            report(health)
            + mail_report(mail)
            + relay_report(relays)
            + webhook_report(webhooks)
            + consumer_report(consumers)
        )


def report(health: LogHealth) -> str:
    rows = [("PROJECTION", "POSITION", "LAG (EVENTS)", "LAG (SECONDS)", "PARKED")]
    for p in health.projections:
        events = statements.capped(p.lag_events)
        rows.append((p.name, f"{p.position:,}", events, f"{p.lag_seconds:.1f}", str(p.parked)))
    held = health.held_back_by
    holding = (
        "no transaction holds readers back"
        if held is None
        else f"pid {held.pid} ({held.application_name or 'unnamed'}, {held.state or '?'}) has"
        f" held every reader back for {held.age_seconds:.1f} s"
    )
    parked = sum(p.parked for p in health.projections)
    hint = "; `bridgework parked` lists them" if parked else ""
    return (
        f"log head: position {health.head:,}\n{aligned(rows)}{holding}\n"
        f"{parked} open parked event(s){hint}\n"
    )
