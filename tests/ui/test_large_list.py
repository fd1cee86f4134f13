"""A view larger than the first page: newest rows at once, every id after a background load."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

from tests.ui.helpers import screen_text
from tuireader.store import ArticleFilter, EntryData, Store
from tuireader.ui.app import ReaderApp
from tuireader.ui.components.article_list import FIRST_ROWS, ArticleList
from tuireader.ui.components.main_screen import MainScreen
from tuireader.ui.components.status import COUNT_AT_ONCE


def big_store(path: Path, count: int) -> Store:
    store = Store(path)
    feed = store.add_feed("https://127.0.0.1/big.xml", title="Big")
    store.write_entries(feed.id, [
        EntryData(entry_id=f"e{i}", title=f"Artikel {i:05d}", text="Text", content_hash="h",
                  published=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00+00:00")
        for i in range(count)
    ])
    store.set_state("demo_offered", True)
    return store


async def test_large_view_loads_every_id_and_keeps_the_cursor(tmp_path: Path) -> None:
    count = FIRST_ROWS * 3 + 7
    store = big_store(tmp_path / "big.db", count)
    app = ReaderApp(store, timezone=UTC, theme="textual-dark", extract=False)
    async with app.run_test(size=(100, 30)) as pilot:
        articles = app.screen.query_one(ArticleList)
        for _ in range(100):
            if articles.complete:
                break
            await pilot.pause(0.02)
        assert articles.complete and len(articles.ids) == count
        assert articles.ids == store.article_ids()
        assert f"of {count}" in screen_text(app)
        await pilot.press("G")
        last = articles.current_id
        assert last == articles.ids[-1]
    # Restarting with the cursor deep in the list restores it.
    app = ReaderApp(store, timezone=UTC, theme="textual-dark", extract=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        articles = app.screen.query_one(ArticleList)
        assert articles.current_id == last
    store.close()


async def wait_for_counts(pilot: Any, app: ReaderApp, expected: str) -> None:
    """Poll the header: it may say "counting…" meanwhile, never another number."""
    for _ in range(200):
        header = screen_text(app).splitlines()[0]
        if expected in header:
            return
        assert "counting…" in header or " unread of " not in header, header
        await pilot.pause(0.01)
    raise AssertionError(f"the header never showed {expected!r}")


async def test_large_views_are_counted_in_the_background_and_never_shown_wrong(
    tmp_path: Path,
) -> None:
    count = COUNT_AT_ONCE + 50
    store = big_store(tmp_path / "big.db", count)
    app = ReaderApp(store, timezone=UTC, theme="textual-dark", extract=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_counts(pilot, app, f"{count:,} unread of {count:,}")
        screen = app.screen
        assert isinstance(screen, MainScreen)
        # a new view never shows the old view's numbers, even for a moment
        screen.set_filter(ArticleFilter(search="Artikel"))
        assert f"{count:,} unread" not in screen_text(app).splitlines()[0]
        await wait_for_counts(pilot, app, f"{count:,} unread of {count:,}")
        # marking one read is counted again
        await pilot.press("m")
        await wait_for_counts(pilot, app, f"{count - 1:,} unread of {count:,}")
        await pilot.press("m")
        await wait_for_counts(pilot, app, f"{count:,} unread of {count:,}")
        await pilot.press("enter")  # opening marks it read
        await wait_for_counts(pilot, app, f"{count - 1:,} unread of {count:,}")
        assert store.count_unread(ArticleFilter(search="Artikel")) == count - 1
    store.close()


async def test_small_views_are_counted_at_once(tmp_path: Path) -> None:
    count = FIRST_ROWS - 1
    store = big_store(tmp_path / "big.db", count)
    app = ReaderApp(store, timezone=UTC, theme="textual-dark", extract=False)
    async with app.run_test(size=(100, 30)):
        assert f"{count} unread of {count}" in screen_text(app).splitlines()[0]
    store.close()
