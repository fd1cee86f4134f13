"""Fixtures for the Textual app tests."""
