"""The pure decisions: backoff, skipping, conditional headers and what a response means."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tuireader.store import Feed
from tuireader.sync.decide import (
    FetchOutcome,
    backoff_delay,
    body_hash,
    conditional_headers,
    plan_after_fetch,
    should_skip,
    status_for,
    utc_iso,
)

NOW = datetime(2024, 10, 21, 12, 0, tzinfo=UTC)


def make_feed(**fields: object) -> Feed:
    values: dict[str, object] = {
        "id": 1, "url": "https://a.example/feed", "title": None, "user_title": None,
        "site_url": None, "tags": [], "language": None, "etag": None, "last_modified": None,
        "body_hash": None, "added_at": utc_iso(NOW), "last_checked": None,
        "last_new_article": None, "last_error": None, "last_warning": None, "error_count": 0,
        "next_fetch_after": None,
    }
    values.update(fields)
    return Feed(**values)  # type: ignore[arg-type]


def test_backoff_doubles_and_is_capped_at_a_day() -> None:
    assert backoff_delay(1) == timedelta(minutes=2)
    assert backoff_delay(2) == timedelta(minutes=4)
    assert backoff_delay(5) == timedelta(minutes=32)
    assert backoff_delay(11) == timedelta(days=1)
    assert backoff_delay(500) == timedelta(days=1)


def test_skip_only_while_backing_off_and_not_named_or_forced() -> None:
    later = make_feed(next_fetch_after=utc_iso(NOW + timedelta(minutes=5)))
    past = make_feed(next_fetch_after=utc_iso(NOW - timedelta(minutes=5)))
    assert should_skip(later, NOW)
    assert not should_skip(later, NOW, named=True)
    assert not should_skip(later, NOW, force=True)
    assert not should_skip(past, NOW)
    assert not should_skip(make_feed(), NOW)
    assert not should_skip(make_feed(next_fetch_after="garbage"), NOW)


def test_conditional_headers() -> None:
    feed = make_feed(etag='"v1"', last_modified="Mon, 21 Oct 2024 10:00:00 GMT")
    assert conditional_headers(feed) == {
        "If-None-Match": '"v1"', "If-Modified-Since": "Mon, 21 Oct 2024 10:00:00 GMT"
    }
    assert conditional_headers(feed, force=True) == {}
    assert conditional_headers(make_feed()) == {}


def test_error_records_backoff_and_bumps_count() -> None:
    feed = make_feed(error_count=2)
    plan = plan_after_fetch(feed, FetchOutcome(feed.url, error="HTTP 500"), NOW)
    assert plan.action == "error"
    assert plan.feed_fields == {
        "last_checked": utc_iso(NOW), "last_error": "HTTP 500", "error_count": 3,
        "next_fetch_after": utc_iso(NOW + timedelta(minutes=8)),
    }


def test_long_retry_after_wins_over_backoff() -> None:
    feed = make_feed()
    outcome = FetchOutcome(feed.url, status_code=429, error="HTTP 429", retry_after=3600)
    plan = plan_after_fetch(feed, outcome, NOW)
    assert plan.feed_fields["next_fetch_after"] == utc_iso(NOW + timedelta(hours=1))
    outcome.retry_after = 10**7  # bounded by the one-day cap
    plan = plan_after_fetch(feed, outcome, NOW)
    assert plan.feed_fields["next_fetch_after"] == utc_iso(NOW + timedelta(days=1))


def test_304_is_not_modified_and_clears_errors() -> None:
    feed = make_feed(etag='"v1"', error_count=3, last_error="x")
    plan = plan_after_fetch(feed, FetchOutcome(feed.url, status_code=304), NOW)
    assert plan.action == "not_modified"
    assert plan.feed_fields["error_count"] == 0
    assert plan.feed_fields["last_error"] is None
    assert plan.feed_fields["next_fetch_after"] is None
    assert "body_hash" not in plan.feed_fields


def test_same_body_hash_skips_parsing_unless_forced() -> None:
    body = b"<rss/>"
    feed = make_feed(body_hash=body_hash(body))
    outcome = FetchOutcome(feed.url, status_code=200, body=body, headers={"etag": '"v2"'})
    plan = plan_after_fetch(feed, outcome, NOW)
    assert plan.action == "not_modified"
    assert plan.feed_fields["etag"] == '"v2"'
    assert plan_after_fetch(feed, outcome, NOW, force=True).action == "parse"


def test_new_body_is_parsed_and_records_validators() -> None:
    feed = make_feed(body_hash=body_hash(b"old"))
    outcome = FetchOutcome(
        feed.url, status_code=200, body=b"new",
        headers={"etag": '"v3"', "last-modified": "Tue, 22 Oct 2024 10:00:00 GMT"},
        permanent_url="https://b.example/feed",
    )
    plan = plan_after_fetch(feed, outcome, NOW)
    assert plan.action == "parse"
    assert plan.feed_fields["body_hash"] == body_hash(b"new")
    assert plan.feed_fields["etag"] == '"v3"'
    assert plan.feed_fields["last_modified"] == "Tue, 22 Oct 2024 10:00:00 GMT"
    assert plan.new_url == "https://b.example/feed"


def test_status_for() -> None:
    assert status_for(1, 5, None) == "new"
    assert status_for(0, 5, None) == "updated"
    assert status_for(0, 0, None) == "not_modified"
    assert status_for(3, 0, "boom") == "error"


def test_retry_after_header_forms() -> None:
    from tuireader.sync.fetch import parse_retry_after

    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Mon, 21 Oct 2024 12:10:00 GMT", NOW) == 600.0
    assert parse_retry_after("Mon, 21 Oct 2024 11:00:00 GMT", NOW) == 0.0  # in the past
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
