"""The NATS JetStream relay: every public event of the log, published after a checkpoint kept
in PostgreSQL (`bridgework relay nats`, or in-process in `serve` with `BRIDGEWORK_RUN_RELAY`)."""

from bridgework.infra.relay.relay import Relay, RelayStats
from bridgework.infra.relay.settings import RelaySettings
from bridgework.infra.relay.stream import StreamMismatch

__all__ = ["Relay", "RelaySettings", "RelayStats", "StreamMismatch"]
