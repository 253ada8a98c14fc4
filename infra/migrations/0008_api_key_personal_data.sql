-- An API key may be granted the log's personal fields (`Principal.personal_data`); without
-- the grant, the `events` query and subscription redact them.
ALTER TABLE api_keys ADD COLUMN personal_data boolean NOT NULL DEFAULT false;
