"""The cache: schema, writes, identity, filters, full-text search, extraction results."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tuireader.store import (
    SCHEMA_VERSION,
    ArticleFilter,
    EntryData,
    FeedExistsError,
    FeedNotFoundError,
    Store,
    StoreError,
    fts_query,
)


def entry(entry_id: str, title: str = "T", text: str = "", h: str = "1", **kw: object) -> EntryData:
    return EntryData(entry_id=entry_id, title=title, text=text, content_hash=h, **kw)  # type: ignore[arg-type]


def test_fresh_database_is_wal_and_migrated(store: Store) -> None:
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.integrity_check() == "ok"
    assert {"feeds", "articles", "articles_fts", "actors", "mentions"} <= set(
        store.db.table_names()
    )


def test_reopening_does_not_migrate_again(db_path: Path) -> None:
    with Store(db_path) as first:
        first.add_feed("http://127.0.0.1/a")
    with Store(db_path) as second:
        assert [f.url for f in second.list_feeds()] == ["http://127.0.0.1/a"]


def test_newer_schema_is_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer tuireader"):
        Store(db_path)


def test_corrupt_file_gives_one_line_error_and_is_kept(db_path: Path) -> None:
    db_path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="corrupt") as info:
        Store(db_path)
    assert "\n" not in str(info.value)
    assert db_path.read_bytes() == b"this is not sqlite" * 100


def test_feed_add_get_remove(store: Store) -> None:
    feed = store.add_feed("http://127.0.0.1/f", title="Mine", tags=["b", "a", "a"])
    assert feed.tags == ["a", "b"] and feed.display_title == "Mine"
    assert store.get_feed(feed.url).id == feed.id == store.get_feed(str(feed.id)).id
    with pytest.raises(FeedExistsError):
        store.add_feed("http://127.0.0.1/f")
    store.write_entries(feed.id, [entry("x")])
    store.remove_feed(feed.id)
    with pytest.raises(FeedNotFoundError):
        store.get_feed(feed.id)
    assert store.count_articles() == 0


def test_write_entries_new_unchanged_changed_keeps_flags(store: Store) -> None:
    feed = store.add_feed("http://127.0.0.1/f")
    first = store.write_entries(feed.id, [entry("a"), entry("b"), entry("a")])
    assert (first.new, first.updated) == (2, 0)
    store.set_read(first.new_ids[:1])
    store.set_starred(first.new_ids[:1])
    again = store.write_entries(feed.id, [entry("a"), entry("b")])
    assert (again.new, again.updated) == (0, 0)
    changed = store.write_entries(feed.id, [entry("a", title="New", h="2")])
    assert (changed.new, changed.updated) == (0, 1)
    article = store.get_article(first.new_ids[0])
    assert article is not None
    assert article.title == "New" and article.read and article.starred
    assert store.count_articles() == 2


def test_filters_and_order(store: Store) -> None:
    one = store.add_feed("http://127.0.0.1/1", tags=["world"])
    two = store.add_feed("http://127.0.0.1/2")
    store.write_entries(one.id, [entry("old", published="2024-01-01T00:00:00+00:00")])
    store.write_entries(two.id, [entry("new", published="2024-06-01T00:00:00+00:00")])
    assert [a.feed_id for a in store.page_articles()] == [two.id, one.id]
    assert store.count_articles(ArticleFilter(tag="world")) == 1
    assert store.count_articles(ArticleFilter(feed_id=two.id)) == 1
    ids = store.mark_all_read(ArticleFilter(feed_id=one.id))
    assert store.count_unread() == 1 and len(ids) == 1
    assert store.tags() == [("world", 0)]
    assert store.article_ids() == [a.id for a in store.page_articles()]


def test_full_text_search_follows_updates(store: Store) -> None:
    feed = store.add_feed("http://127.0.0.1/f")
    store.write_entries(feed.id, [entry("a", text="Truppen in Pjöngjang")])
    assert store.count_articles(ArticleFilter(search="Pjöngjang")) == 1
    assert store.count_articles(ArticleFilter(search="pjöng")) == 1
    store.write_entries(feed.id, [entry("a", text="nichts mehr", h="2")])
    assert store.count_articles(ArticleFilter(search="Pjöngjang")) == 0


@pytest.mark.parametrize("query", ['"', "AND", "a:b", "*", "NEAR(", "", "'; DROP TABLE x"])
def test_search_syntax_in_user_text_is_inert(store: Store, query: str) -> None:
    assert store.count_articles(ArticleFilter(search=query)) == 0
    assert fts_query(query)


def test_extraction_results_and_actor_index(store: Store) -> None:
    feed = store.add_feed("http://127.0.0.1/f")
    ids = store.write_entries(feed.id, [entry("a", text="Rutte warnt"), entry("b")]).new_ids
    result: dict[str, Any] = {
        "entities": [{"start": 0, "end": 5, "text": "Rutte", "label": "PER"}],
        "figures": [{"start": 6, "end": 7, "text": "4", "kind": "number", "value": 4,
                     "unit": None}],
        "actors": [{"name": "Mark Rutte", "label": "PER", "role": "NATO-Generalsekretär",
                    "mentions": [[0, 5]], "quotes": []}],
    }
    store.save_extraction(ids[0], result, version=1)
    store.save_extraction(ids[1], {**result, "actors": [{**result["actors"][0],
                                                         "name": "mark  RUTTE"}]}, version=1)
    actors = store.article_actors(ids[0])
    assert [(a.name, a.role, a.article_count) for a in actors] == [
        ("Mark Rutte", "NATO-Generalsekretär", 2)
    ]
    assert store.mentions(ids[0])[0].actor_id == actors[0].actor_id
    assert store.count_articles(ArticleFilter(actor_id=actors[0].actor_id)) == 2
    assert store.top_actors()[0].article_count == 2
    assert store.articles_needing_extraction(1) == []
    assert store.articles_needing_extraction(2) == ids


def _aggregated_actor_counts(store: Store) -> dict[int, tuple[int, int]]:
    rows = store.conn.execute(
        "SELECT actor_id, count(*), sum(mention_count) FROM article_actors GROUP BY actor_id"
    ).fetchall()
    return {actor_id: (articles, mentions) for actor_id, articles, mentions in rows}


def _kept_actor_counts(store: Store) -> dict[int, tuple[int, int]]:
    rows = store.conn.execute(
        "SELECT id, article_count, mention_count FROM actors WHERE article_count > 0"
    ).fetchall()
    return {actor_id: (articles, mentions) for actor_id, articles, mentions in rows}


def test_actor_counts_follow_extraction_reextraction_and_deletion(store: Store) -> None:
    feed = store.add_feed("http://127.0.0.1/f")
    other = store.add_feed("http://127.0.0.1/g")
    ids = store.write_entries(feed.id, [entry(f"a{i}", text="x" * 50) for i in range(4)]).new_ids
    ids += store.write_entries(other.id, [entry("b", text="x" * 50)]).new_ids

    def actor(name: str, *spans: tuple[int, int]) -> dict[str, Any]:
        return {"name": name, "label": "PER", "role": None, "quotes": [],
                "mentions": [list(span) for span in spans]}

    for k, article_id in enumerate(ids):
        actors = [
            actor("Mark Rutte", *[(i, i + 1) for i in range(k + 1)]), actor(f"P{k % 2}", (40, 41))
        ]
        # the same person twice in one result (merged into one row by save_extraction)
        actors.append(actor("mark rutte", (45, 46)))
        store.save_extraction(article_id, {"entities": [], "figures": [], "actors": actors}, 1)
    assert _kept_actor_counts(store) == _aggregated_actor_counts(store)
    top = store.top_actors()
    assert (top[0].name, top[0].article_count, top[0].mention_count) == ("Mark Rutte", 5, 20)
    # re-extraction replaces an article's actors
    only_p9 = {"entities": [], "figures": [], "actors": [actor("P9", (1, 2))]}
    store.save_extraction(ids[0], only_p9, 2)
    assert _kept_actor_counts(store) == _aggregated_actor_counts(store)
    # removing a feed deletes its articles and, by cascade, their actor rows
    store.remove_feed(other.id)
    assert _kept_actor_counts(store) == _aggregated_actor_counts(store)
    assert store.top_actors()[0].article_count == 3
    assert store.get_actor(top[0].id).article_count == 3  # type: ignore[union-attr]
    assert [a.name for a in store.top_actors(label="PER")] == [a.name for a in store.top_actors()]


def test_migration_3_counts_the_actors_already_stored(db_path: Path) -> None:
    from tuireader.store.migrations import MIGRATIONS

    with Store(db_path) as store:
        feed = store.add_feed("http://127.0.0.1/f")
        ids = store.write_entries(feed.id, [entry("a"), entry("b")]).new_ids
        for article_id in ids:
            store.save_extraction(article_id, {"entities": [], "figures": [], "actors": [
                {"name": "Mark Rutte", "label": "PER", "role": None, "quotes": [],
                 "mentions": [[0, 1], [2, 3]]}]}, 1)
    # undo migration 3 by hand, then reopen: the counts are rebuilt from article_actors
    conn = sqlite3.connect(db_path)
    for trigger in ("article_actors_ai", "article_actors_ad", "article_actors_au"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DROP INDEX actors_ranking")
    conn.execute("ALTER TABLE actors DROP COLUMN article_count")
    conn.execute("ALTER TABLE actors DROP COLUMN mention_count")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    assert len(MIGRATIONS) >= 3
    with Store(db_path) as store:
        assert [(a.name, a.article_count, a.mention_count) for a in store.top_actors()] == [
            ("Mark Rutte", 2, 4)
        ]


def test_state_roundtrip(store: Store) -> None:
    assert store.get_state("cursor", 0) == 0
    store.set_state("cursor", {"id": 3})
    assert store.get_state("cursor") == {"id": 3}


def test_removing_a_feed_drops_its_sync_state(store: Store) -> None:
    keep = store.add_feed("http://127.0.0.1/keep")
    gone = store.add_feed("http://127.0.0.1/gone")
    store.set_state(f"sync.raw-items.{gone.id}", ["a"])
    store.set_state(f"sync.raw-items.{keep.id}", ["b"])
    store.set_state(f"sync.raw-items.{gone.id}0", ["c"])
    store.remove_feed(gone.id)
    assert store.get_state(f"sync.raw-items.{gone.id}") is None
    assert store.get_state(f"sync.raw-items.{keep.id}") == ["b"]
    assert store.get_state(f"sync.raw-items.{gone.id}0") == ["c"]
