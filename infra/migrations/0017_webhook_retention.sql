-- Delivered messages (and their attempts, by cascade) are pruned once older than
-- BRIDGEWORK_WEBHOOK_RETENTION (infra/webhooks/worker.py): found by this index, oldest first.
-- An endpoint's place in the log is its own checkpoint, so pruning never sends anything again.
CREATE INDEX webhook_messages_delivered ON webhook_messages (delivered_at) WHERE status = 'delivered';
