-- Each event's scope: the organisations whose staff may read it (its aggregate's school,
-- its partnership's members…), recorded when it is appended so that the log is filtered
-- by organisation in SQL. Events appended before this migration have none: only the
-- deployment's own staff (administrators, auditors) read them.
ALTER TABLE events ADD COLUMN scope uuid[] NOT NULL DEFAULT '{}';

CREATE INDEX events_scope ON events USING gin (scope);
