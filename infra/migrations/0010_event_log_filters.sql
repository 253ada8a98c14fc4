-- The `events` query filters the log by actor, correlation id and recording time
-- (`statements.READ_AFTER`). Actor and correlation id live in the json metadata, so each gets
-- an expression index on exactly the expression the query compares; an actor's events are
-- read in the global order, so that index carries it too.
CREATE INDEX events_actor_order ON events ((metadata->>'actor'), tx_id, position);
CREATE INDEX events_correlation ON events ((metadata->>'correlation_id'));
CREATE INDEX events_recorded_at ON events (recorded_at);
