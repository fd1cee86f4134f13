"""The default command: open the reader (``tuireader`` with no command)."""

from __future__ import annotations

from typing import Any

import click


def register(group: click.Group) -> None:
    """Add the ``ui`` command to ``group``."""
    group.add_command(ui)


@click.command("ui")
@click.pass_obj
def ui(app_context: Any) -> None:
    """Open the reader: article list, reader view and actor sidebar."""
    from tuireader.ui.app import ReaderApp

    # app_context is tuireader.cli.AppContext (not imported here: cli imports this module).
    store = app_context.store()
    config = app_context.config
    _set_up_demo(store)
    ReaderApp(store, keymap=config.keys, sync_config=config.sync).run()


def _set_up_demo(store: Any) -> None:
    """On a new, empty cache add the bundled demo feeds; a failure is a warning, not an exit."""
    from tuireader.demo import ensure_demo

    try:
        ensure_demo(store)
    except Exception as exc:  # a broken demo must not keep the reader shut
        click.echo(f"warning: could not set up the demo feeds: {exc}", err=True)
