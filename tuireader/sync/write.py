"""Writing one fetched feed to the store: its new and changed entries and its fetch state in
one transaction, or its error and backoff.

Used by the sync's writing thread, and by the parse worker processes, which write what they
parsed themselves (see :mod:`tuireader.sync.workers`): each process has its own connection,
and SQLite lets one write at a time.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tuireader.store import EntryData, Feed, FeedNotFoundError, Store, StoreError, WriteResult
from tuireader.sync.decide import FetchPlan, failure_fields, status_for
from tuireader.sync.normalise import MAX_WARNING_CHARS, one_line
from tuireader.sync.parse import ParsedFeed, RawItems


def raw_items_key(feed_id: int) -> str:
    """Where a feed's last stored body's item fingerprints are kept (``Store.set_state``)."""
    return f"sync.raw-items.{feed_id}"


@dataclass(slots=True)
class FeedResult:
    """How one feed's sync went."""

    feed_id: int
    url: str
    status: str  # "new" | "updated" | "not_modified" | "error" | "skipped"
    new: int = 0
    updated: int = 0
    error: str | None = None
    warning: str | None = None
    new_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    title: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The per-feed object of ``tuireader sync --json``."""
        return {
            "id": self.feed_id,
            "url": self.url,
            "status": self.status,
            "new": self.new,
            "updated": self.updated,
            "error": self.error,
        }


def write_fetched(
    store: Store,
    feed: Feed,
    plan: FetchPlan,
    parsed: ParsedFeed | None,
    parse_error: str | None,
) -> FeedResult:
    """Store one fetched feed: its entries and fetch state in one transaction, or its
    error and backoff. Never raises for a store problem: that becomes the feed's error."""
    now = datetime.now(UTC)
    if plan.action == "error" or parse_error is not None:
        error = plan.error if plan.action == "error" else parse_error
        assert error is not None
        fields = plan.feed_fields if plan.action == "error" else failure_fields(
            feed, now, error
        )
        return _write_failure(store, feed, fields, error)
    fields = dict(plan.feed_fields)
    warnings: list[str] = []
    url = feed.url
    if plan.new_url:
        moved = _moved_url(store, feed, plan.new_url)
        if moved is None:
            fields["url"] = url = plan.new_url
        else:
            warnings.append(moved)
    entries = []
    if parsed is not None:
        entries = parsed.entries
        fields.update(title=parsed.meta.title, site_url=parsed.meta.site_url or feed.site_url,
                      language=parsed.meta.language)
        if parsed.warning:
            warnings.append(parsed.warning)
        fields["last_warning"] = one_line("; ".join(warnings), MAX_WARNING_CHARS) or None
    elif warnings:
        fields["last_warning"] = one_line("; ".join(warnings), MAX_WARNING_CHARS)
    raw_items = parsed.raw_items if parsed is not None else None
    try:
        try:
            written = _store_entries(store, feed.id, entries, fields, raw_items)
        except sqlite3.IntegrityError:
            # Another process subscribed the redirect target meanwhile: keep the old URL.
            fields.pop("url", None)
            url = feed.url
            written = _store_entries(store, feed.id, entries, fields, raw_items)
    except StoreError as exc:
        return FeedResult(feed.id, feed.url, "error", error=str(exc), title=feed.display_title)
    warning = fields.get("last_warning", feed.last_warning)
    title = parsed.meta.title if parsed is not None and parsed.meta.title else None
    return FeedResult(
        feed.id,
        url,
        status_for(written.new, written.updated, None),
        new=written.new,
        updated=written.updated,
        warning=warning,
        new_ids=written.new_ids,
        updated_ids=written.updated_ids,
        title=feed.user_title or title or feed.display_title,
    )


def _store_entries(
    store: Store,
    feed_id: int,
    entries: Sequence[EntryData],
    fields: dict[str, Any],
    raw_items: RawItems | None = None,
) -> WriteResult:
    """Entries and fetch state in one transaction (just the feed row when no entries);
    then the body's item fingerprints, tied to the body hash just written."""
    if entries:
        written = store.write_entries(feed_id, entries, feed_fields=fields)
    else:
        store.update_feed(feed_id, **fields)  # skips reading the stored entries
        written = WriteResult()
    if fields.get("body_hash"):
        saved = {"body_hash": fields["body_hash"], **raw_items.to_json()} if raw_items else None
        with contextlib.suppress(StoreError):  # only a saving for the next sync is lost
            store.set_state(raw_items_key(feed_id), saved)
    return written


def _write_failure(store: Store, feed: Feed, fields: dict[str, Any], error: str) -> FeedResult:
    error = one_line(error, MAX_WARNING_CHARS)
    fields = {**fields, "last_error": error}
    with contextlib.suppress(StoreError):
        store.update_feed(feed.id, **fields)
    return FeedResult(feed.id, feed.url, "error", error=error, title=feed.display_title)


def _moved_url(store: Store, feed: Feed, new_url: str) -> str | None:
    """None when the feed may take ``new_url``; else a warning saying why not."""
    try:
        other = store.get_feed(new_url)
    except FeedNotFoundError:
        return None
    return (
        f"moved permanently to {new_url}, which is already subscribed as feed #{other.id}; "
        "kept the old URL"
    )
