-- Signed checkpoints of the tamper-evident log (infra/checkpoints/): one row per tree size
-- the publisher signed, its note text exactly as served at `GET /checkpoint` (C2SP
-- tlog-checkpoint in a C2SP signed note). Written only by the publisher, never by writers.
CREATE TABLE seal_checkpoints (
    size      bigint      PRIMARY KEY CHECK (size > 0),
    root      bytea       NOT NULL,
    signed_at timestamptz NOT NULL,
    key_name  text        NOT NULL,
    note      text        NOT NULL
);
