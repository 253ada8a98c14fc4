-- The newest snapshot of each long stream: its aggregate's state as of `version`, so a cold
-- load reads only the events after it (services/snapshots.py). Only ever a shortcut: the log
-- stays the truth, and a snapshot of another `layout` (the aggregate's code changed) is
-- ignored and replaced.

CREATE TABLE snapshots (
    stream_id text        PRIMARY KEY,
    version   integer     NOT NULL CHECK (version > 0),
    topic     text        NOT NULL,   -- the aggregate's class
    layout    text        NOT NULL,   -- a hash of the aggregate's code
    state     bytea       NOT NULL,
    taken_at  timestamptz NOT NULL DEFAULT now()
);
