"""Oversized, endless, slow and compressed-bomb responses over a real loopback server.

Each is bounded in memory and time, recorded as that feed's error, and the other feeds in the
same sync still land.
"""

from __future__ import annotations

import gzip
import resource
import time

import pytest

from tests.plugins.server import FeedServer, rss_feed, rss_item
from tuireader.config import SyncConfig
from tuireader.store import Store
from tuireader.sync import sync_feeds

GOOD_FEED = rss_feed([rss_item(i) for i in range(3)])


def add_with_good_neighbour(store: Store, feed_server: FeedServer, url: str) -> tuple[int, int]:
    hostile = store.add_feed(url).id
    good = store.add_feed(feed_server.route("/good.xml", GOOD_FEED)).id
    return hostile, good


def assert_error_and_neighbour_ok(store: Store, hostile: int, good: int, words: str) -> None:
    feed = store.get_feed(hostile)
    assert feed.last_error is not None, "the hostile feed must record an error"
    assert any(word in feed.last_error.lower() for word in words.split("|")), feed.last_error
    assert "\n" not in feed.last_error and "Traceback" not in feed.last_error
    assert store.count_articles() == 3
    assert {a.feed_id for a in store.page_articles()} == {good}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_fifty_megabyte_feed_is_cut_at_the_size_limit(store: Store,
                                                      feed_server: FeedServer) -> None:
    item = b"<item><title>Padding</title><description>" + b"x" * 1000 + b"</description></item>"
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>' + item * (
        50_000_000 // len(item)
    ) + b"</channel></rss>"
    assert len(body) >= 49_000_000
    hostile, good = add_with_good_neighbour(store, feed_server, feed_server.route("/big", body))
    before = peak_rss_mb()
    started = time.perf_counter()
    summary = sync_feeds(store, extract=False, config=SyncConfig(max_bytes=5_000_000))
    assert time.perf_counter() - started < 20
    assert summary.errors == 1
    assert_error_and_neighbour_ok(store, hostile, good, "too large|limit|bytes")
    assert peak_rss_mb() - before < 200, "the body must not be read into memory whole"


def test_gzip_bomb_is_bounded_by_decompressed_size(store: Store,
                                                   feed_server: FeedServer) -> None:
    inflated = b'<?xml version="1.0"?><rss version="2.0"><channel>' + b" " * 80_000_000
    compressed = gzip.compress(inflated, compresslevel=9)
    assert len(compressed) < 1_000_000
    url = feed_server.route(
        "/bomb", compressed, headers={"Content-Encoding": "gzip"}, content_type="application/xml"
    )
    hostile, good = add_with_good_neighbour(store, feed_server, url)
    summary = sync_feeds(store, extract=False, config=SyncConfig(max_bytes=2_000_000))
    assert summary.errors == 1
    assert_error_and_neighbour_ok(store, hostile, good, "too large|limit|bytes")


def test_never_ending_response_is_cut(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.route("/endless", b"<item><title>again</title></item>\n", endless=True)
    hostile, good = add_with_good_neighbour(store, feed_server, url)
    started = time.perf_counter()
    sync_feeds(store, extract=False, config=SyncConfig(max_bytes=3_000_000, total_timeout=10))
    assert time.perf_counter() - started < 15
    assert_error_and_neighbour_ok(store, hostile, good, "too large|limit|bytes|time")


def test_one_byte_a_second_is_cut_by_the_total_timeout(store: Store,
                                                       feed_server: FeedServer) -> None:
    url = feed_server.route("/slow", GOOD_FEED, chunk_size=1, chunk_delay=1.0)
    hostile, good = add_with_good_neighbour(store, feed_server, url)
    started = time.perf_counter()
    sync_feeds(store, extract=False, config=SyncConfig(timeout=5, total_timeout=2))
    assert time.perf_counter() - started < 10
    assert_error_and_neighbour_ok(store, hostile, good, "time")


def test_silent_server_is_cut_by_the_read_timeout(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.route("/silent", GOOD_FEED, delay=20)
    hostile, good = add_with_good_neighbour(store, feed_server, url)
    started = time.perf_counter()
    sync_feeds(store, extract=False, config=SyncConfig(timeout=1, total_timeout=3))
    assert time.perf_counter() - started < 12
    assert_error_and_neighbour_ok(store, hostile, good, "time")


def test_one_megabyte_single_line_body_is_stored_bounded(store: Store,
                                                         feed_server: FeedServer) -> None:
    words = ("Pjöngjang Moskau Seoul 1.500 Soldaten " * 30_000)[:1_000_000]
    body = rss_feed([f"<item><title>Long</title><guid>long</guid>"
                     f"<description>{words}</description></item>"])
    assert "\n" not in words
    feed_id = store.add_feed(feed_server.route("/line", body)).id
    started = time.perf_counter()
    summary = sync_feeds(store, extract=False)
    assert time.perf_counter() - started < 20
    assert summary.errors == 0
    article = store.get_article(store.page_articles()[0].id)
    assert article is not None and article.feed_id == feed_id
    assert 0 < len(article.text) <= 1_100_000


@pytest.mark.slow
def test_hundred_thousand_items_are_capped(store: Store, feed_server: FeedServer) -> None:
    items = "".join(
        f"<item><title>Item {i}</title><guid>g{i}</guid></item>" for i in range(100_000)
    )
    body = rss_feed([items], title="Many")
    hostile = store.add_feed(feed_server.route("/many", body)).id
    started = time.perf_counter()
    summary = sync_feeds(store, extract=False, config=SyncConfig(max_items=500))
    elapsed = time.perf_counter() - started
    assert summary.errors == 0
    assert store.count_articles() == 500
    feed = store.get_feed(hostile)
    assert feed.last_warning and "500" in feed.last_warning
    assert elapsed < 30, f"100,000 items took {elapsed:.1f} s to cap"
