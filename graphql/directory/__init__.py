"""The directory in the API: organisations, programs, students and mentors, the objects every
other area hangs its facts on (each a module of its own)."""
