"""Pure decisions of a sync: whether to fetch a feed, what a response means, what to record.

Nothing here does I/O: every function takes the stored feed state and what the network gave,
and returns what to do and which feed columns to write. The engine carries it out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tuireader.store.models import Feed

BACKOFF_BASE_MINUTES = 2
BACKOFF_CAP = timedelta(days=1)


@dataclass(slots=True)
class FetchOutcome:
    """What fetching one feed URL gave: a body, a 304, or a one-line error."""

    url: str
    status_code: int | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    final_url: str | None = None
    permanent_url: str | None = None
    error: str | None = None
    retry_after: float | None = None
    transient: bool = False

    @property
    def not_modified(self) -> bool:
        """The server answered 304 Not Modified."""
        return self.error is None and self.status_code == 304


@dataclass(slots=True)
class FetchPlan:
    """What to do with a fetch outcome, and the feed columns to write with it."""

    action: str  # "parse" | "not_modified" | "error"
    feed_fields: dict[str, Any]
    error: str | None = None
    warning: str | None = None
    new_url: str | None = None


def utc_iso(moment: datetime) -> str:
    """``moment`` as the store's UTC ISO 8601 format (seconds precision)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def parse_iso(value: str | None) -> datetime | None:
    """A stored ISO 8601 timestamp as an aware datetime (None for missing or broken)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def backoff_delay(error_count: int) -> timedelta:
    """How long to leave a feed alone after its ``error_count``-th failure in a row.

    2, 4, 8, ... minutes, capped at one day.
    """
    exponent = min(max(error_count, 1), 20)
    return min(timedelta(minutes=BACKOFF_BASE_MINUTES ** exponent), BACKOFF_CAP)


def should_skip(feed: Feed, now: datetime, *, named: bool = False, force: bool = False) -> bool:
    """True when the feed is backing off (``next_fetch_after`` in the future) and not forced.

    Naming a feed explicitly, or ``force``, always fetches it.
    """
    if named or force:
        return False
    not_before = parse_iso(feed.next_fetch_after)
    return not_before is not None and not_before > now


def conditional_headers(feed: Feed, *, force: bool = False) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` from the stored validators (none when forced)."""
    if force:
        return {}
    headers: dict[str, str] = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    return headers


def body_hash(body: bytes) -> str:
    """The fingerprint of a downloaded body, stored to skip parsing an unchanged one."""
    return hashlib.sha256(body).hexdigest()


def failure_fields(
    feed: Feed, now: datetime, error: str, *, retry_after: float | None = None
) -> dict[str, Any]:
    """Feed columns after a failed attempt: error recorded, count bumped, backoff scheduled.

    A server's ``Retry-After`` longer than the backoff wins (bounded by one day).
    """
    error_count = feed.error_count + 1
    delay = backoff_delay(error_count)
    if retry_after is not None:
        delay = max(delay, min(timedelta(seconds=retry_after), BACKOFF_CAP))
    return {
        "last_checked": utc_iso(now),
        "last_error": error,
        "error_count": error_count,
        "next_fetch_after": utc_iso(now + delay),
    }


def success_fields(now: datetime) -> dict[str, Any]:
    """Feed columns after a successful attempt: errors and backoff cleared."""
    return {
        "last_checked": utc_iso(now),
        "last_error": None,
        "error_count": 0,
        "next_fetch_after": None,
    }


def plan_after_fetch(
    feed: Feed, outcome: FetchOutcome, now: datetime, *, force: bool = False
) -> FetchPlan:
    """Decide what a fetch outcome means for ``feed``.

    - an error: record it with backoff;
    - 304, or a body whose hash equals the stored one (unless ``force``): nothing to parse,
      the fetch state is refreshed;
    - otherwise: parse; the validators and body hash are written only together with the
      parsed entries (so a body that fails to parse is parsed again next time).
    """
    if outcome.error is not None:
        return FetchPlan(
            "error",
            failure_fields(feed, now, outcome.error, retry_after=outcome.retry_after),
            error=outcome.error,
        )
    fields = success_fields(now)
    new_url = outcome.permanent_url if outcome.permanent_url not in (None, feed.url) else None
    validators = {
        "etag": outcome.headers.get("etag") or None,
        "last_modified": outcome.headers.get("last-modified") or None,
    }
    if outcome.not_modified:
        fields.update({k: v for k, v in validators.items() if v})
        return FetchPlan("not_modified", fields, new_url=new_url)
    digest = body_hash(outcome.body or b"")
    if not force and feed.body_hash and digest == feed.body_hash:
        fields.update(validators)
        return FetchPlan("not_modified", fields, new_url=new_url)
    fields.update(validators)
    fields["body_hash"] = digest
    return FetchPlan("parse", fields, new_url=new_url)


def status_for(new: int, updated: int, error: str | None) -> str:
    """A feed's result status from what was written."""
    if error is not None:
        return "error"
    if new:
        return "new"
    if updated:
        return "updated"
    return "not_modified"
