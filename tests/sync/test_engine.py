"""sync_feeds against the real loopback HTTP server and a real SQLite cache."""

from __future__ import annotations

import contextlib
import gzip
import sys
import threading
import time
import types
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.plugins.server import FeedServer, Route, http_date, rss_feed, rss_item
from tuireader.config import SyncConfig
from tuireader.store import EntryData, FeedNotFoundError, Store
from tuireader.sync import FeedResult, ParsedFeed, SyncBusyError, SyncSummary, sync_feeds
from tuireader.sync import fetch as fetch_module
from tuireader.sync import write as write_module
from tuireader.sync.decide import parse_iso
from tuireader.sync.engine import default_parser, sync_lock
from tuireader.sync.normalise import FeedMeta, content_hash

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one retry waits 1 s in real life; 50 ms keeps the tests fast."""
    monkeypatch.setattr(fetch_module, "RETRY_DELAY_SECONDS", 0.05)


def config(**overrides: object) -> SyncConfig:
    values: dict[str, object] = {"timeout": 3.0, "total_timeout": 15.0}
    values.update(overrides)
    return SyncConfig(**values)  # type: ignore[arg-type]


def run(store: Store, feeds: Sequence[int | str] | None = None, **kw: object) -> SyncSummary:
    kw.setdefault("config", config())
    kw.setdefault("extract", False)
    return sync_feeds(store, feeds, **kw)  # type: ignore[arg-type]


def only(summary: SyncSummary) -> FeedResult:
    (result,) = summary.feeds
    return result


class CountingParser:
    """The real parser, counting how often it runs (to prove a 304 costs no parsing)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, body: bytes, url: str, headers: dict[str, str], max_items: int):
        self.calls += 1
        return default_parser(body, url, headers, max_items)


# -- success, validators, unchanged bodies -------------------------------------------------------


def test_new_feed_is_stored_with_its_fields(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.route(
        "/news.xml", rss_feed(3, title="Loopback <b>News</b>", language="de"),
        headers={"Content-Location": "/canonical/news.xml"},
    )
    feed = store.add_feed(url)
    summary = run(store)
    result = only(summary)
    assert (result.status, result.new, result.error) == ("new", 3, None)
    assert summary.to_json() == {
        "feeds": [{"id": feed.id, "url": url, "status": "new", "new": 3, "updated": 0,
                   "error": None}],
        "new": 3, "updated": 0, "errors": 0,
    }
    assert len(result.new_ids) == 3
    stored = store.get_feed(feed.id)
    assert stored.title == "Loopback News"  # markup in a title is stripped
    assert stored.language == "de"
    assert stored.site_url == "https://example.org/"
    assert stored.last_checked is not None and stored.body_hash
    assert stored.error_count == 0 and stored.last_error is None
    article = store.get_article(result.new_ids[0])
    assert article is not None and article.title.startswith("feed story")
    assert article.text.startswith("Text of feed story")
    (request,) = feed_server.requests_for("/news.xml")
    assert request.headers["user-agent"].startswith("tuireader/")
    assert "gzip" in request.headers["accept-encoding"]


def test_conditional_get_304_costs_no_parsing(store: Store, feed_server: FeedServer) -> None:
    modified = http_date(datetime(2024, 10, 21, tzinfo=UTC))
    url = feed_server.route("/cond.xml", rss_feed(5), etag='"v1"', last_modified=modified)
    feed = store.add_feed(url)
    parser = CountingParser()
    assert only(run(store, parser=parser)).new == 5
    stored = store.get_feed(feed.id)
    assert (stored.etag, stored.last_modified) == ('"v1"', modified)
    second = only(run(store, parser=parser))
    assert (second.status, second.new, second.updated) == ("not_modified", 0, 0)
    assert parser.calls == 1
    last = feed_server.requests_for("/cond.xml")[-1]
    assert last.headers["if-none-match"] == '"v1"'
    assert last.headers["if-modified-since"] == modified
    assert store.count_articles() == 5
    # --force ignores the validators and re-reads the body (nothing changed, nothing written).
    forced = only(run(store, parser=parser, force=True))
    assert forced.status == "not_modified" and parser.calls == 2
    assert "if-none-match" not in feed_server.requests_for("/cond.xml")[-1].headers


def test_unchanged_body_is_not_parsed_again(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.route("/same.xml", rss_feed(4))  # no validators at all
    store.add_feed(url)
    parser = CountingParser()
    run(store, parser=parser)
    assert only(run(store, parser=parser)).status == "not_modified"
    assert parser.calls == 1
    feed_server.route("/same.xml", rss_feed(6))
    result = only(run(store, parser=parser))
    assert (result.status, result.new) == ("new", 2)
    assert parser.calls == 2


def test_changed_entries_are_updated_in_place(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.route("/upd.xml", rss_feed([rss_item(1), rss_item(2)]))
    feed = store.add_feed(url)
    first = only(run(store))
    store.set_read(first.new_ids)
    feed_server.route(
        "/upd.xml", rss_feed([rss_item(1, body="<p>Corrected text</p>"), rss_item(2), rss_item(3)])
    )
    result = only(run(store))
    assert (result.status, result.new, result.updated) == ("new", 1, 1)
    article = store.get_article(result.updated_ids[0])
    assert article is not None and article.text == "Corrected text"
    assert article.read  # flags survive an update
    assert store.count_articles() == 3
    assert store.get_feed(feed.id).last_new_article is not None


def test_gzip_body(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.route("/gz.xml", rss_feed(7), gzip=True)
    store.add_feed(url)
    assert only(run(store)).new == 7


def test_relative_links_resolve_against_the_feed(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.route("/dir/rel.xml", rss_feed([rss_item(1, link="../articles/1")]))
    store.add_feed(url)
    result = only(run(store))
    article = store.get_article(result.new_ids[0])
    assert article is not None and article.url == feed_server.url("/articles/1")


# -- redirects ---------------------------------------------------------------------------------


def test_permanent_redirect_updates_the_feed_url(store: Store, feed_server: FeedServer) -> None:
    new_url = feed_server.route("/new.xml", rss_feed(2))
    old_url = feed_server.route("/old.xml", redirect_to=new_url, status=301)
    feed = store.add_feed(old_url)
    result = only(run(store))
    assert (result.status, result.url) == ("new", new_url)
    assert store.get_feed(feed.id).url == new_url
    run(store)
    assert len(feed_server.requests_for("/old.xml")) == 1  # the second sync went straight there


def test_308_redirect_also_updates(store: Store, feed_server: FeedServer) -> None:
    new_url = feed_server.route("/new308.xml", rss_feed(1))
    feed = store.add_feed(feed_server.route("/old308.xml", redirect_to=new_url, status=308))
    run(store)
    assert store.get_feed(feed.id).url == new_url


def test_permanent_redirect_to_a_subscribed_url_keeps_the_old_one(
    store: Store, feed_server: FeedServer
) -> None:
    target = feed_server.route("/target.xml", rss_feed(2))
    old_url = feed_server.route("/moved.xml", redirect_to=target, status=301)
    other = store.add_feed(target)
    feed = store.add_feed(old_url)
    summary = run(store, [feed.id])
    result = only(summary)
    assert result.status == "new" and result.url == old_url
    stored = store.get_feed(feed.id)
    assert stored.url == old_url
    assert stored.last_warning is not None and f"feed #{other.id}" in stored.last_warning


def test_temporary_redirect_keeps_the_url(store: Store, feed_server: FeedServer) -> None:
    target = feed_server.route("/tmp-target.xml", rss_feed(1))
    feed = store.add_feed(feed_server.route("/tmp.xml", redirect_to=target, status=302))
    assert only(run(store)).new == 1
    assert store.get_feed(feed.id).url.endswith("/tmp.xml")


# -- failures, retries, backoff ------------------------------------------------------------------


def test_404_records_error_and_backs_off(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.url("/missing.xml")
    feed = store.add_feed(url)
    before = datetime.now(UTC)
    result = only(run(store))
    assert (result.status, result.error) == ("error", "HTTP 404 Not Found")
    stored = store.get_feed(feed.id)
    assert stored.error_count == 1 and stored.last_error == "HTTP 404 Not Found"
    assert stored.last_checked is not None
    next_fetch = parse_iso(stored.next_fetch_after)
    assert next_fetch is not None
    assert timedelta(minutes=1) < next_fetch - before <= timedelta(minutes=2, seconds=5)
    assert len(feed_server.requests_for("/missing.xml")) == 1  # a 404 is not retried

    # Backing off: skipped by a plain sync, fetched when named or forced.
    assert only(run(store)).status == "skipped"
    assert len(feed_server.requests_for("/missing.xml")) == 1
    assert only(run(store, [url])).status == "error"
    assert store.get_feed(feed.id).error_count == 2
    assert only(run(store, force=True)).status == "error"
    third = store.get_feed(feed.id)
    assert third.error_count == 3
    delay = parse_iso(third.next_fetch_after) - parse_iso(third.last_checked)  # type: ignore[operator]
    assert delay == timedelta(minutes=8)

    # Success resets the error state.
    feed_server.route("/missing.xml", rss_feed(1))
    assert only(run(store, force=True)).status == "new"
    healed = store.get_feed(feed.id)
    assert (healed.error_count, healed.last_error, healed.next_fetch_after) == (0, None, None)


def test_500_is_retried_once(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.sequence("/flaky.xml", [Route(status=500), Route(body=rss_feed(2))])
    store.add_feed(url)
    assert only(run(store)).new == 2
    assert len(feed_server.requests_for("/flaky.xml")) == 2


def test_persistent_500_fails_after_one_retry(store: Store, feed_server: FeedServer) -> None:
    store.add_feed(feed_server.route("/down.xml", b"oops", status=500))
    result = only(run(store))
    assert result.status == "error" and result.error == "HTTP 500 Internal Server Error"
    assert len(feed_server.requests_for("/down.xml")) == 2


def test_short_retry_after_is_waited_out(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.sequence(
        "/busy.xml", [Route(status=429, retry_after="1"), Route(body=rss_feed(1))]
    )
    store.add_feed(url)
    started = time.monotonic()
    assert only(run(store)).new == 1
    assert time.monotonic() - started >= 0.9
    first, second = feed_server.requests_for("/busy.xml")
    assert second.time - first.time >= 0.9


def test_long_retry_after_becomes_next_fetch_after(store: Store, feed_server: FeedServer) -> None:
    feed = store.add_feed(feed_server.route("/limit.xml", status=503, retry_after="3600"))
    started = time.monotonic()
    result = only(run(store))
    assert time.monotonic() - started < 3
    assert result.status == "error" and "retry after 3600 s" in (result.error or "")
    assert len(feed_server.requests_for("/limit.xml")) == 1
    stored = store.get_feed(feed.id)
    delay = parse_iso(stored.next_fetch_after) - parse_iso(stored.last_checked)  # type: ignore[operator]
    assert delay == timedelta(hours=1)


def test_read_timeout_on_a_stalled_body(store: Store, feed_server: FeedServer) -> None:
    store.add_feed(feed_server.route("/stall.xml", rss_feed(50), chunk_size=100, chunk_delay=2))
    result = only(run(store, config=config(timeout=0.3)))
    assert result.status == "error" and result.error == "timed out waiting for data"
    assert len(feed_server.requests_for("/stall.xml")) == 2  # one retry for timeouts


def test_total_time_bound_per_feed(store: Store, feed_server: FeedServer) -> None:
    # Each chunk arrives within the read timeout, but the whole body would take 40 s.
    store.add_feed(feed_server.route("/drip.xml", rss_feed(50), chunk_size=100, chunk_delay=0.2))
    started = time.monotonic()
    result = only(run(store, config=config(timeout=2, total_timeout=1.0)))
    assert time.monotonic() - started < 5
    assert result.status == "error"
    assert result.error == "timed out: no complete response within 1 s"


def test_oversize_body_is_aborted_while_streaming(store: Store, feed_server: FeedServer) -> None:
    store.add_feed(feed_server.route("/endless.xml", endless=True, send_length=False))
    started = time.monotonic()
    result = only(run(store, config=config(max_bytes=300_000)))
    assert time.monotonic() - started < 5
    assert result.status == "error"
    assert result.error == "response larger than 300,000 bytes; download aborted"


def test_oversize_declared_length_and_gzip_bomb(store: Store, feed_server: FeedServer) -> None:
    big = store.add_feed(feed_server.route("/big.xml", b"x" * 200_000))
    bomb_body = rss_feed([rss_item(1, body="0" * 5_000_000)])
    bomb = store.add_feed(feed_server.route("/bomb.xml", bomb_body, gzip=True))
    assert len(gzip.compress(bomb_body)) < 100_000
    summary = run(store, config=config(max_bytes=100_000))
    errors = {r.feed_id: r.error for r in summary.feeds}
    assert errors[big.id] == errors[bomb.id] == (
        "response larger than 100,000 bytes; download aborted"
    )


def test_default_limit_is_ten_megabytes(store: Store, feed_server: FeedServer) -> None:
    store.add_feed(feed_server.route("/huge.xml", endless=True, send_length=False))
    result = only(run(store))
    assert result.error == "response larger than 10,000,000 bytes; download aborted"


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"", "application/rss+xml", "not a feed: the response was empty"),
        ((FEEDS / "html_page.html").read_bytes(), "text/html", "not a feed: got an HTML page"),
        ((FEEDS / "entity_bomb.xml").read_bytes(), "application/xml", "refused: "),
    ],
)
def test_bodies_that_are_not_feeds_are_errors(
    store: Store, feed_server: FeedServer, body: bytes, content_type: str, message: str
) -> None:
    feed = store.add_feed(feed_server.route("/notfeed", body, content_type=content_type))
    result = only(run(store))
    assert result.status == "error" and (result.error or "").startswith(message)
    stored = store.get_feed(feed.id)
    assert stored.error_count == 1 and stored.body_hash is None
    assert store.count_articles() == 0


def test_bozo_feed_is_stored_with_a_warning(store: Store, feed_server: FeedServer) -> None:
    body = (FEEDS / "bozo_with_entries.xml").read_bytes()
    feed = store.add_feed(feed_server.route("/bozo.xml", body))
    result = only(run(store))
    assert result.status == "new" and result.new == 2
    assert result.warning and result.warning.startswith("feed has errors but was read")
    assert store.get_feed(feed.id).last_warning == result.warning


def test_a_failing_feed_never_blocks_the_others(store: Store, feed_server: FeedServer) -> None:
    good = [store.add_feed(feed_server.route(f"/ok{i}.xml", rss_feed(3, feed=f"ok{i}")))
            for i in range(4)]
    bad = [
        store.add_feed(feed_server.url("/gone.xml")),
        store.add_feed(feed_server.route("/html", b"<html><body>x</body></html>",
                                         content_type="text/html")),
        store.add_feed(feed_server.route("/stuck.xml", rss_feed(3), delay=20)),
        store.add_feed("http://127.0.0.1:9/refused.xml"),
        store.add_feed("ftp://example.org/feed.xml"),
        store.add_feed("http://exa mple.org/feed.xml"),
    ]
    started = time.monotonic()
    summary = run(store, config=config(timeout=1.0, total_timeout=3))
    assert time.monotonic() - started < 10  # the stuck feed is cut off by its time limits
    by_id = {r.feed_id: r for r in summary.feeds}
    assert all(by_id[f.id].status == "new" and by_id[f.id].new == 3 for f in good)
    assert all(by_id[f.id].status == "error" for f in bad)
    assert summary.errors == len(bad) and summary.new == 12
    for feed in bad:
        error = store.get_feed(feed.id).last_error
        assert error and "\n" not in error and "Traceback" not in error
    assert store.count_articles() == 12


def test_concurrency_limits_global_and_per_host(store: Store, feed_server: FeedServer) -> None:
    for i in range(8):
        store.add_feed(feed_server.route(f"/a{i}.xml", rss_feed(1, feed=f"a{i}"), delay=0.3))
        store.add_feed(feed_server.url(f"/a{i}.xml", host="localhost"))
    summary = run(store, config=config(jobs=3, per_host=2))
    assert summary.errors == 0 and len(summary.feeds) == 16
    assert feed_server.max_in_flight == 3
    assert max(feed_server.max_in_flight_by_host.values()) == 2
    assert set(feed_server.max_in_flight_by_host) == {"127.0.0.1", "localhost"}


# -- local files -------------------------------------------------------------------------------


def test_file_urls_and_plain_paths(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "local feed.xml"
    path.write_bytes((FEEDS / "rss20.xml").read_bytes())
    as_url = store.add_feed(path.as_uri())
    as_path = store.add_feed(str(FEEDS / "atom10.xml"))
    missing = store.add_feed(str(tmp_path / "nope.xml"))
    summary = run(store)
    by_id = {r.feed_id: r for r in summary.feeds}
    assert by_id[as_url.id].new == 3 and by_id[as_path.id].new == 2
    assert by_id[missing.id].error == f"file not found: {tmp_path / 'nope.xml'}"
    assert store.get_feed(as_url.id).last_warning is None
    again = run(store, [as_url.id, as_path.id])
    assert [r.status for r in again.feeds] == ["not_modified", "not_modified"]
    too_big = run(store, [as_url.id], config=config(max_bytes=100), force=True)
    assert only(too_big).error == f"file larger than 100 bytes: {path}"


def test_max_items_bounds_what_is_stored(store: Store, feed_server: FeedServer) -> None:
    feed = store.add_feed(feed_server.route("/many.xml", rss_feed(40)))
    result = only(run(store, config=config(max_items=15)))
    assert result.new == 15
    assert "first 15 of 40" in (store.get_feed(feed.id).last_warning or "")


# -- the API contract ------------------------------------------------------------------------


def test_progress_is_called_per_feed_on_the_calling_thread(
    store: Store, feed_server: FeedServer
) -> None:
    for i in range(5):
        store.add_feed(feed_server.route(f"/p{i}.xml", rss_feed(1, feed=f"p{i}")))
    seen: list[tuple[int, str]] = []
    caller = threading.get_ident()
    threads: set[int] = set()

    def progress(result: FeedResult) -> None:
        seen.append((result.feed_id, result.status))
        threads.add(threading.get_ident())

    summary = run(store, progress=progress)
    assert sorted(seen) == sorted((r.feed_id, r.status) for r in summary.feeds)
    assert len(seen) == 5 and threads == {caller}


def test_store_opened_on_another_thread(store: Store, feed_server: FeedServer) -> None:
    store.add_feed(feed_server.route("/t.xml", rss_feed(2)))
    results: list[SyncSummary] = []
    worker = threading.Thread(target=lambda: results.append(run(store)))
    worker.start()
    worker.join(timeout=30)
    assert results and results[0].new == 2


def test_named_feeds_by_id_or_url_and_unknown_ones(store: Store, feed_server: FeedServer) -> None:
    one = store.add_feed(feed_server.route("/n1.xml", rss_feed(1, feed="n1")))
    two = store.add_feed(feed_server.route("/n2.xml", rss_feed(1, feed="n2")))
    summary = run(store, [two.url, str(two.id)])
    assert [r.feed_id for r in summary.feeds] == [two.id]
    assert not feed_server.requests_for("/n1.xml")
    with pytest.raises(FeedNotFoundError):
        run(store, [one.id, 999])


def test_no_feeds_is_an_empty_summary(store: Store) -> None:
    assert run(store).to_json() == {"feeds": [], "new": 0, "updated": 0, "errors": 0}


def test_a_second_sync_on_the_same_database_is_refused(
    store: Store, feed_server: FeedServer
) -> None:
    store.add_feed(feed_server.route("/l.xml", rss_feed(1)))
    with sync_lock(store.path), pytest.raises(SyncBusyError, match="another sync is running"):
        run(store)
    assert store.count_articles() == 0
    assert run(store).new == 1  # the lock is released with its holder


class FakeParser:
    """Hands out prepared entries, to test update decisions without XML."""

    def __init__(self) -> None:
        self.entries: list[EntryData] = []

    def __call__(self, body: bytes, url: str, headers: dict[str, str], max_items: int):
        return ParsedFeed(kind="fake", meta=FeedMeta(title="Fake"), entries=list(self.entries))


def entry(entry_id: str, text: str) -> EntryData:
    data = EntryData(entry_id=entry_id, title=entry_id.upper(), content_html=f"<p>{text}</p>",
                     text=text)
    data.content_hash = content_hash(data)
    return data


def test_update_decisions_with_a_fake_parser(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.route("/fake", b"body-1")
    feed = store.add_feed(url)
    parser = FakeParser()
    parser.entries = [entry("a", "one"), entry("b", "two"), entry("a", "duplicate id")]
    first = only(run(store, parser=parser))
    assert (first.new, first.updated) == (2, 0)
    feed_server.route("/fake", b"body-2")  # a new body, so it is parsed again
    parser.entries = [entry("a", "one"), entry("b", "two, corrected"), entry("c", "three")]
    second = only(run(store, parser=parser))
    assert (second.status, second.new, second.updated) == ("new", 1, 1)
    feed_server.route("/fake", b"body-3")
    parser.entries = [entry("a", "one")]  # entries that left the feed stay in the cache
    third = only(run(store, parser=parser))
    assert (third.status, third.new, third.updated) == ("not_modified", 0, 0)
    assert store.count_articles() == 3
    assert store.get_feed(feed.id).title == "Fake"


def test_a_parser_crash_is_one_feed_error(store: Store, feed_server: FeedServer) -> None:
    store.add_feed(feed_server.route("/crash", b"body"))

    def broken(body: bytes, url: str, headers: dict[str, str], max_items: int) -> ParsedFeed:
        raise RuntimeError("boom\nwith a second line")

    result = only(run(store, parser=broken))
    assert result.status == "error"
    assert result.error == "cannot parse feed (RuntimeError: boom with a second line)"


# -- extraction hook ------------------------------------------------------------------------


@pytest.fixture
def recording_extractor(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[int]]]:
    """Replace tuireader.text.extract with a module that records the ids it is given."""
    calls: list[list[int]] = []
    module = types.ModuleType("tuireader.text.extract")

    def extract_and_store(store: Store, article_ids: Sequence[int], progress=None) -> int:
        calls.append(list(article_ids))
        if progress is not None:
            progress(len(article_ids), len(article_ids))
        return len(article_ids)

    module.extract_and_store = extract_and_store  # type: ignore[attr-defined]
    module.EXTRACTION_VERSION = 1  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tuireader.text.extract", module)
    yield calls


def test_extraction_gets_new_and_updated_ids(
    store: Store, feed_server: FeedServer, recording_extractor: list[list[int]]
) -> None:
    store.add_feed(feed_server.route("/x.xml", rss_feed([rss_item(1), rss_item(2)])))
    first = run(store, extract=True)
    assert recording_extractor == [only(first).new_ids] and first.extracted == 2
    feed_server.route("/x.xml", rss_feed([rss_item(1, body="<p>new</p>"), rss_item(2),
                                          rss_item(3)]))
    second = only(run(store, extract=True))
    assert sorted(recording_extractor[1]) == sorted(second.new_ids + second.updated_ids)
    run(store, extract=True)  # nothing new: the extractor is not called
    run(store, extract=False, force=True)
    assert len(recording_extractor) == 2


def test_a_failing_extractor_keeps_the_articles(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = types.ModuleType("tuireader.text.extract")

    def extract_and_store(store: Store, article_ids: Sequence[int], progress=None) -> int:
        raise MemoryError("model too big")

    module.extract_and_store = extract_and_store  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tuireader.text.extract", module)
    store.add_feed(feed_server.route("/y.xml", rss_feed(2)))
    summary = run(store, extract=True)
    assert summary.new == 2 and store.count_articles() == 2
    assert summary.extraction_error is not None
    assert "MemoryError: model too big" in summary.extraction_error


def test_an_exception_in_the_caller_stops_the_sync_promptly(
    store: Store, feed_server: FeedServer
) -> None:
    store.add_feed(feed_server.route("/fast.xml", rss_feed(2)))
    for i in range(4):
        store.add_feed(feed_server.route(f"/slow{i}.xml", rss_feed(2, feed=f"s{i}"), delay=20))

    def progress(result: FeedResult) -> None:
        raise KeyboardInterrupt  # what Ctrl-C in the calling thread looks like

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run(store, progress=progress, config=config(per_host=8))
    assert time.monotonic() - started < 5
    assert store.integrity_check() == "ok"
    assert store.count_articles() == 2  # the finished feed was written before the interrupt
    assert not [t for t in threading.enumerate() if t.name == "tuireader-sync"]


def test_redirect_target_subscribed_during_the_sync_keeps_the_old_url(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: the target is subscribed after the check, so the write itself must cope."""

    target = feed_server.route("/race-target.xml", rss_feed(2))
    old_url = feed_server.route("/race.xml", redirect_to=target, status=301)
    feed = store.add_feed(old_url)
    store.add_feed(target)
    monkeypatch.setattr(write_module, "_moved_url", lambda store, feed, new_url: None)
    result = only(run(store, [feed.id]))
    assert (result.status, result.new, result.url) == ("new", 2, old_url)
    assert store.get_feed(feed.id).url == old_url


def test_connect_timeout(store: Store) -> None:
    """A listener whose accept queue is full never completes the handshake."""
    import socket

    listener = socket.socket()
    fillers: list[socket.socket] = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        time.sleep(0.1)
        store.add_feed(f"http://127.0.0.1:{port}/feed.xml")
        started = time.monotonic()
        result = only(run(store, config=config(timeout=0.4)))
        assert result.error == "timed out connecting"
        assert time.monotonic() - started < 4
    finally:
        for sock in [*fillers, listener]:
            sock.close()
