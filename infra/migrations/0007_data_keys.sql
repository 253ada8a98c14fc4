-- One data key per data subject (a student, one entry of a student's hours, a mentor, a
-- liaison, a check-in's attendees): the key their personal fields in the event log are
-- encrypted with (infra/crypto/), wrapped by the key-encryption key `kek_id`. Erasure
-- destroys a key by clearing it; the row stays, so the key is never made again and later
-- events about the subject are stored already erased.
CREATE TABLE data_keys (
    subject_id   uuid        PRIMARY KEY,
    kind         text        NOT NULL,   -- domain/personal.py Subject
    owner_id     uuid,                   -- the student whose erasure destroys this key too
    kek_id       text,                   -- NULL once destroyed
    wrapped_key  bytea,                  -- nonce + AES-GCM(KEK, data key), NULL once destroyed
    created_at   timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    CONSTRAINT data_keys_destroyed_or_whole CHECK (
        (destroyed_at IS NULL AND kek_id IS NOT NULL AND octet_length(wrapped_key) = 60)
        OR (destroyed_at IS NOT NULL AND kek_id IS NULL AND wrapped_key IS NULL)
    )
);

-- Erasure finds the keys a student owns; only owned keys (hours entries) are indexed, so a
-- new student's key costs one index entry (its primary key). Re-wrapping scans the table.
CREATE INDEX data_keys_by_owner ON data_keys (owner_id) WHERE owner_id IS NOT NULL;
