-- The tamper-evident log (projections/seal.py): an RFC 9162 Merkle tree over every event's
-- leaf, in the log's gap-safe order (tx_id, position). Written only by the `seal`
-- projection, in the transaction that moves its checkpoint.

-- The tree as sealed so far: one row. `frontier` holds the roots of its perfect left
-- subtrees (one per set bit of `size`), so the next leaf appends in O(log n); `tx_id` and
-- `position` are the last event sealed, so a replay of the log never seals an event twice.
CREATE TABLE seal_state (
    only_row   boolean     PRIMARY KEY DEFAULT true CHECK (only_row),
    size       bigint      NOT NULL DEFAULT 0,
    tx_id      xid8        NOT NULL DEFAULT '0',
    position   bigint      NOT NULL DEFAULT 0,
    frontier   bytea[]     NOT NULL DEFAULT '{}',
    root       bytea       NOT NULL DEFAULT sha256(''::bytea),
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO seal_state DEFAULT VALUES;

-- Each sealed leaf's hash and the event it was computed from: `bridgework verify` names the
-- first event whose recomputed leaf differs, even one removed from the log since.
CREATE TABLE seal_leaves (
    leaf_index bigint PRIMARY KEY,
    position   bigint NOT NULL,
    event_id   uuid   NOT NULL,
    leaf       bytea  NOT NULL
);
