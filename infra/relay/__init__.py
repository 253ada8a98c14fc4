"""The NATS JetStream relay: every public event of the log, published after a checkpoint kept
in PostgreSQL (`bridgework relay nats`, or in-process in `serve` with `BRIDGEWORK_RUN_RELAY`).

Nothing is imported here: `infra/settings.py` reads `relay/settings.py` without nats."""
