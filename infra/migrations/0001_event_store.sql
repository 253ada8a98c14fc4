-- The event log, command (idempotency) records and projection checkpoints.

CREATE TABLE events (
    position       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The writing transaction: readers follow (tx_id, position) and stop below the oldest
    -- running transaction, so an event that commits late is never skipped (FIELD_NOTES.md).
    tx_id          xid8        NOT NULL DEFAULT pg_current_xact_id(),
    event_id       uuid        NOT NULL UNIQUE,
    stream_id      text        NOT NULL,
    stream_version integer     NOT NULL CHECK (stream_version > 0),
    -- A stable name (`StudentEnrolled`), never a module path.
    event_type     text        NOT NULL,
    schema_version integer     NOT NULL DEFAULT 1,
    payload        json        NOT NULL,
    metadata       json        NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (stream_id, stream_version)
);

CREATE INDEX events_global_order ON events (tx_id, position);
CREATE INDEX events_type_order ON events (event_type, tx_id, position);

-- History is never changed: refuse UPDATE, DELETE and TRUNCATE outright.
CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();

-- One row per handled command id, written in the same transaction as its events.
CREATE TABLE commands (
    command_id   text        PRIMARY KEY,
    request_hash text        NOT NULL,
    result       json        NOT NULL,
    position     bigint      NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);

-- Where each projection has got to; updated in the same transaction as its rows.
CREATE TABLE projection_checkpoints (
    name       text        PRIMARY KEY,
    version    integer     NOT NULL,
    tx_id      xid8        NOT NULL DEFAULT '0',
    position   bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
