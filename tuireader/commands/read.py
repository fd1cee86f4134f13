"""Read-side commands for scripts: ``articles``, ``show`` and ``mark``.

Everything goes through the store's public API. Feed-supplied text is passed through
:func:`tuireader.text.sanitize.strip_controls` and printed with ``click.echo`` (plain text,
never Rich markup).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from tuireader.commands.feeds import UserError, aligned_rows, resolve_feed_ref

if TYPE_CHECKING:
    from tuireader.cli import AppContext
    from tuireader.store import ArticleSummary

DEFAULT_LIMIT = 100
MAX_LIMIT = 1_000_000
MAX_TITLE_CELLS = 80
MAX_FEED_CELLS = 24


def _app() -> AppContext:
    return click.get_current_context().find_root().obj


def _short_date(value: str | None) -> str:
    """``2024-10-21 14:05`` from an ISO 8601 timestamp (shown as stored, UTC)."""
    if not value:
        return ""
    return value[:16].replace("T", " ")


def article_as_json(summary: ArticleSummary) -> dict[str, Any]:
    """The ``articles --json`` object of one article (feed-supplied strings sanitised)."""
    from tuireader.text.sanitize import strip_controls

    def clean(value: str | None) -> str | None:
        return None if value is None else strip_controls(value)

    return {
        "id": summary.id,
        "feed_id": summary.feed_id,
        "feed_title": clean(summary.feed_title),
        "title": clean(summary.title),
        "url": clean(summary.url),
        "author": clean(summary.author),
        "published": summary.published,
        "read": summary.read,
        "starred": summary.starred,
    }


def _articles(
    unread: bool, starred: bool, feed_ref: str | None, tag: str | None, search: str | None,
    limit: int, as_json: bool,
) -> None:
    from tuireader.store import ArticleFilter
    from tuireader.text.sanitize import clean_line

    feed_id = resolve_feed_ref(feed_ref).id if feed_ref else None
    search = search.strip() if search else None
    flt = ArticleFilter(
        unread_only=unread, starred_only=starred, feed_id=feed_id, tag=tag or None,
        search=search or None,
    )
    summaries = _app().store().page_articles(flt, limit=limit)
    if as_json:
        rows = [article_as_json(summary) for summary in summaries]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    lines = aligned_rows(
        [
            [
                str(s.id),
                ("N" if not s.read else " ") + ("*" if s.starred else " "),
                _short_date(s.published or s.sort_date),
                clean_line(s.feed_title, 300),
                clean_line(s.title or "(untitled)", 1000),
            ]
            for s in summaries
        ],
        [None, None, None, MAX_FEED_CELLS, MAX_TITLE_CELLS],
    )
    for line in lines:
        click.echo(line)


def _show(article_id: int) -> None:
    from tuireader.text.html import html_to_text
    from tuireader.text.sanitize import clean_line, strip_controls

    article = _app().store().get_article(article_id)
    if article is None:
        raise UserError(f"no such article: {article_id}")
    click.echo(clean_line(article.title or "(untitled)", 1000))
    click.echo(f"Feed: {clean_line(article.feed_title, 300)}")
    if article.author:
        click.echo(f"Author: {clean_line(article.author, 300)}")
    click.echo(f"Date: {_short_date(article.published or article.sort_date)}")
    if article.url:
        click.echo(f"Link: {clean_line(article.url, 2000)}")
    text = article.text
    if not text.strip():
        text = html_to_text(article.content_html or article.summary_html or "", article.url)
    click.echo("")
    click.echo(strip_controls(text).rstrip("\n") or "(no text)")


def _mark(ids: tuple[int, ...], read: bool, unread: bool, star: bool, unstar: bool) -> None:
    chosen = [name for name, on in
              (("--read", read), ("--unread", unread), ("--star", star), ("--unstar", unstar))
              if on]
    if len(chosen) != 1:
        raise click.UsageError(
            "give exactly one of --read, --unread, --star, --unstar"
            + (f" (got {' '.join(chosen)})" if chosen else "")
        )
    store = _app().store()
    unique = list(dict.fromkeys(ids))
    found = {summary.id for summary in store.summaries(unique)}
    missing = [str(i) for i in unique if i not in found]
    if missing:
        raise UserError(f"no such article: {', '.join(missing)} (nothing was changed)")
    action = chosen[0]
    if action in ("--read", "--unread"):
        store.set_read(unique, action == "--read")
    else:
        store.set_starred(unique, action == "--star")
    noun = "article" if len(unique) == 1 else "articles"
    state = {"--read": "read", "--unread": "unread", "--star": "starred",
             "--unstar": "unstarred"}[action]
    click.echo(f"marked {len(unique)} {noun} {state}")


def register(group: click.Group) -> None:
    """Add ``articles``, ``show`` and ``mark`` to the CLI."""

    @group.command("articles")
    @click.option("--unread", is_flag=True, help="Only unread articles.")
    @click.option("--starred", is_flag=True, help="Only starred articles.")
    @click.option("--feed", "feed_ref", metavar="FEED", help="Only this feed (id or URL).")
    @click.option("--tag", help="Only feeds with this tag.")
    @click.option("--search", metavar="QUERY", help="Full-text search (every word must match).")
    @click.option(
        "--limit", type=click.IntRange(1, MAX_LIMIT), default=DEFAULT_LIMIT, show_default=True,
        help="At most this many articles.",
    )
    @click.option("--json", "as_json", is_flag=True, help="A JSON list of objects.")
    def articles_command(
        unread: bool, starred: bool, feed_ref: str | None, tag: str | None,
        search: str | None, limit: int, as_json: bool,
    ) -> None:
        """List articles, newest first (id, N=unread *=starred, date, feed, title)."""
        _articles(unread, starred, feed_ref, tag, search, limit, as_json)

    @group.command("show")
    @click.argument("article_id", metavar="ID", type=int)
    def show_command(article_id: int) -> None:
        """Print one article: title, feed, author, date, link and its readable text."""
        _show(article_id)

    @group.command("mark")
    @click.argument("ids", metavar="ID...", type=int, nargs=-1, required=True)
    @click.option("--read", is_flag=True, help="Mark read.")
    @click.option("--unread", is_flag=True, help="Mark unread.")
    @click.option("--star", is_flag=True, help="Star.")
    @click.option("--unstar", is_flag=True, help="Remove the star.")
    def mark_command(
        ids: tuple[int, ...], read: bool, unread: bool, star: bool, unstar: bool
    ) -> None:
        """Mark articles read or unread, or star or unstar them (exactly one option)."""
        _mark(ids, read, unread, star, unstar)
