"""The ``tuireader`` command line: a click group whose default command opens the reader.

Heavy imports (Textual, httpx, spaCy) are deferred into the commands that need them, so
``tuireader --help`` and script-facing commands start fast.
"""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
from click_default_group import DefaultGroup

from tuireader.config import Config, ConfigError, load_config
from tuireader.paths import default_config_path, default_db_path
from tuireader.store import Store, StoreError


@dataclass
class AppContext:
    """What every command gets: resolved paths, the config and a lazily opened store."""

    db_path: Path
    config_path: Path
    _config: Config | None = None
    _store: Store | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        """The parsed config file (defaults when there is none)."""
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def store(self) -> Store:
        """The cache, opened (and migrated) on first use."""
        if self._store is None:
            self._store = Store(self.db_path)
        return self._store

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None


pass_app = click.make_pass_decorator(AppContext)


class ReaderGroup(DefaultGroup):
    """A ``DefaultGroup`` that also opens the reader when only global options are given.

    ``DefaultGroup`` falls back to the default command only with no arguments at all, so
    ``tuireader --db x.db`` would otherwise stop with "Missing command".
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        if not ctx._protected_args and not ctx.args and self.default_cmd_name:
            ctx._protected_args = [self.default_cmd_name]
        return rest


@click.group(cls=ReaderGroup, default="ui", default_if_no_args=True)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite cache file (default: $TUIREADER_DB or the XDG data dir).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Config file (default: $TUIREADER_CONFIG or the XDG config dir).",
)
@click.version_option(package_name="tuireader")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, config_path: Path | None) -> None:
    """A fast, keyboard-first terminal news reader. Without a command, opens the reader."""
    app = AppContext(
        db_path=db_path or default_db_path(), config_path=config_path or default_config_path()
    )
    ctx.obj = app
    ctx.call_on_close(app.close)


def _register_commands() -> None:
    from tuireader.commands import register

    register(cli)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning user-facing errors into one line and exit code 1."""
    try:
        # With standalone_mode off, click returns ctx.exit()'s code instead of exiting.
        exit_code = cli.main(args=argv, prog_name="tuireader", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (StoreError, ConfigError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(1)
    except sqlite3.Error as exc:
        # Store methods convert these; this is the last line of defence for one-line errors.
        click.echo(f"error: database problem: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    sys.exit(exit_code if isinstance(exit_code, int) else 0)
