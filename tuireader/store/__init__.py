"""The local SQLite cache: schema, migrations and every query (public API re-exported here)."""

from tuireader.store.db import (
    FeedExistsError,
    FeedNotFoundError,
    Store,
    StoreError,
    actor_key,
    fts_query,
)
from tuireader.store.migrations import SCHEMA_VERSION
from tuireader.store.models import (
    ActorInArticle,
    ActorStats,
    Article,
    ArticleFilter,
    ArticleSummary,
    EntryData,
    Feed,
    Mention,
    WriteResult,
    utc_now,
)

__all__ = [
    "SCHEMA_VERSION",
    "ActorInArticle",
    "ActorStats",
    "Article",
    "ArticleFilter",
    "ArticleSummary",
    "EntryData",
    "Feed",
    "FeedExistsError",
    "FeedNotFoundError",
    "Mention",
    "Store",
    "StoreError",
    "WriteResult",
    "actor_key",
    "fts_query",
    "utc_now",
]
