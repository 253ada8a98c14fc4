-- Events a projection kept failing on, set aside so that it (and every other view) moves on.
-- A row is written in the same transaction that moves the projection's checkpoint past
-- its event; it is open until the event is retried, skipped, or the projection rebuilt.

CREATE TABLE parked_events (
    projection  text        NOT NULL,
    position    bigint      NOT NULL,
    tx_id       xid8        NOT NULL,
    event_id    uuid        NOT NULL,
    event_type  text        NOT NULL,
    error       text        NOT NULL,   -- exception type and message, truncated to 2000 chars
    attempts    integer     NOT NULL,
    parked_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,             -- NULL while open
    resolution  text,                    -- 'retried' | 'skipped' | 'rebuilt'
    PRIMARY KEY (projection, position),
    CHECK (resolution IN ('retried', 'skipped', 'rebuilt')),
    CHECK ((resolved_at IS NULL) = (resolution IS NULL))
);
