-- Named consumers of `GET /feed` (infra/feed_consumers.py): a cursor the server keeps for
-- an owner (a principal's subject: `apikey:<id>` for an integration) under a name. `acked` is
-- where the consumer resumes; `served` the furthest cursor the feed has handed it, so an ack
-- can only name a cursor it was given. Nothing else reads these rows: a consumer that never
-- acks holds nobody back.
CREATE TABLE feed_consumers (
    owner           text        NOT NULL,
    name            text        NOT NULL,
    acked_tx_id     xid8        NOT NULL DEFAULT '0',
    acked_position  bigint      NOT NULL DEFAULT 0,
    served_tx_id    xid8        NOT NULL DEFAULT '0',
    served_position bigint      NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    acked_at        timestamptz,
    PRIMARY KEY (owner, name),
    CHECK ((acked_tx_id, acked_position) <= (served_tx_id, served_position))
);
