"""Fixtures for the loopback HTTP feed server (owned by the sync tests)."""
