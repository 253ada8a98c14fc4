"""Signed checkpoints of the tamper-evident log: the note format, the key, the publisher,
the public routes and `bridgework verify --checkpoint` / `export`."""
