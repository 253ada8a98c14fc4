"""Signed webhooks: endpoints and their secrets (`registry`), the fan-out of the log to each
endpoint with its checkpoint (`fanout`), and the sender (`sender`, `worker`)."""
