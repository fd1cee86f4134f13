"""Fetch feeds concurrently, parse and normalise them, and write them to the store.

Public API::

    summary = sync_feeds(store, feeds=None, config=SyncConfig(), extract=True,
                         progress=callback, force=False)

``sync_feeds`` is synchronous (it runs its own event loop in a helper thread), so both the
CLI and a TUI worker thread can call it. This package never imports Textual.
"""

from tuireader.sync.decide import FetchOutcome, FetchPlan, backoff_delay
from tuireader.sync.engine import (
    FeedResult,
    SyncBusyError,
    SyncSummary,
    lock_path_for,
    sync_feeds,
)
from tuireader.sync.normalise import strip_control
from tuireader.sync.parse import FeedParseError, ParsedFeed, parse_feed

__all__ = [
    "FeedParseError",
    "FeedResult",
    "FetchOutcome",
    "FetchPlan",
    "ParsedFeed",
    "SyncBusyError",
    "SyncSummary",
    "backoff_delay",
    "lock_path_for",
    "parse_feed",
    "strip_control",
    "sync_feeds",
]
