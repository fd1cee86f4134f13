"""Plain data types that cross the store's public API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


def utc_now() -> str:
    """The current time as a UTC ISO 8601 string with seconds precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(slots=True)
class Feed:
    """A subscribed feed with its fetch state."""

    id: int
    url: str
    title: str | None
    user_title: str | None
    site_url: str | None
    tags: list[str]
    language: str | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    added_at: str
    last_checked: str | None
    last_new_article: str | None
    last_error: str | None
    last_warning: str | None
    error_count: int
    next_fetch_after: str | None
    unread: int = 0
    total: int = 0

    @property
    def display_title(self) -> str:
        """The user's title, else the feed's own, else its URL."""
        return self.user_title or self.title or self.url


@dataclass(slots=True)
class EntryData:
    """One normalised feed entry, ready to be written (produced by ``tuireader.sync``)."""

    entry_id: str
    title: str
    url: str | None = None
    author: str | None = None
    published: str | None = None
    updated: str | None = None
    summary_html: str | None = None
    content_html: str | None = None
    text: str = ""
    language: str | None = None
    content_hash: str = ""


@dataclass(slots=True)
class ArticleSummary:
    """The columns the article list shows."""

    id: int
    feed_id: int
    feed_title: str
    title: str
    url: str | None
    author: str | None
    published: str | None
    sort_date: str
    read: bool
    starred: bool


@dataclass(slots=True)
class Article:
    """A whole article with its readable text."""

    id: int
    feed_id: int
    feed_title: str
    entry_id: str
    title: str
    url: str | None
    author: str | None
    published: str | None
    updated: str | None
    sort_date: str
    summary_html: str | None
    content_html: str | None
    text: str
    language: str | None
    read: bool
    starred: bool
    first_seen: str
    content_hash: str
    extracted_version: int | None


@dataclass(slots=True, frozen=True)
class ArticleFilter:
    """Which articles a list shows. Empty means all, newest first."""

    unread_only: bool = False
    starred_only: bool = False
    feed_id: int | None = None
    tag: str | None = None
    actor_id: int | None = None
    search: str | None = None

    def describe(self) -> str:
        """A short human description, for headers."""
        parts: list[str] = []
        if self.unread_only:
            parts.append("unread")
        if self.starred_only:
            parts.append("starred")
        if self.feed_id is not None:
            parts.append(f"feed #{self.feed_id}")
        if self.tag:
            parts.append(f"tag {self.tag}")
        if self.actor_id is not None:
            parts.append(f"actor #{self.actor_id}")
        if self.search:
            parts.append(f"search {self.search!r}")
        return ", ".join(parts) or "all articles"


@dataclass(slots=True)
class WriteResult:
    """What writing one feed's entries changed."""

    new: int = 0
    updated: int = 0
    new_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Mention:
    """A highlighted span in an article's text: a name (kind ``entity``) or a figure."""

    start: int
    end: int
    text: str
    kind: str  # "entity" or "figure"
    label: str  # PER/ORG/LOC/MISC for entities; number/money/percent/date/time/quantity
    value: str | None = None
    unit: str | None = None
    actor_id: int | None = None


@dataclass(slots=True)
class ActorInArticle:
    """An actor as it appears in one article."""

    actor_id: int
    name: str
    label: str
    role: str | None
    mention_count: int
    quotes: list[dict[str, object]]
    article_count: int = 0


@dataclass(slots=True)
class ActorStats:
    """An actor across the whole cache."""

    id: int
    name: str
    label: str
    article_count: int
    mention_count: int
