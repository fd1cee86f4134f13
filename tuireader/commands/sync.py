"""``tuireader sync``: fetch every feed (or the named ones) into the cache.

Output: a progress bar on a terminal (stderr), one plain line per feed otherwise, only errors
with ``--quiet`` (for cron), one JSON document with ``--json``. Exit status 0 when every feed
synced, 1 when any failed, 2 for usage errors such as an unknown feed.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from tuireader.sync import FeedResult, SyncSummary

TITLE_WIDTH = 60


def register(group: click.Group) -> None:
    """Add ``sync`` to the CLI."""
    group.add_command(sync_command)


def _safe(text: object, limit: int = 300) -> str:
    """Feed-supplied text as one control-free line."""
    from tuireader.text.sanitize import clean_line

    return clean_line(str(text), limit)


class _Reporter:
    """Shows per-feed results: progress bar, plain lines, errors only, or nothing (JSON)."""

    def __init__(self, *, quiet: bool, as_json: bool) -> None:
        from rich.console import Console

        self.quiet = quiet
        self.as_json = as_json
        self.out: Console = Console(highlight=False, soft_wrap=True)
        self.err: Console = Console(stderr=True, highlight=False, soft_wrap=True)
        self.progress: Progress | None = None
        self.feed_task: TaskID | None = None
        self.extract_task: TaskID | None = None
        if not quiet and not as_json and self.err.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                console=self.err, transient=True,
            )
            self.feed_task = self.progress.add_task("syncing", total=None)

    def __enter__(self) -> _Reporter:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def start(self, total: int) -> None:
        """Called once the feeds to sync are known."""
        if self.progress is not None and self.feed_task is not None:
            self.progress.update(self.feed_task, total=total)

    def feed_done(self, result: FeedResult) -> None:
        """Called once per finished feed."""
        from rich.text import Text

        if self.progress is not None and self.feed_task is not None:
            self.progress.advance(self.feed_task)
        if self.as_json:
            return
        name = _safe(result.title or result.url, TITLE_WIDTH)
        if result.status == "error":
            line = Text.assemble(
                ("error", "bold red"), f"  {name}: ", _safe(result.error or "failed")
            )
            (self.progress.console if self.progress else self.err).print(line)
            return
        if self.quiet:
            return
        if self.progress is not None:
            return  # the bar shows progress; the summary line shows the totals
        detail = {
            "new": f"{result.new} new" + (f", {result.updated} updated" if result.updated else ""),
            "updated": f"{result.updated} updated",
            "not_modified": "unchanged",
            "skipped": "skipped (backing off after errors)",
        }.get(result.status, result.status)
        line = Text.assemble((f"{result.status:<12}", "bold"), f" {name}: {detail}")
        if result.warning:
            line.append(f" (warning: {_safe(result.warning, 200)})")
        self.out.print(line)

    def extract_progress(self, done: int, total: int) -> None:
        """Called by the extractor while it works through the new articles."""
        if self.progress is None:
            return
        if self.extract_task is None:
            self.extract_task = self.progress.add_task("extracting", total=total)
        self.progress.update(self.extract_task, completed=done, total=total)

    def finish(self, summary: SyncSummary) -> None:
        """Print the totals (or the JSON document)."""
        from rich.text import Text

        if summary.extraction_error:  # on stderr, so --json's stdout keeps its exact shape
            self.err.print(Text.assemble(("warning", "yellow"), ": ",
                                         _safe(summary.extraction_error)))
        if self.as_json:
            click.echo(json.dumps(summary.to_json(), ensure_ascii=False))
            return
        if self.quiet:
            return
        skipped = sum(result.status == "skipped" for result in summary.feeds)
        text = (
            f"{len(summary.feeds)} feeds: {summary.new} new, {summary.updated} updated, "
            f"{summary.errors} failed"
        )
        if skipped:
            text += f", {skipped} skipped"
        self.out.print(Text(text))


@click.command("sync")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Feeds fetched at once (default: sync.jobs in the config, 16).")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors (for cron).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
@click.option("--no-extract", is_flag=True, help="Skip finding names and figures in new articles.")
@click.option("--force", is_flag=True,
              help="Fetch and re-read every feed: ignore backoff, ETag and unchanged bodies.")
@click.argument("feeds", nargs=-1)
@click.pass_context
def sync_command(
    ctx: click.Context, jobs: int | None, quiet: bool, as_json: bool, no_extract: bool,
    force: bool, feeds: tuple[str, ...],
) -> None:
    """Fetch FEEDS (ids or URLs; all feeds when none are given) into the cache."""
    from tuireader.store import FeedNotFoundError
    from tuireader.sync import sync_feeds

    app: Any = ctx.obj
    store = app.store()
    config = dataclasses.replace(app.config.sync)
    if jobs is not None:
        config.jobs = jobs
    refs: list[str] | None = list(feeds) or None
    for ref in refs or ():
        try:
            store.get_feed(ref)
        except FeedNotFoundError:
            click.echo(f"error: no such feed: {_safe(ref)}", err=True)
            sys.exit(2)
    with _Reporter(quiet=quiet, as_json=as_json) as reporter:
        summary = sync_feeds(
            store, refs, config=config, extract=not no_extract, force=force,
            progress=reporter.feed_done, extract_progress=reporter.extract_progress,
            on_start=reporter.start,
        )
    if not summary.feeds and refs is None:
        if as_json:
            click.echo(json.dumps(summary.to_json()))
        elif not quiet:
            click.echo("No feeds to sync yet: add one with `tuireader feeds add URL`.", err=True)
        return
    reporter.finish(summary)
    sys.stdout.flush()
    if summary.errors:
        # sys.exit, not ctx.exit: main() runs click with standalone_mode=False, which turns
        # ctx.exit's code into a return value that main() does not pass on.
        sys.exit(1)
