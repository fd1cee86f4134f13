"""A sync process writing while the reader is open: the user never sees "database is locked",
and the reader's own writes (read, star) all land."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC
from pathlib import Path

from tests.plugins.server import FeedServer, rss_feed
from tuireader.store import EntryData, Store
from tuireader.ui.app import ReaderApp
from tuireader.ui.components.article_list import ArticleList


async def test_reader_keeps_working_while_a_sync_process_writes(
    db_path: Path, feed_server: FeedServer
) -> None:
    store = Store(db_path)
    local = store.add_feed("https://127.0.0.1/local.xml", title="Local")
    store.write_entries(local.id, [
        EntryData(entry_id=f"l{i}", title=f"Local {i}", text="Text " * 50, content_hash=str(i),
                  published=f"2030-01-01T00:{i:02d}:00+00:00")
        for i in range(30)
    ])
    store.set_state("demo_offered", True)
    remote_ids = [
        str(store.add_feed(feed_server.route(f"/f{number}.xml", rss_feed(40, feed=f"f{number}"),
                                             chunk_size=2048, chunk_delay=0.1)).id)
        for number in range(20)
    ]
    sync = subprocess.Popen(
        [sys.executable, "-m", "tuireader", "--db", str(db_path), "sync", "--quiet",
         "--no-extract", "--jobs", "4", *remote_ids],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    app = ReaderApp(store, timezone=UTC, theme="textual-dark", extract=False)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            articles = app.screen.query_one(ArticleList)
            toggled: list[int] = []
            while sync.poll() is None and len(toggled) < 400:
                current = articles.current_id
                await pilot.press("s")
                if current is not None:
                    toggled.append(current)
                await pilot.press("j" if len(toggled) % 20 else "g")
            assert len(toggled) >= 10, "the sync finished before the reader did anything"
            messages = " ".join(str(n.message) for n in app._notifications).lower()
            assert "locked" not in messages and "busy" not in messages, messages
    finally:
        _, stderr = sync.communicate(timeout=120)
    assert sync.returncode == 0, stderr
    assert "locked" not in stderr
    starred = {a.id for a in store.page_articles(limit=10_000) if a.starred}
    expected = {i for i in set(toggled) if toggled.count(i) % 2 == 1}
    assert starred == expected
    assert store.count_articles() == 30 + 20 * 40
    assert store.integrity_check() == "ok"
    store.close()
