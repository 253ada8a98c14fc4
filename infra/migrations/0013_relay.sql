-- Where each relay (infra/relay/, `bridgework relay nats`) has got to in the log's gap-safe
-- order (tx_id, position): moved only after NATS JetStream acknowledged every event up to it,
-- and never backwards, so a relay that crashes republishes at most its last batch (which the
-- stream's duplicate window drops by `Nats-Msg-Id`).
CREATE TABLE relay_checkpoints (
    name       text        PRIMARY KEY,
    tx_id      xid8        NOT NULL DEFAULT '0',
    position   bigint      NOT NULL DEFAULT 0,
    relayed    bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
