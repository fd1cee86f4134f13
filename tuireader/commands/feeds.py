"""Feed management commands: ``feeds add|list|remove``, ``import`` and ``export``.

Every string that came from a feed (titles, URLs, errors) is sanitised before it is printed
and printed with ``click.echo`` (never interpreted as markup).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from tuireader.cli import AppContext
    from tuireader.store import Feed

MAX_TITLE_CELLS = 50
MAX_URL_CELLS = 60
MAX_TAGS_CELLS = 30


class UserError(click.ClickException):
    """A user-facing failure: ``error: <message>`` on stderr and exit status 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the one-line message the same way ``tuireader.cli.main`` prints store errors."""
        click.echo(f"error: {self.format_message()}", err=True, file=file)


def warn(message: str) -> None:
    """One ``warning:`` line on stderr."""
    click.echo(f"warning: {message}", err=True)


def aligned_rows(rows: Sequence[Sequence[str]], widths: Sequence[int | None]) -> list[str]:
    """Lines with columns padded to a common width in terminal cells (wide characters count
    twice). ``widths`` caps each column (None: no cap; the last column is never padded)."""
    from rich.cells import cell_len, set_cell_size

    def fit(text: str, cap: int | None) -> str:
        if cap is not None and cell_len(text) > cap:
            return set_cell_size(text, cap - 1) + "…"
        return text

    fitted = [[fit(cell, cap) for cell, cap in zip(row, widths, strict=True)] for row in rows]
    if not fitted:
        return []
    column_widths = [max(cell_len(row[i]) for row in fitted) for i in range(len(widths))]
    lines = []
    for row in fitted:
        cells = [set_cell_size(cell, column_widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return lines


def _app() -> AppContext:
    return click.get_current_context().find_root().obj


def _describe(feed: Feed) -> str:
    from tuireader.text.sanitize import clean_line

    title = clean_line(feed.display_title, MAX_TITLE_CELLS * 2)
    url = clean_line(feed.url, 500)
    return f"{title} ({url})" if title != url else url


def _find_feed(ref: str) -> Feed:
    from tuireader.store import FeedNotFoundError
    from tuireader.text.sanitize import clean_line

    try:
        return _app().store().get_feed(ref.strip())
    except FeedNotFoundError as exc:
        raise UserError(f"no such feed: {clean_line(ref, 200)}") from exc


def resolve_feed_ref(ref: str) -> Feed:
    """A feed by id or URL, or a :class:`UserError` (for other commands' ``--feed``)."""
    return _find_feed(ref)


# -- feeds add ----------------------------------------------------------------------------------
def _add(url: str, title: str | None, tags: tuple[str, ...], discover: bool) -> None:
    from tuireader.store import FeedExistsError
    from tuireader.sync.discover import DiscoveryError, discover_feed_url, is_local, is_web
    from tuireader.text.sanitize import clean_line

    url = url.strip()
    shown = clean_line(url, 300)
    if not url:
        raise UserError("the feed URL is empty")
    app = _app()
    store = app.store()
    if any(feed.url == url for feed in store.list_feeds()):
        raise UserError(f"already subscribed: {shown}")
    found_on: str | None = None
    if is_local(url):
        _check_local(url)
        if "://" not in url:  # a plain path: store it absolute, so sync works from any directory
            url = Path(url).expanduser().resolve().as_uri()
            if any(feed.url == url for feed in store.list_feeds()):
                raise UserError(f"already subscribed: {clean_line(url, 300)}")
    elif is_web(url):
        if discover:
            limits = app.config.sync
            try:
                feed_url = discover_feed_url(
                    url, timeout=limits.timeout, max_bytes=limits.max_bytes,
                    total_timeout=limits.total_timeout, user_agent=limits.user_agent or None,
                )
            except DiscoveryError as exc:
                raise UserError(f"{exc} (use --no-discover to add the URL as it is)") from exc
            if feed_url != url:
                found_on, url = url, feed_url
    else:
        raise UserError(f"unsupported URL (use http, https, file:// or a path): {shown}")
    clean_tags = sorted({t for t in (clean_line(tag, 100) for tag in tags) if t})
    clean_title = clean_line(title, 300) if title else None
    try:
        feed = store.add_feed(url, title=clean_title or None, tags=clean_tags)
    except FeedExistsError as exc:
        raise UserError(f"already subscribed: {clean_line(url, 300)}") from exc
    message = f"added feed {feed.id}: {_describe(feed)}"
    if found_on:
        message += f", found on {clean_line(found_on, 300)}"
    click.echo(message)


def _check_local(url: str) -> None:
    from urllib.parse import urlsplit
    from urllib.request import url2pathname

    from tuireader.text.sanitize import clean_line

    parts = urlsplit(url)
    path = Path(url2pathname(parts.path)) if parts.scheme.lower() == "file" else Path(url)
    if not path.expanduser().is_file():
        hint = ""
        first_part = url.split("/", 1)[0]
        if parts.scheme == "" and not url.startswith(("/", ".", "~")) and "." in first_part:
            hint = f" (for a web address, write https://{clean_line(url, 300)})"
        raise UserError(f"no such file: {clean_line(str(path), 300)}{hint}")


# -- feeds list ---------------------------------------------------------------------------------
def feed_as_json(feed: Feed) -> dict[str, Any]:
    """The ``feeds list --json`` object of one feed (feed-supplied strings sanitised)."""
    from tuireader.text.sanitize import strip_controls

    def clean(value: str | None) -> str | None:
        return None if value is None else strip_controls(value)

    return {
        "id": feed.id,
        "title": clean(feed.display_title),
        "url": clean(feed.url),
        "site_url": clean(feed.site_url),
        "tags": [strip_controls(tag) for tag in feed.tags],
        "unread": feed.unread,
        "total": feed.total,
        "last_checked": feed.last_checked,
        "last_error": clean(feed.last_error),
    }


def _list(as_json: bool) -> None:
    from tuireader.text.sanitize import clean_line

    feeds = _app().store().list_feeds()
    if as_json:
        click.echo(json.dumps([feed_as_json(feed) for feed in feeds], ensure_ascii=False, indent=2))
        return
    if not feeds:
        click.echo("no feeds yet; add one with: tuireader feeds add URL")
        return
    rows = [["ID", "TITLE", "UNREAD/TOTAL", "TAGS", "URL", "LAST ERROR"]]
    for feed in feeds:
        rows.append([
            str(feed.id),
            clean_line(feed.display_title, 500),
            f"{feed.unread}/{feed.total}",
            clean_line(", ".join(feed.tags), 500),
            clean_line(feed.url, 2000),
            clean_line(feed.last_error or "", 200),
        ])
    widths = [None, MAX_TITLE_CELLS, None, MAX_TAGS_CELLS, MAX_URL_CELLS, None]
    for line in aligned_rows(rows, widths):
        click.echo(line)


# -- feeds remove -------------------------------------------------------------------------------
def _remove(ref: str) -> None:
    feed = _find_feed(ref)
    total = next((f.total for f in _app().store().list_feeds() if f.id == feed.id), 0)
    _app().store().remove_feed(feed.id)
    noun = "article" if total == 1 else "articles"
    click.echo(f"removed feed {feed.id}: {_describe(feed)} and its {total} {noun}")


# -- import / export ----------------------------------------------------------------------------
def _import(source: str) -> None:
    from tuireader.opml import MAX_FILE_BYTES, SubscriptionListError, parse_subscriptions
    from tuireader.store import FeedExistsError
    from tuireader.text.sanitize import clean_line

    data = _read_source(source, MAX_FILE_BYTES)
    try:
        parsed = parse_subscriptions(data)
    except SubscriptionListError as exc:
        raise UserError(f"{clean_line(source, 200)}: {exc}") from exc
    for message in parsed.warnings:
        warn(message)
    store = _app().store()
    subscribed = {feed.url for feed in store.list_feeds()}
    added = existing = 0
    for subscription in parsed.subscriptions:
        if subscription.url in subscribed:
            existing += 1
            continue
        try:
            store.add_feed(
                subscription.url, title=subscription.title, tags=subscription.tags,
                site_url=subscription.site_url,
            )
        except FeedExistsError:
            existing += 1
            continue
        added += 1
    kind = "OPML" if parsed.format == "opml" else "newsboat urls"
    click.echo(
        f"imported {added} feed{'s' if added != 1 else ''} from {kind} file, "
        f"{existing} already subscribed, {len(parsed.warnings)} skipped"
    )


def _read_source(source: str, limit: int) -> bytes:
    from tuireader.text.sanitize import clean_line

    shown = clean_line(source, 200)
    try:
        if source == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(source, "rb") as handle:
                data = handle.read(limit + 1)
    except FileNotFoundError as exc:
        raise UserError(f"no such file: {shown}") from exc
    except IsADirectoryError as exc:
        raise UserError(f"{shown} is a directory") from exc
    except OSError as exc:
        raise UserError(f"cannot read {shown}: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise UserError(f"{shown} is too large (limit {limit:,} bytes)")
    return data


def _export() -> None:
    from tuireader.opml import export_opml

    click.echo(export_opml(_app().store().list_feeds()), nl=False)


# -- registration -------------------------------------------------------------------------------
def register(group: click.Group) -> None:
    """Add ``feeds`` (add/list/remove), ``import`` and ``export`` to the CLI."""

    @group.group("feeds")
    def feeds() -> None:
        """Subscribe to, list and remove feeds."""

    @feeds.command("add")
    @click.argument("url")
    @click.option("--title", help="Your title for the feed (instead of the feed's own).")
    @click.option("--tag", "tags", multiple=True, help="A tag (repeat for several).")
    @click.option(
        "--discover/--no-discover", default=True, show_default=True,
        help="For a web page, find the feed it links to.",
    )
    def add_command(url: str, title: str | None, tags: tuple[str, ...], discover: bool) -> None:
        """Subscribe to URL: a feed, a web page that links its feed, a file:// URL or a path."""
        _add(url, title, tags, discover)

    @feeds.command("list")
    @click.option("--json", "as_json", is_flag=True, help="A JSON list of objects.")
    def list_command(as_json: bool) -> None:
        """Every feed with its id, title, unread/total counts, tags, URL and last error."""
        _list(as_json)

    @feeds.command("remove")
    @click.argument("feed")
    def remove_command(feed: str) -> None:
        """Unsubscribe from FEED (id or URL); its articles are deleted too."""
        _remove(feed)

    @group.command("import")
    @click.argument("file", metavar="FILE")
    def import_command(file: str) -> None:
        """Subscribe to the feeds of an OPML or newsboat urls FILE ("-" reads stdin).

        OPML folders and categories become tags; already subscribed feeds are skipped.
        """
        _import(file)

    @group.command("export")
    def export_command() -> None:
        """Write every subscription as OPML 2.0 to stdout (tags as folders and categories)."""
        _export()
