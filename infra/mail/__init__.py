"""Mail through an outbox: `enqueue` inside the deciding transaction, a `Mailer` drains it."""

from bridgework.infra.mail.outbox import InvalidMail, OutboxCounts, enqueue, outbox_counts

__all__ = ["InvalidMail", "OutboxCounts", "enqueue", "outbox_counts"]
