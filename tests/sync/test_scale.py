"""Many feeds at once, a sync killed with SIGKILL, and two syncs racing on one database."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.plugins.server import FeedServer, rss_feed
from tuireader.config import SyncConfig
from tuireader.store import Store
from tuireader.sync import sync_feeds

REPO_ROOT = Path(__file__).resolve().parents[2]
FEED_COUNT = 50
ITEMS_PER_FEED = 50


def serve_feeds(
    feed_server: FeedServer, count: int, items: int, **options: object
) -> list[str]:
    return [
        feed_server.route(
            f"/feed{i}.xml", rss_feed(items, feed=f"feed{i}", title=f"Feed {i}"),
            etag=f'"feed{i}-v1"', **options,
        )
        for i in range(count)
    ]


def article_counts(db_path: Path) -> tuple[int, int]:
    """(articles, distinct feed/entry pairs) read straight from the file."""
    with sqlite3.connect(db_path) as conn:
        total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        distinct = conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT feed_id, entry_id FROM articles)"
        ).fetchone()[0]
    return int(total), int(distinct)


def sync_subprocess(db_path: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tuireader", "--db", str(db_path), "sync", "--no-extract", *args],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def test_fifty_feeds_of_fifty_items(
    db_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from tuireader.cli import main

    with Store(db_path) as store:
        for url in serve_feeds(feed_server, FEED_COUNT, ITEMS_PER_FEED, gzip=True):
            store.add_feed(url)
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), "sync", "--json", "--no-extract"])
    assert exit_info.value.code == 0
    document = json.loads(capsys.readouterr().out)
    expected = FEED_COUNT * ITEMS_PER_FEED
    assert document["new"] == expected and document["errors"] == 0
    assert article_counts(db_path) == (expected, expected)
    with sqlite3.connect(db_path) as conn:
        per_feed = dict(conn.execute("SELECT feed_id, count(*) FROM articles GROUP BY feed_id"))
    assert {f["id"]: f["new"] for f in document["feeds"]} == per_feed

    with Store(db_path) as store:
        again = sync_feeds(store, extract=False)
    assert {r.status for r in again.feeds} == {"not_modified"}
    assert (again.new, again.updated, again.errors) == (0, 0, 0)
    assert article_counts(db_path) == (expected, expected)
    for i in range(FEED_COUNT):
        last = feed_server.requests_for(f"/feed{i}.xml")[-1]
        assert last.headers["if-none-match"] == f'"feed{i}-v1"'


def test_sigkill_mid_sync_leaves_a_healthy_database(
    db_path: Path, feed_server: FeedServer
) -> None:
    count = 20
    # Half the feeds answer at once, the other half drip their bodies for many seconds.
    urls = [
        feed_server.route(
            f"/k{i}.xml", rss_feed(ITEMS_PER_FEED, feed=f"k{i}"),
            **({"chunk_size": 400, "chunk_delay": 0.5} if i % 2 else {}),
        )
        for i in range(count)
    ]
    with Store(db_path) as store:
        for url in urls:
            store.add_feed(url)
    # All feeds share one host: lift the per-host limit so the fast ones finish first.
    Path(os.environ["TUIREADER_CONFIG"]).write_text("[sync]\nper_host = 20\n")
    process = sync_subprocess(db_path, "--jobs", "20")
    try:
        deadline = time.monotonic() + 30
        written = 0
        while time.monotonic() < deadline and process.poll() is None:
            written = article_counts(db_path)[0]
            if written >= ITEMS_PER_FEED * 3:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the sync finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    assert 0 < written < count * ITEMS_PER_FEED

    with Store(db_path) as store:
        assert store.integrity_check() == "ok"
        total, distinct = article_counts(db_path)
        assert total == distinct and total % ITEMS_PER_FEED == 0  # whole feeds only
        for i in range(1, count, 2):
            feed_server.route(f"/k{i}.xml", rss_feed(ITEMS_PER_FEED, feed=f"k{i}"))
        summary = sync_feeds(
            store, extract=False, config=SyncConfig(timeout=5, jobs=20, per_host=20)
        )
        assert summary.errors == 0
        assert summary.new == count * ITEMS_PER_FEED - total
    assert article_counts(db_path) == (count * ITEMS_PER_FEED, count * ITEMS_PER_FEED)


def test_two_syncs_at_once(db_path: Path, feed_server: FeedServer) -> None:
    urls = serve_feeds(feed_server, 4, 10, delay=1.0)
    with Store(db_path) as store:
        for url in urls:
            store.add_feed(url)
    first = sync_subprocess(db_path)
    try:
        deadline = time.monotonic() + 20
        while not feed_server.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        assert feed_server.requests, "the first sync never started fetching"
        second = sync_subprocess(db_path, "--json")
        second_out, second_err = second.communicate(timeout=30)
        _, first_err = first.communicate(timeout=30)
    finally:
        first.kill()
    assert second.returncode == 1 and second_out == b""
    assert second_err.decode().startswith("error: another sync is running")
    assert first.returncode == 0, first_err.decode()
    assert article_counts(db_path) == (40, 40)
    assert len(feed_server.requests) == 4  # the refused sync fetched nothing
