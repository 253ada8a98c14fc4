-- The roots of the sealed tree's perfect subtrees of 256 leaves and more (projections/seal.py
-- `NODE_HEIGHT`), written by the sealer in the batch that completes each: an inclusion proof
-- then reads O(log n) of them and at most a few hundred leaves, never every leaf. They are
-- derived from `seal_leaves`, so nothing is trusted to them: a proof built from an altered
-- one does not verify against the signed root.
CREATE TABLE seal_nodes (
    height bigint NOT NULL,
    index  bigint NOT NULL,
    hash   bytea  NOT NULL,
    PRIMARY KEY (height, index)
);

-- The nodes of what was sealed before this migration, a level at a time (RFC 9162: node =
-- SHA-256(0x01 || left || right)); a node exists only where both children do, so only
-- complete perfect subtrees are written.
DO $$
DECLARE
    height bigint := 0;
BEGIN
    CREATE TEMPORARY TABLE seal_level ON COMMIT DROP AS
        SELECT leaf_index AS index, leaf AS hash FROM seal_leaves;
    LOOP
        CREATE TEMPORARY TABLE seal_next ON COMMIT DROP AS
            SELECT l.index / 2 AS index, pg_catalog.sha256('\x01'::bytea || l.hash || r.hash) AS hash
            FROM seal_level AS l JOIN seal_level AS r ON r.index = l.index + 1
            WHERE l.index % 2 = 0;
        height := height + 1;
        EXIT WHEN NOT EXISTS (SELECT FROM seal_next);
        IF height >= 8 THEN
            INSERT INTO seal_nodes SELECT height, index, hash FROM seal_next;
        END IF;
        DROP TABLE seal_level;
        ALTER TABLE seal_next RENAME TO seal_level;
    END LOOP;
    DROP TABLE seal_level;
    DROP TABLE seal_next;
END $$;
