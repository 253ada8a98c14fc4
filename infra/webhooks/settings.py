"""How webhooks are sent (`BRIDGEWORK_WEBHOOK_*`): retries, secret rotation, the allow-list
of private destinations, whether `serve` runs the delivery worker."""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridgework.infra.env import flag, positive, positive_int, read

if TYPE_CHECKING:
    from collections.abc import Mapping

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

STANDARD_SCHEDULE = (0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
"""Standard Webhooks' retry schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h."""


@dataclass(frozen=True, kw_only=True)
class WebhookSettings:
    run_worker: bool = True
    """`serve` fans out and sends in-process; `bridgework deliver` does it scaled out."""
    retry_schedule: tuple[float, ...] = STANDARD_SCHEDULE
    """Seconds before each attempt (the first is the first delivery); then dead-lettered."""
    secret_overlap_seconds: float = 86_400.0
    """After a rotation the old secret signs on this long, beside the new one."""
    disable_after_seconds: float = 5 * 86_400.0
    """An endpoint failing without a success this long is disabled."""
    timeout_seconds: float = 15.0
    concurrency: int = 64
    """Requests in flight per worker."""
    poll_seconds: float = 5.0
    retention_seconds: float = 30 * 86_400.0
    """Delivered messages and their attempts are deleted once delivered this long ago (the
    delivery log shows them until then); dead-lettered ones are kept until replayed."""
    allow_networks: tuple[Network, ...] = ()
    """Private, loopback, … destinations that may be sent to nonetheless."""
    allow_hosts: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebhookSettings:
        d = cls()
        seconds = positive(float)
        nothing: tuple[tuple[Network, ...], tuple[str, ...]] = ((), ())
        networks, hosts = read(env, "BRIDGEWORK_WEBHOOK_ALLOW", nothing, allow_list, "CIDRs/hosts")
        return cls(
            run_worker=read(env, "BRIDGEWORK_RUN_WEBHOOKS", d.run_worker, flag, "true or false"),
            retry_schedule=read(
                env,
                "BRIDGEWORK_WEBHOOK_RETRY_SCHEDULE",
                d.retry_schedule,
                schedule,
                "comma-separated seconds ≥ 0",
            ),
            secret_overlap_seconds=read(
                env,
                "BRIDGEWORK_WEBHOOK_SECRET_OVERLAP",
                d.secret_overlap_seconds,
                seconds,
                "seconds > 0",
            ),
            disable_after_seconds=read(
                env,
                "BRIDGEWORK_WEBHOOK_DISABLE_AFTER",
                d.disable_after_seconds,
                seconds,
                "seconds > 0",
            ),
            timeout_seconds=read(
                env, "BRIDGEWORK_WEBHOOK_TIMEOUT", d.timeout_seconds, seconds, "seconds > 0"
            ),
            concurrency=read(
                env,
                "BRIDGEWORK_WEBHOOK_CONCURRENCY",
                d.concurrency,
                positive_int,
                "a whole number > 0",
            ),
            poll_seconds=read(
                env, "BRIDGEWORK_WEBHOOK_POLL", d.poll_seconds, seconds, "seconds > 0"
            ),
            retention_seconds=read(
                env, "BRIDGEWORK_WEBHOOK_RETENTION", d.retention_seconds, seconds, "seconds > 0"
            ),
            allow_networks=networks,
            allow_hosts=hosts,
        )


def schedule(raw: str) -> tuple[float, ...]:
    values = tuple(float(v) for v in raw.split(","))
    if not values or any(not 0 <= v < math.inf for v in values):
        raise ValueError(raw)
    return values


def allow_list(raw: str) -> tuple[tuple[Network, ...], tuple[str, ...]]:
    """CIDRs (`127.0.0.1/32`, `10.0.0.0/8`, `::1/128`) and host names, comma-separated."""
    networks: list[Network] = []
    hosts: list[str] = []
    for entry in (e.strip() for e in raw.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            if any(c.isspace() or c in "/:@" for c in entry):
                raise
            hosts.append(entry.lower().rstrip("."))
    return tuple(networks), tuple(hosts)
