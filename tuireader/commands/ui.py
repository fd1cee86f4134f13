"""The default command: open the reader (``tuireader`` with no command)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add the ``ui`` command to ``group``."""
    group.add_command(ui)


@click.command("ui")
@click.pass_obj
def ui(app_context: object) -> None:
    """Open the reader: article list, reader view and actor sidebar."""
    from tuireader.ui.app import ReaderApp

    context = app_context  # tuireader.cli.AppContext (not imported: cli imports this module)
    store = context.store()  # type: ignore[attr-defined]
    config = context.config  # type: ignore[attr-defined]
    try:
        from tuireader.demo import ensure_demo
    except ImportError:  # the demo module is optional in a stripped-down install
        ensure_demo = None
    if ensure_demo is not None:
        try:
            ensure_demo(store)
        except Exception as exc:
            click.echo(f"warning: could not set up the demo feeds: {exc}", err=True)
    ReaderApp(store, keymap=config.keys, sync_config=config.sync).run()
