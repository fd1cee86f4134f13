"""The click group itself: default command, global options, errors as one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from tuireader.cli import cli


def resolved_command(args: list[str]) -> str:
    ctx = cli.make_context("tuireader", list(args))
    with ctx:
        name, _, _ = cli.resolve_command(ctx, [*ctx._protected_args, *ctx.args])
    assert name is not None
    return name


def test_no_arguments_and_global_options_alone_open_the_reader(tmp_path: Path) -> None:
    assert resolved_command([]) == "ui"
    assert resolved_command(["--db", str(tmp_path / "x.db")]) == "ui"
    assert resolved_command(["--db", str(tmp_path / "x.db"), "--config", "c.toml"]) == "ui"
    assert resolved_command(["--db", str(tmp_path / "x.db"), "sync"]) == "sync"


def test_every_documented_command_is_registered() -> None:
    ctx = click.Context(cli)
    assert {"ui", "sync", "feeds", "import", "export", "articles", "show", "mark", "extract",
            "reindex", "actors"} <= set(cli.list_commands(ctx))


def test_broken_config_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[sync\njobs = 3", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "tuireader", "--db", str(tmp_path / "c.db"), "--config",
         str(config), "sync"], capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: config") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_ctx_exit_codes_reach_the_shell(tmp_path: Path) -> None:
    @cli.command("exit-with-three", hidden=True)
    @click.pass_context
    def exit_with_three(ctx: click.Context) -> None:
        ctx.exit(3)

    from tuireader.cli import main

    try:
        try:
            main(["--db", str(tmp_path / "c.db"), "exit-with-three"])
        except SystemExit as exc:
            assert exc.code == 3
        else:
            raise AssertionError("main() must exit")
    finally:
        cli.commands.pop("exit-with-three")
