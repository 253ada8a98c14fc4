-- Integrations' API keys (infra/auth/apikeys.py). Only the SHA-256 of a key is kept: the
-- key itself is shown once, when it is made. A revoked key stays, for the audit trail.

CREATE TABLE api_keys (
    id            uuid        PRIMARY KEY,
    name          text        NOT NULL,
    key_hash      bytea       NOT NULL UNIQUE,   -- sha256 of the whole key, `bw_` included
    hint          text        NOT NULL,          -- the key's first characters, to tell keys apart
    organisations uuid[]      NOT NULL,          -- the scope: events and views of these only
    read_only     boolean     NOT NULL,
    event_types   text[],                        -- NULL: every event type
    created_by    text        NOT NULL,
    created_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    last_used_at  timestamptz,                   -- written at most once a minute per key
    CHECK (octet_length(key_hash) = 32)
);
