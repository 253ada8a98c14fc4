-- Each endpoint's dead-lettered messages, beside `webhook_messages_pending`: `bridgework status`
-- and `/metrics` count an endpoint's undelivered messages from these two partial indexes,
-- never from its delivered ones, which grow without end.
CREATE INDEX webhook_messages_dead ON webhook_messages (endpoint_id) WHERE status = 'dead';
