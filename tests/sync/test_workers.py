"""Where bodies are parsed: the thread pool, the process pool and the fall-back between them."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.plugins.server import FeedServer, rss_feed, rss_item
from tuireader.config import SyncConfig
from tuireader.store import Store
from tuireader.sync import engine, sync_feeds
from tuireader.sync import parse as parse_module
from tuireader.sync.workers import (
    NOT_MEASURED_YET,
    IdleCores,
    ParseJob,
    ParsePools,
    idle_cpus,
    run_parse_job,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
FEED_URL = "https://feeds.example.com/feed.xml"


def job(count: int = 3, feed: str = "feed") -> ParseJob:
    return ParseJob(rss_feed(count, feed=feed), FEED_URL, {"content-type": "application/xml"})


def parse_with(pools: ParsePools, parse_job: ParseJob, known: dict[str, str] | None = None):
    def prepare(prepared: ParseJob) -> None:
        prepared.known_hashes = known

    async def go():
        return await pools.parse(parse_job, prepare)

    return asyncio.run(go())


def started_pools() -> ParsePools:
    pools = ParsePools(mode="process", workers=2, preload=engine._WORKER_PRELOAD)
    pools._start()  # what note_body does in a background thread, here in the foreground
    assert pools.failure is None and pools.processes is not None, pools.failure
    return pools


def worker_pids(pools: ParsePools) -> list[int]:
    assert pools.processes is not None
    return list(pools.processes._processes)  # type: ignore[attr-defined]


def process_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")  # a zombie no longer runs


# -- the process pool ------------------------------------------------------------------------------


def test_process_pool_parses_like_the_threads() -> None:
    with started_pools() as pools:
        in_process = parse_with(pools, job(5))
        workers = worker_pids(pools)
    assert workers and os.getpid() not in workers
    assert in_process == run_parse_job(job(5))
    assert [e.entry_id for e in in_process.entries] == [f"feed-{i}" for i in range(5)]


def test_process_pool_gets_the_stored_hashes() -> None:
    known = {e.entry_id: e.content_hash for e in run_parse_job(job(3)).entries}
    with started_pools() as pools:
        parsed = parse_with(pools, job(4), known)
    assert [e.entry_id for e in parsed.entries] == ["feed-3"]
    assert parsed.unchanged == 3


def test_parse_errors_come_back_from_the_workers() -> None:
    with started_pools() as pools, pytest.raises(parse_module.FeedParseError, match="HTML"):
        parse_with(pools, ParseJob(b"<!doctype html><html></html>", FEED_URL))


def test_a_dead_worker_sends_parsing_back_to_the_threads() -> None:
    with started_pools() as pools:
        for pid in worker_pids(pools):
            os.kill(pid, signal.SIGKILL)
        parsed = parse_with(pools, job(2))
        assert pools.failure is not None and "died" in pools.failure
        again = parse_with(pools, job(3))  # later bodies stay on the threads
    assert [e.entry_id for e in parsed.entries] == ["feed-0", "feed-1"]
    assert len(again.entries) == 3


def test_workers_ignore_ctrl_c() -> None:
    with started_pools() as pools:
        for pid in worker_pids(pools):
            os.kill(pid, signal.SIGINT)
        parsed = parse_with(pools, job(2))
        assert pools.failure is None
        assert all(not process_gone(pid) for pid in worker_pids(pools))
    assert len(parsed.entries) == 2


def test_pool_that_cannot_start_leaves_the_threads_working(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_processes(workers: int, preload: list[str]) -> None:
        raise OSError("no semaphores here")

    monkeypatch.setattr("tuireader.sync.workers.start_process_pool", no_processes)
    with ParsePools(mode="process") as pools:
        pools.note_body(1000, feeds_left=100)
        assert pools._starter is not None
        pools._starter.join(timeout=10)
        assert pools.failure == "OSError: no semaphores here"
        parsed = parse_with(pools, job(2))
    assert len(parsed.entries) == 2


def test_processes_start_only_when_enough_parsing_lies_ahead_and_a_core_is_idle() -> None:
    idle = [1.5]
    with ParsePools(mode="auto", min_bytes=1_000_000, idle=lambda: idle[0]) as pools:
        pools.note_body(100_000, feeds_left=5)  # about 0.5 MB ahead: threads will do
        assert pools._starter is None
        idle[0] = 0.7  # every core but a fraction busy: the workers would only compete
        pools.note_body(300_000, feeds_left=6)  # mean 200 KB x 6 = 1.2 MB ahead
        assert pools._starter is None
        idle[0] = 1.2
        pools.note_body(200_000, feeds_left=6)
        assert pools._starter is not None
    with ParsePools(mode="thread", min_bytes=1, idle=lambda: 64.0) as pools:
        pools.note_body(10**9, feeds_left=10**6)
        assert pools._starter is None


def test_idle_cpus_is_cores_minus_load() -> None:
    assert idle_cpus() == pytest.approx(
        len(os.sched_getaffinity(0)) - os.getloadavg()[0], abs=0.5
    )


def test_idle_cores_sees_a_busy_process_next_door_at_once() -> None:
    """Measured over the last interval, not the lagging load average: a spinning child makes
    the other core busy within a tenth of a second, and it is idle again once it stops."""
    if not os.path.exists("/proc/stat"):
        pytest.skip("no /proc/stat")
    usable = len(os.sched_getaffinity(0))
    idle = IdleCores(min_interval=0.05)
    spinner = subprocess.Popen(
        [sys.executable, "-c", "import time\nend = time.time() + 1.5\nwhile time.time() < end: 0"]
    )
    try:
        time.sleep(0.6)
        while_spinning = idle()
    finally:
        spinner.wait(timeout=10)
    # this process sleeps (counted as the one core it needs), the child spins a whole core;
    # other processes on a shared machine can only lower the figure
    assert while_spinning <= usable - 1.0 - 0.6


def test_idle_cores_counts_other_processes_not_this_one() -> None:
    readings = iter([(0.0, 100.0), (1.0, 101.9), (2.0, 102.0)])
    own = iter([5.0, 5.9, 6.0])
    idle = IdleCores(read_busy=lambda: next(readings), read_own=lambda: next(own), cores=2)
    # 1.9 busy seconds in 1 s, 0.9 of them ours: others keep 1.0 core busy, none is left
    # beside the one this process needs
    assert idle() == pytest.approx(0.0)
    # 0.1 busy, 0.1 ours: one idle core besides ours
    assert idle() == pytest.approx(1.0)


def test_idle_cores_repeats_its_answer_for_too_short_an_interval() -> None:
    readings = iter([(0.0, 10.0), (0.01, 10.0), (1.0, 10.5), (1.02, 12.0)])
    idle = IdleCores(read_busy=lambda: next(readings), read_own=lambda: 0.0, cores=4)
    # 10 ms cannot tell: nothing measured yet counts as busy
    assert idle() == NOT_MEASURED_YET
    assert idle() == pytest.approx(4 - 0.5 - 1)
    assert idle() == pytest.approx(2.5)  # 20 ms after: the last answer again


def test_idle_cores_without_proc_stat_is_the_load_average_estimate() -> None:
    idle = IdleCores(read_busy=lambda: None)
    assert idle() == pytest.approx(idle_cpus(), abs=0.5)


def test_workers_exit_when_the_sync_process_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "holder.py"
    script.write_text(
        "import sys, time\n"
        "from tuireader.sync import engine\n"
        "from tuireader.sync.workers import start_process_pool\n"
        "if __name__ == '__main__':\n"
        "    pool = start_process_pool(2, engine._WORKER_PRELOAD)\n"
        "    print(' '.join(str(pid) for pid in pool._processes), flush=True)\n"
        "    time.sleep(120)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        assert holder.stdout is not None
        pids = [int(pid) for pid in holder.stdout.readline().split()]
        assert pids and all(not process_gone(pid) for pid in pids)
    finally:
        holder.kill()
    # Not reaped yet: the killed process stays a zombie, as it does under a parent that
    # reads its output to the end before waiting (the workers hold copies of the pipes).
    try:
        deadline = time.monotonic() + 20  # a liveness bound, not a speed claim
        while time.monotonic() < deadline and not all(process_gone(pid) for pid in pids):
            time.sleep(0.1)
        assert all(process_gone(pid) for pid in pids), "orphaned parse workers"
        holder.communicate(timeout=20)  # every copy of its pipes is closed: EOF
    finally:
        holder.kill()
        holder.wait()


# -- through the engine ---------------------------------------------------------------------------


def test_sync_with_the_process_pool_stores_what_threads_store(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = [
        feed_server.route(f"/p{i}.xml", rss_feed(6, feed=f"f{i}"), etag=f'"p{i}"')
        for i in range(6)
    ]
    stored: dict[str, list[tuple[str, str]]] = {}
    for mode in ("thread", "process"):
        monkeypatch.setattr(engine, "PARSE_EXECUTOR", mode)
        with Store(tmp_path / f"{mode}.db") as store:
            for url in urls:
                store.add_feed(url)
            summary = sync_feeds(store, extract=False, config=SyncConfig(per_host=8))
            assert summary.new == 36 and summary.errors == 0
            articles = [store.get_article(i) for i in store.article_ids()]
            stored[mode] = sorted((a.entry_id, a.text) for a in articles if a is not None)
    assert stored["process"] == stored["thread"]


def test_second_sync_makes_text_only_for_new_and_changed_entries(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "PARSE_EXECUTOR", "thread")
    real = parse_module.default_html_to_text()
    converted: list[str] = []

    def counting(html: str, base: str | None) -> str:
        converted.append(html)
        return real(html, base)

    monkeypatch.setattr(parse_module, "default_html_to_text", lambda: counting)
    url = feed_server.route("/news.xml", rss_feed(5))
    feed_id = store.add_feed(url).id
    assert sync_feeds(store, extract=False).new == 5
    assert len(converted) == 5
    assert store.entry_hashes(feed_id).keys() == {f"feed-{i}" for i in range(5)}
    items = [rss_item(i) for i in range(5)]
    items[2] = rss_item(2, body="<p>Corrected story.</p>")
    feed_server.route("/news.xml", rss_feed([*items, rss_item(5)]))
    converted.clear()
    summary = sync_feeds(store, extract=False)
    assert (summary.new, summary.updated) == (1, 1)
    assert sorted(converted) == ["<p>Corrected story.</p>", "<p>Text of feed story 5.</p>"]
    texts = {a.entry_id: a.text for a in map(store.get_article, store.article_ids()) if a}
    assert texts["feed-2"] == "Corrected story."
    assert texts["feed-0"] == "Text of feed story 0."


def test_fork_server_setup_changes_nothing_outside_the_fork_server() -> None:
    import importlib

    from tuireader.sync import fork_server_setup

    before = signal.getsignal(signal.SIGINT)
    importlib.reload(fork_server_setup)
    assert not fork_server_setup.in_fork_server()
    assert signal.getsignal(signal.SIGINT) is before


@pytest.mark.parametrize("fast_path", [False, True], ids=["feedparser", "fast path"])
def test_second_sync_hands_the_parser_only_new_and_changed_items(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch, fast_path: bool
) -> None:
    import feedparser

    monkeypatch.setattr(engine, "PARSE_EXECUTOR", "thread")
    monkeypatch.setattr(parse_module, "FAST_PATH", fast_path)
    real_parse = feedparser.parse
    real_simple = parse_module.parse_simple_feed
    entries_seen: list[int] = []

    def counting_parse(*args: object, **kwargs: object):
        result = real_parse(*args, **kwargs)
        entries_seen.append(len(result.entries))
        return result

    def counting_simple(*args: Any, **kwargs: Any) -> Any:
        result = real_simple(*args, **kwargs)
        if result is not None:
            entries_seen.append(len(result.entries))
        return result

    monkeypatch.setattr(feedparser, "parse", counting_parse)
    monkeypatch.setattr(parse_module, "parse_simple_feed", counting_simple)
    url = feed_server.route("/raw.xml", rss_feed(6))
    feed_id = store.add_feed(url).id
    assert sync_feeds(store, extract=False).new == 6
    items = [rss_item(i) for i in range(6)]
    items[3] = rss_item(3, body="<p>Corrected story.</p>")
    feed_server.route("/raw.xml", rss_feed([rss_item(6), *items]))
    entries_seen.clear()
    summary = sync_feeds(store, extract=False)
    assert (summary.new, summary.updated) == (1, 1)
    assert entries_seen == [2]  # the five unchanged items never reached feedparser
    texts = {a.entry_id: a.text for a in map(store.get_article, store.article_ids()) if a}
    assert texts["feed-3"] == "Corrected story." and texts["feed-6"] == "Text of feed story 6."
    assert len(texts) == 7
    # Fingerprints saved for another body than the one the feed row holds are ignored.
    saved = store.get_state(f"sync.raw-items.{feed_id}")
    store.set_state(f"sync.raw-items.{feed_id}", {**saved, "body_hash": "not this body"})
    items[0] = rss_item(0, body="<p>Edited too.</p>")
    feed_server.route("/raw.xml", rss_feed([rss_item(6), *items]))
    entries_seen.clear()
    assert sync_feeds(store, extract=False).updated == 1
    assert entries_seen == [7]
