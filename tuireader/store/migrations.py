"""Numbered schema migrations, applied in order and recorded in ``PRAGMA user_version``."""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: feeds, articles, full-text index, extraction results, UI state.
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT,
        user_title TEXT,
        site_url TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        language TEXT,
        etag TEXT,
        last_modified TEXT,
        body_hash TEXT,
        added_at TEXT NOT NULL,
        last_checked TEXT,
        last_new_article TEXT,
        last_error TEXT,
        last_warning TEXT,
        error_count INTEGER NOT NULL DEFAULT 0,
        next_fetch_after TEXT
    );
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        entry_id TEXT NOT NULL,
        url TEXT,
        title TEXT NOT NULL DEFAULT '',
        author TEXT,
        published TEXT,
        updated TEXT,
        sort_date TEXT NOT NULL,
        summary_html TEXT,
        content_html TEXT,
        text TEXT NOT NULL DEFAULT '',
        language TEXT,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        extracted_version INTEGER,
        UNIQUE (feed_id, entry_id)
    );
    CREATE INDEX articles_sort ON articles (sort_date DESC, id DESC);
    CREATE INDEX articles_feed_sort ON articles (feed_id, sort_date DESC, id DESC);
    CREATE INDEX articles_unread_sort ON articles (read, sort_date DESC, id DESC);
    CREATE INDEX articles_starred ON articles (starred) WHERE starred = 1;
    CREATE INDEX articles_unextracted ON articles (extracted_version);

    CREATE VIRTUAL TABLE articles_fts USING fts5 (
        title, text, content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0'
    );
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END;

    CREATE TABLE actors (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        label TEXT NOT NULL
    );
    CREATE TABLE article_actors (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        actor_id INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
        role TEXT,
        mention_count INTEGER NOT NULL,
        quotes TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (article_id, actor_id)
    );
    CREATE INDEX article_actors_actor ON article_actors (actor_id);
    CREATE TABLE mentions (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        kind TEXT NOT NULL,
        label TEXT NOT NULL,
        value TEXT,
        unit TEXT,
        actor_id INTEGER REFERENCES actors(id) ON DELETE SET NULL
    );
    CREATE INDEX mentions_article ON mentions (article_id, start);

    CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: a covering index for per-feed unread/total counts (feed list, pickers, sync).
    """
    CREATE INDEX articles_feed_read ON articles (feed_id, read);
    """,
    # 3: per-actor article and mention counts kept by triggers, so the most-named actors
    # (the actor picker, `tuireader actors`) are an index walk: aggregating 570,000
    # article_actors rows at 100,000 articles took 450 ms.
    """
    ALTER TABLE actors ADD COLUMN article_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE actors ADD COLUMN mention_count INTEGER NOT NULL DEFAULT 0;
    UPDATE actors SET
        article_count = (SELECT count(*) FROM article_actors aa WHERE aa.actor_id = actors.id),
        mention_count = (SELECT coalesce(sum(aa.mention_count), 0) FROM article_actors aa
                         WHERE aa.actor_id = actors.id);
    CREATE INDEX actors_ranking ON actors (article_count DESC, mention_count DESC, name);
    CREATE TRIGGER article_actors_ai AFTER INSERT ON article_actors BEGIN
        UPDATE actors SET article_count = article_count + 1,
                          mention_count = mention_count + new.mention_count
        WHERE id = new.actor_id;
    END;
    CREATE TRIGGER article_actors_ad AFTER DELETE ON article_actors BEGIN
        UPDATE actors SET article_count = article_count - 1,
                          mention_count = mention_count - old.mention_count
        WHERE id = old.actor_id;
    END;
    CREATE TRIGGER article_actors_au AFTER UPDATE OF actor_id, mention_count ON article_actors
    BEGIN
        UPDATE actors SET article_count = article_count - 1,
                          mention_count = mention_count - old.mention_count
        WHERE id = old.actor_id;
        UPDATE actors SET article_count = article_count + 1,
                          mention_count = mention_count + new.mention_count
        WHERE id = new.actor_id;
    END;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring ``conn`` up to :data:`SCHEMA_VERSION`; return the version it started from.

    Each migration runs in its own transaction together with the ``user_version`` bump, so a
    crash leaves the database at a whole version.
    """
    start = conn.execute("PRAGMA user_version").fetchone()[0]
    if start > SCHEMA_VERSION:
        raise RuntimeError(
            f"the database was written by a newer tuireader (schema {start} > {SCHEMA_VERSION})"
        )
    for version in range(start, SCHEMA_VERSION):
        script = MIGRATIONS[version]
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split_statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return start


def _split_statements(script: str) -> list[str]:
    """Split a migration script into complete statements (triggers contain semicolons)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
