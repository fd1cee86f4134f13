"""Run a sync: fetch concurrently, parse off the loop, write each feed in one transaction.

Threads: ``sync_feeds`` runs the asyncio event loop (downloads) in a helper thread and parses
in a small worker pool; the thread that called ``sync_feeds`` does every database write and
every ``progress`` call, feed by feed as they finish. A failing feed records its error and
backoff and never stops the others.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuireader.config import SyncConfig
from tuireader.store import Feed, Store, StoreError
from tuireader.sync.decide import (
    FetchOutcome,
    FetchPlan,
    conditional_headers,
    plan_after_fetch,
    should_skip,
)
from tuireader.sync.normalise import MAX_WARNING_CHARS, one_line
from tuireader.sync.parse import FeedParseError, ParsedFeed, RawItems, parse_feed
from tuireader.sync.write import FeedResult, raw_items_key, write_fetched

if TYPE_CHECKING:
    from tuireader.sync.fetch import Fetcher
    from tuireader.sync.workers import ParseJob, ParsePools

# Where feed bodies are parsed (feedparser, normalisation, HTML to text: pure Python, so one
# core at a time under the GIL):
# - "auto": a thread pool, plus a process pool of PARSE_WORKERS started in the background once
#   the bodies seen so far promise at least PROCESS_POOL_MIN_BYTES more of parsing (about a
#   second of one core's work: the pool's start costs a few tenths), so a small or all-304
#   sync never pays for it; parsing moves to the processes as soon as they are up;
# - "thread": the thread pool only; "process": the process pool from the first body.
# Any trouble with the processes (cannot start, a worker dies) falls back to the threads.
PARSE_EXECUTOR = "auto"
PARSE_WORKERS = 2
PROCESS_POOL_MIN_BYTES = 4_000_000
# Modules the process pool's workers need, imported once in the fork server ("__main__" too:
# otherwise every worker re-imports the main script; fork_server_setup makes workers ignore
# Ctrl-C from birth).
_WORKER_PRELOAD = [
    "__main__", "tuireader.sync.fork_server_setup", "tuireader.sync.parse", "feedparser",
    "tuireader.text.html", "defusedxml.ElementTree",
]


# Extraction of at least this many new or changed articles runs in EXTRACTION_WORKERS
# processes (fewer would not repay the models' loading in each).
PARALLEL_EXTRACTION_MIN = 200
EXTRACTION_WORKERS = 2
_EXTRACTION_PRELOAD = ["__main__", "tuireader.sync.fork_server_setup", "tuireader.text.extract"]


# The interpreter's GIL switch interval while a sync runs (Python's default is 5 ms). Every
# SQLite statement of the writing thread releases the GIL and must then wait for a parsing
# thread to give it back, up to one interval each: with 50 inserts per feed the writer spent
# most of a cold sync waiting. Cold syncs of 50 feeds x 50 items, threads, 6 interleaved pairs
# at load 4.5-5.4 on 2 cores: 5.05/3.42/4.17/4.48/4.39/4.50 s -> 4.19/3.19/3.33/4.38/4.13/4.37 s,
# the writer busy 4.3/2.7/3.9/3.6/4.0/3.4 s -> 2.9/2.1/2.1/3.1/3.0/3.2 s, CPU time unchanged.
SYNC_SWITCH_INTERVAL = 0.001
_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = 0.005


@contextlib.contextmanager
def short_gil_switches(interval: float = SYNC_SWITCH_INTERVAL) -> Iterator[None]:
    """Shorten the GIL switch interval while any sync runs in this process; then restore it."""
    global _switch_users, _switch_saved
    with _switch_lock:
        if _switch_users == 0:
            _switch_saved = sys.getswitchinterval()
            sys.setswitchinterval(min(interval, _switch_saved))
        _switch_users += 1
    try:
        yield
    finally:
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_saved)


class SyncBusyError(StoreError):
    """Another sync holds the lock on this database."""


@dataclass(slots=True)
class SyncSummary:
    """The outcome of one sync over many feeds."""

    feeds: list[FeedResult] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    errors: int = 0
    extracted: int = 0
    extraction_error: str | None = None

    def add(self, result: FeedResult) -> None:
        """Count in one feed's result."""
        self.feeds.append(result)
        self.new += result.new
        self.updated += result.updated
        self.errors += result.status == "error"

    def to_json(self) -> dict[str, Any]:
        """The ``tuireader sync --json`` document."""
        return {
            "feeds": [result.to_json() for result in self.feeds],
            "new": self.new,
            "updated": self.updated,
            "errors": self.errors,
        }


Parser = Callable[[bytes, str, dict[str, str], int], ParsedFeed]


def default_parser(body: bytes, url: str, headers: dict[str, str], max_items: int) -> ParsedFeed:
    """Parse with :func:`tuireader.sync.parse.parse_feed` using the response headers."""
    return parse_feed(
        body,
        url=url,
        content_type=headers.get("content-type"),
        content_location=headers.get("content-location"),
        max_items=max_items,
    )


def lock_path_for(db_path: Path) -> Path:
    """The advisory lock file next to the database."""
    return db_path.with_name(db_path.name + ".sync-lock")


@contextlib.contextmanager
def sync_lock(db_path: Path) -> Iterator[None]:
    """Hold the per-database sync lock, or raise :class:`SyncBusyError` at once.

    ``flock`` locks vanish with their process, so a killed sync never leaves a stale lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: rely on SQLite's own locking
        yield
        return
    path = lock_path_for(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot create the sync lock {path}: {exc.strerror or exc}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise SyncBusyError(
                f"another sync is running on {db_path}; try again when it has finished"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def resolve_feeds(store: Store, refs: Sequence[int | str] | None) -> tuple[list[Feed], bool]:
    """The feeds to sync and whether they were named; raises ``FeedNotFoundError``."""
    if refs is None:
        return store.list_feeds(), False
    feeds: list[Feed] = []
    seen: set[int] = set()
    for ref in refs:
        feed = store.get_feed(ref)
        if feed.id not in seen:
            seen.add(feed.id)
            feeds.append(feed)
    return feeds, True


def sync_feeds(
    store: Store,
    feeds: Sequence[int | str] | None = None,
    *,
    config: SyncConfig | None = None,
    extract: bool = True,
    progress: Callable[[FeedResult], None] | None = None,
    force: bool = False,
    extract_progress: Callable[[int, int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    parser: Parser | None = None,
) -> SyncSummary:
    """Fetch, parse and store ``feeds`` (ids or URLs; all feeds when None).

    Feeds backing off after errors are skipped unless named or ``force`` (which also ignores
    the stored ETag/Last-Modified/body hash). ``progress`` is called with each finished feed's
    result, from the calling thread. Articles that are new or changed are then passed to the
    extractor when ``extract`` is true (``extract_progress(done, total)`` follows it).
    ``on_start`` is called with the number of feeds once they are resolved. Raises
    :class:`SyncBusyError` when another sync runs on the same database and
    :class:`~tuireader.store.FeedNotFoundError` for an unknown feed.
    """
    config = config or SyncConfig()
    targets, named = resolve_feeds(store, feeds)
    if on_start is not None:
        on_start(len(targets))
    with sync_lock(store.path), short_gil_switches():
        summary = _SyncRun(store, config, parser or default_parser, progress, force).run(
            targets, named=named
        )
    if extract:
        _extract(store, summary, extract_progress)
    return summary


def _extract(
    store: Store, summary: SyncSummary, progress: Callable[[int, int], None] | None
) -> None:
    ids = [i for result in summary.feeds for i in (*result.new_ids, *result.updated_ids)]
    if not ids:
        return
    try:
        from tuireader.text.extract import extract_and_store
    except ModuleNotFoundError as exc:
        if exc.name in ("tuireader.text.extract", "tuireader.text"):
            return  # the extractor is not installed in this build
        summary.extraction_error = one_line(f"extraction unavailable: {exc}", MAX_WARNING_CHARS)
        return
    pool = _extraction_pool(len(ids))
    try:
        if pool is None:
            summary.extracted = extract_and_store(store, ids, progress)
        else:
            summary.extracted = extract_and_store(store, ids, progress, executor=pool)
    except Exception as exc:  # the articles are stored; extraction can be rerun later
        summary.extraction_error = one_line(
            f"extraction failed ({type(exc).__name__}: {exc}); run `tuireader reindex`",
            MAX_WARNING_CHARS,
        )
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _extraction_pool(articles: int) -> concurrent.futures.ProcessPoolExecutor | None:
    """Processes to extract a large batch on every core (each loads the models once, about a
    second, and extracts ≈ 30 ms of a 600-word article); None: extract in this thread."""
    from tuireader.sync.workers import start_process_pool, usable_cores

    if articles < PARALLEL_EXTRACTION_MIN or PARSE_EXECUTOR == "thread":
        return None
    cores = usable_cores()
    if cores < 2:
        return None

    try:
        return start_process_pool(min(cores, EXTRACTION_WORKERS), _EXTRACTION_PRELOAD)
    except Exception:  # no semaphores, no fork server: extract here
        return None


@dataclass(slots=True)
class _Fetched:
    feed: Feed
    outcome: FetchOutcome
    plan: FetchPlan
    parsed: ParsedFeed | None = None
    parse_error: str | None = None


_DONE = object()


class _SyncRun:
    """One sync: an event-loop thread produces fetched feeds, the caller's thread writes them."""

    def __init__(
        self,
        store: Store,
        config: SyncConfig,
        parser: Parser,
        progress: Callable[[FeedResult], None] | None,
        force: bool,
    ) -> None:
        self.store = store
        self.config = config
        self.parser = parser
        self.progress = progress
        self.force = force
        self.results: queue.Queue[object] = queue.Queue()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.main_task: asyncio.Task[None] | None = None
        self.stopping = threading.Event()
        self.feeds_left = 0  # feeds not downloaded yet (estimates the parsing still to come)

    def run(self, feeds: Sequence[Feed], *, named: bool) -> SyncSummary:
        summary = SyncSummary()
        now = datetime.now(UTC)
        to_fetch: list[Feed] = []
        for feed in feeds:
            if should_skip(feed, now, named=named, force=self.force):
                self._report(summary, FeedResult(
                    feed.id, feed.url, "skipped", error=None, warning=feed.last_warning,
                    title=feed.display_title,
                ))
            else:
                to_fetch.append(feed)
        if not to_fetch:
            return summary
        thread = threading.Thread(
            target=self._loop_thread, args=(to_fetch,), name="tuireader-sync", daemon=True
        )
        thread.start()
        try:
            while True:
                item = self.results.get()
                if item is _DONE:
                    break
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, _Fetched)
                self._report(summary, self._write(item))
        finally:
            self.stopping.set()
            self._cancel_loop()
            thread.join(timeout=10)
        return summary

    def _report(self, summary: SyncSummary, result: FeedResult) -> None:
        summary.add(result)
        if self.progress is not None:
            self.progress(result)

    # -- event-loop thread ---------------------------------------------------------------------
    def _loop_thread(self, feeds: Sequence[Feed]) -> None:
        try:
            asyncio.run(self._fetch_all(feeds))
        except BaseException as exc:  # hand any crash to the writing thread
            if not isinstance(exc, asyncio.CancelledError):
                self.results.put(exc)
        finally:
            self.results.put(_DONE)

    def _cancel_loop(self) -> None:
        loop, task = self.loop, self.main_task
        if loop is not None and task is not None and not task.done():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(task.cancel)

    async def _fetch_all(self, feeds: Sequence[Feed]) -> None:
        from tuireader.sync.fetch import Fetcher
        from tuireader.sync.workers import ParsePools

        self.loop = asyncio.get_running_loop()
        self.main_task = asyncio.current_task()
        if self.stopping.is_set():  # the caller gave up before the loop was running
            return
        self.feeds_left = len(feeds)
        with ParsePools(
            mode=PARSE_EXECUTOR, workers=PARSE_WORKERS, min_bytes=PROCESS_POOL_MIN_BYTES,
            preload=_WORKER_PRELOAD,
        ) as pools:
            async with Fetcher(self.config) as fetcher:
                await asyncio.gather(*(self._one(fetcher, pools, feed) for feed in feeds))

    async def _one(self, fetcher: Fetcher, pools: ParsePools, feed: Feed) -> None:
        from tuireader.sync.fetch import FetchRequest

        try:
            outcome = await fetcher.fetch(
                FetchRequest(feed.url, conditional_headers(feed, force=self.force))
            )
        except Exception as exc:  # a bug in one fetch must not take the other feeds down
            outcome = FetchOutcome(
                feed.url, error=one_line(f"fetch failed ({type(exc).__name__}: {exc})", 300)
            )
        self.feeds_left -= 1
        plan = plan_after_fetch(feed, outcome, datetime.now(UTC), force=self.force)
        fetched = _Fetched(feed, outcome, plan)
        if plan.action == "parse":
            try:
                fetched.parsed = await self._parse(pools, feed, outcome)
            except FeedParseError as exc:
                fetched.parse_error = str(exc)
            except Exception as exc:  # a parser bug must not take the other feeds down
                fetched.parse_error = one_line(
                    f"cannot parse feed ({type(exc).__name__}: {exc})", MAX_WARNING_CHARS
                )
        outcome.body = None  # free memory before queueing
        self.results.put(fetched)

    async def _parse(self, pools: ParsePools, feed: Feed, outcome: FetchOutcome) -> ParsedFeed:
        """Parse a downloaded body in the thread or process pool; raises FeedParseError."""
        from tuireader.sync.workers import ParseJob

        base = outcome.final_url or feed.url
        body = outcome.body or b""
        if self.parser is not default_parser:  # a caller's own parser: threads, as given
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                pools.threads, self.parser, body, base, outcome.headers, self.config.max_items
            )
        pools.note_body(len(body), self.feeds_left)
        job = ParseJob(body, base, dict(outcome.headers), self.config.max_items)
        return await pools.parse(job, lambda job: self._prepare(feed, job))

    def _prepare(self, feed: Feed, job: ParseJob) -> None:
        """Give the parse what is stored: entry hashes, and the last body's item fingerprints.

        Entries with a stored hash skip the text step; items whose raw bytes were in the
        last stored body skip feedparser too. Nothing for a feed never parsed before, with
        ``force``, or when the store cannot say (the write compares again anyway). The
        fingerprints count only if saved for the body whose hash the feed row holds (they are
        written right after that body's entries, tagged with its hash).
        """
        if feed.body_hash is None and not feed.total:
            return
        try:
            job.known_hashes = self.store.entry_hashes(feed.id)
            if not self.force and feed.body_hash is not None:
                saved = self.store.get_state(raw_items_key(feed.id))
                if isinstance(saved, dict) and saved.get("body_hash") == feed.body_hash:
                    job.seen_items = RawItems.from_json(saved)
        except StoreError:
            job.known_hashes = job.seen_items = None

    # -- writing thread ------------------------------------------------------------------------
    def _write(self, fetched: _Fetched) -> FeedResult:
        return write_fetched(
            self.store, fetched.feed, fetched.plan, fetched.parsed, fetched.parse_error
        )
