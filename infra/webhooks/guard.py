"""Where a webhook may be sent: never to a private, loopback, link-local, multicast or
reserved address (after DNS resolution, at registration and at every send) unless
allow-listed (`BRIDGEWORK_WEBHOOK_ALLOW`), so an endpoint cannot reach inside the network."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bridgework.services.errors import InvalidInput
from bridgework.services.webhooks import check_url

if TYPE_CHECKING:
    from bridgework.infra.webhooks.settings import WebhookSettings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(InvalidInput):
    """The URL may not be sent to; `field` is `url`."""


def _public(ip: Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _public(ip.ipv4_mapped)
    return ip.is_global and not ip.is_multicast


async def _addresses(host: str, port: int) -> list[Address]:
    try:  # an address literal resolves to itself, without a trip to the resolver's thread
        return [ipaddress.ip_address(host.partition("%")[0])]
    except ValueError:
        pass
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        raise Refused("url", f"the host {host[:100]!r} does not resolve ({e})") from None
    return [ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in found]


async def resolve(url: str, settings: WebhookSettings) -> str:
    """The address to connect to for `url` (the first resolved one), or `Refused` naming
    `url` when the URL is malformed or any address it resolves to is not allowed."""
    try:
        check_url(url)
    except InvalidInput as e:
        raise Refused("url", str(e)) from None
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await _addresses(host, port)
    if not addresses:
        raise Refused("url", f"the host {host[:100]!r} has no address")
    if host in settings.allow_hosts:
        return str(addresses[0])
    for ip in addresses:
        if not _public(ip) and not any(ip in n for n in settings.allow_networks):
            raise Refused(
                "url",
                f"{host[:100]!r} resolves to {ip}, a private, loopback, link-local, multicast "
                "or reserved address (allow it with BRIDGEWORK_WEBHOOK_ALLOW)",
            )
    return str(addresses[0])
