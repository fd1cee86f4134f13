"""CLI subcommands, one module per area; each module's ``register(group)`` adds its commands."""

from __future__ import annotations

import importlib

import click

# Each module defines ``register(group: click.Group) -> None``.
COMMAND_MODULES = ("ui", "sync", "feeds", "read", "extract")


def register(group: click.Group) -> None:
    """Add every available command module's commands to ``group``."""
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"tuireader.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"tuireader.commands.{name}":
                raise
            continue
        module.register(group)
