"""Sync from the UI (background worker), the ``ui`` command, and layer boundaries."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.ui.helpers import screen_text
from tuireader.paths import demo_dir
from tuireader.store import EntryData, Store
from tuireader.ui.components.main_screen import MainScreen

REPO_ROOT = Path(__file__).resolve().parents[2]


async def test_r_syncs_in_background_and_list_updates(make_app, ui_store) -> None:
    ui_store.add_feed((demo_dir() / "tagesschau.xml").as_uri(), title="Demo tagesschau")
    app = make_app(extract=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        before = len(screen.articles.ids)
        await pilot.press("r")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(screen.articles.ids) > before
        assert not app.sync_running
        assert any("Sync done" in str(n.message) for n in app._notifications)
        assert "Demo tagesschau" in screen_text(app) or "tagesschau" in screen_text(app)


async def test_sync_reports_progress_per_feed_without_blocking(make_app, ui_store, monkeypatch):
    import tuireader.sync as sync_package
    from tuireader.sync import FeedResult, SyncSummary

    release = threading.Event()
    feed_id = ui_store.list_feeds()[0].id
    seen_threads: list[str] = []

    def fake_sync(store: Store, feeds=None, *, config=None, extract=True, progress=None,
                  force=False):
        seen_threads.append(threading.current_thread().name)
        assert store is not ui_store, "the worker uses its own connection"
        result = store.write_entries(feed_id, [EntryData(
            entry_id="late", title="Late breaking", published="2031-01-01T00:00:00+00:00",
            text="x", content_hash="late",
        )])
        progress(FeedResult(feed_id=feed_id, url="https://x.test/feed", status="new",
                            new=result.new))
        release.wait(10)
        progress(FeedResult(feed_id=feed_id, url="https://y.test/[bold]feed[/]",
                            status="error", error="HTTP 500 [red]boom[/]"))
        return SyncSummary(new=1, updated=0, errors=1)

    monkeypatch.setattr(sync_package, "sync_feeds", fake_sync)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("r")
        for _ in range(250):  # up to 5 s on a loaded machine
            await pilot.pause(0.02)
            first = screen.articles.summary(0) if screen.articles.ids else None
            if first is not None and first.title == "Late breaking":
                break
        first = screen.articles.summary(0)
        assert first is not None and first.title == "Late breaking", "list updated mid-sync"
        assert "syncing" in screen_text(app)
        before = screen.articles.cursor
        await pilot.press("j")  # the app still answers keys while the sync runs
        assert screen.articles.cursor == before + 1
        await pilot.press("r")
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any("A sync is already running" in m for m in messages)
        assert any("1 failed" in m and "HTTP 500 [red]boom[/]" in m for m in messages)
        assert seen_threads and seen_threads[0] != threading.main_thread().name


async def test_sync_failure_is_one_clear_notification(make_app, monkeypatch) -> None:
    import tuireader.sync as sync_package
    from tuireader.store import StoreError

    def broken_sync(store, feeds=None, **kwargs):
        raise StoreError("database is busy (another tuireader is writing); try again")

    monkeypatch.setattr(sync_package, "sync_feeds", broken_sync)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running and not app.sync_running
        messages = [str(n.message) for n in app._notifications]
        assert messages == [
            "Sync failed: database is busy (another tuireader is writing); try again"
        ]


def test_ui_command_sets_up_demo_and_runs_app(tmp_path, monkeypatch) -> None:
    from tuireader.cli import main
    from tuireader.ui.app import ReaderApp

    started: list[ReaderApp] = []
    monkeypatch.setattr(ReaderApp, "run", lambda self, **kwargs: started.append(self))
    monkeypatch.setattr("tuireader.demo.ensure_demo", lambda store: store.set_state("demo", 1))
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nstar = "x"\n', encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(tmp_path / "c.db"), "--config", str(config), "ui"])
    assert exit_info.value.code == 0
    assert len(started) == 1
    assert started[0].user_keymap == {"star": "x"}
    with Store(tmp_path / "c.db") as store:
        assert store.get_state("demo") == 1


def test_store_sync_and_text_never_import_textual() -> None:
    code = (
        "import sys, tuireader.store, tuireader.sync, tuireader.text\n"
        "import tuireader.text.sanitize\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    assert result.stdout.strip() == ""


async def test_open_article_gains_highlights_when_sync_extracts_it(make_app, ui_store,
                                                                   monkeypatch) -> None:
    import tuireader.sync as sync_package
    from tuireader.sync import SyncSummary

    feed = ui_store.list_feeds()[0]
    written = ui_store.write_entries(feed.id, [EntryData(
        entry_id="plain", title="Noch ohne Namen", published="2031-01-01T00:00:00+00:00",
        text="Olaf Scholz reiste nach Kiew.", content_hash="plain",
    )])
    article_id = written.new_ids[0]

    def extracting_sync(store: Store, feeds=None, **kwargs):
        store.save_extraction(article_id, {
            "entities": [{"start": 0, "end": 11, "text": "Olaf Scholz", "label": "PER"}],
            "figures": [],
            "actors": [{"name": "Olaf Scholz", "label": "PER", "role": "Bundeskanzler",
                        "mentions": [[0, 11]], "quotes": []}],
        }, 1)
        return SyncSummary(new=0, updated=0, errors=0)

    monkeypatch.setattr(sync_package, "sync_feeds", extracting_sync)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert "no actors yet" in screen_text(app)
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Bundeskanzler" in screen_text(app)


def test_ui_command_still_opens_when_demo_setup_fails(tmp_path, monkeypatch, capsys) -> None:
    from tuireader.cli import main
    from tuireader.ui.app import ReaderApp

    started: list[ReaderApp] = []
    monkeypatch.setattr(ReaderApp, "run", lambda self, **kwargs: started.append(self))

    def failing_demo(store: Store) -> None:
        raise OSError("demo feeds missing")

    monkeypatch.setattr("tuireader.demo.ensure_demo", failing_demo)
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(tmp_path / "c.db"), "ui"])
    assert exit_info.value.code == 0
    assert len(started) == 1
    assert "warning: could not set up the demo feeds: demo feeds missing" in (
        capsys.readouterr().err
    )
