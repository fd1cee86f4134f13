"""Shared pytest set-up: fixtures live in ``tests/plugins/``, one module per area."""

pytest_plugins = [
    "tests.plugins.store",
    "tests.plugins.server",
    "tests.plugins.ui",
]
