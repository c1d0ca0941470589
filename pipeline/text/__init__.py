"""The text stages: pure functions from the shared types to the shared types (no I/O)."""
