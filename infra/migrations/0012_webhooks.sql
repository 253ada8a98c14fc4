-- Signed webhooks (infra/webhooks/): endpoints with their fan-out checkpoint, their signing
-- secrets, the messages fanned out to each, and every delivery attempt.
--
-- An endpoint's checkpoint (`after_tx`, `after_position`: the log's global order) and the
-- messages enqueued up to it are written in one transaction, like a projection's rows and
-- checkpoint: the fan-out never skips nor repeats an event for an endpoint.
CREATE TABLE webhook_endpoints (
    id              uuid        PRIMARY KEY,
    url             text        NOT NULL,
    event_types     text[],                    -- stored event types; NULL: every type
    mode            text        NOT NULL CHECK (mode IN ('ordered', 'parallel')),
    organisations   uuid[],                    -- the scope; NULL: every event (administrators)
    personal_data   boolean     NOT NULL,
    created_by      text        NOT NULL,
    created_at      timestamptz NOT NULL,
    disabled_at     timestamptz,
    disabled_reason text,
    failing_since   timestamptz,               -- first failure since the last success
    after_tx        xid8        NOT NULL DEFAULT '0',
    after_position  bigint      NOT NULL DEFAULT 0
);

-- A secret signs while it is current (`expires_at` NULL) and, after a rotation, until it
-- expires. Kept wrapped by the key-encryption key (`kek_id`), the row id as associated data.
CREATE TABLE webhook_secrets (
    id          uuid        PRIMARY KEY,
    endpoint_id uuid        NOT NULL REFERENCES webhook_endpoints ON DELETE CASCADE,
    kek_id      text        NOT NULL,
    wrapped     bytea       NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz
);
CREATE INDEX webhook_secrets_endpoint ON webhook_secrets (endpoint_id);

-- One event to one endpoint. `seq` is the fan-out's order (the log's, per endpoint): an
-- ordered endpoint's messages go one at a time by it. The body is rendered at send time
-- from the event (so an erased student's values are never kept here).
CREATE TABLE webhook_messages (
    seq             bigserial   PRIMARY KEY,
    endpoint_id     uuid        NOT NULL REFERENCES webhook_endpoints ON DELETE CASCADE,
    event_id        uuid        NOT NULL,
    position        bigint      NOT NULL,
    status          text        NOT NULL DEFAULT 'pending'
                                CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    last_error      text,
    UNIQUE (endpoint_id, event_id)
);
-- The sender's claim: due pending messages; an ordered endpoint's head by `seq`.
CREATE INDEX webhook_messages_due ON webhook_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_messages_pending ON webhook_messages (endpoint_id, seq) WHERE status = 'pending';
CREATE INDEX webhook_messages_log ON webhook_messages (endpoint_id, created_at);

CREATE TABLE webhook_attempts (
    id          bigserial   PRIMARY KEY,
    message_seq bigint      NOT NULL REFERENCES webhook_messages ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    status_code integer,
    error       text,
    duration_ms double precision NOT NULL
);
CREATE INDEX webhook_attempts_message ON webhook_attempts (message_seq, id);
