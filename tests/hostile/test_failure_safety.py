"""Disk full, read-only and corrupt databases: one clear error line, a non-zero exit, no
traceback, and the existing file never destroyed. Run through the real entry point."""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.hostile.helpers import corpus_copy
from tuireader.store import Store
from tuireader.sync import sync_feeds

DEMO = Path(__file__).resolve().parents[2] / "assets" / "demo"


def run_cli(db: Path, *args: str, limit_file_size: int | None = None
            ) -> subprocess.CompletedProcess[str]:
    def limit() -> None:  # runs in the child: a file-size limit stands in for a full disk
        if limit_file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run(
        [sys.executable, "-m", "tuireader", "--db", str(db), *args],
        capture_output=True, text=True, timeout=120, preexec_fn=limit,
        env={**os.environ, "NO_COLOR": "1"},
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert errors, result.stderr
    assert any(all(w in errors[0].lower() for w in words) for _ in [0]), errors


@pytest.fixture
def synced_db(tmp_path: Path) -> Path:
    db = tmp_path / "cache.db"
    with Store(db) as store:
        for name in ("tagesschau.xml", "taz.xml"):
            store.add_feed((DEMO / name).as_uri())
        sync_feeds(store, extract=False)
        assert store.count_articles() == 2
    return db


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make ``path`` unwritable, also for root (immutable flag), or skip."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        path.parent.chmod(0o555)
        try:
            yield
        finally:
            path.parent.chmod(0o755)
            path.chmod(0o644)
        return
    if shutil.which("chattr") is None or subprocess.run(
        ["chattr", "+i", str(path)], capture_output=True
    ).returncode:
        pytest.skip("cannot make a file read-only for root here")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_read_only_database_reads_work_and_writes_fail_clearly(synced_db: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{synced_db}{suffix}").unlink(missing_ok=True)
    before = synced_db.read_bytes()
    with read_only(synced_db):
        listed = run_cli(synced_db, "articles")
        assert listed.returncode == 0, listed.stderr
        assert "Südkorea fordert Rückkehr" in listed.stdout
        marked = run_cli(synced_db, "mark", "1", "--read")
        assert_one_line_error(marked, "read-only")
    assert synced_db.read_bytes() == before


@contextmanager
def small_filesystem(tmp_path: Path) -> Iterator[Path | None]:
    """A 2 MB tmpfs (a real ENOSPC) where mounting is allowed; None elsewhere."""
    mount_point = tmp_path / "small-fs"
    mount_point.mkdir()
    mounted = os.geteuid() == 0 and shutil.which("mount") is not None and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
        capture_output=True,
    ).returncode == 0
    try:
        yield mount_point if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_disk_full_during_sync_is_one_line_and_loses_nothing(synced_db: Path,
                                                             tmp_path: Path) -> None:
    with small_filesystem(tmp_path) as small:
        if small is None:  # no tmpfs: a file-size limit makes writes fail the same way
            check_disk_full(synced_db, tmp_path, limit=synced_db.stat().st_size + 64 * 1024)
        else:
            db = small / "cache.db"
            shutil.copyfile(synced_db, db)
            check_disk_full(db, tmp_path, limit=None)


def check_disk_full(synced_db: Path, tmp_path: Path, limit: int | None) -> None:
    big = tmp_path / "big.rss"
    items = "".join(
        f"<item><title>Padding {i}</title><guid>p{i}</guid><description>"
        + f"Nordkorea Südkorea Russland {i} " * 400 + "</description></item>"
        for i in range(400)
    )
    big.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
                   f"{items}</channel></rss>", encoding="utf-8")
    with Store(synced_db) as store:
        store.add_feed(big.as_uri())
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    result = run_cli(synced_db, "sync", "--no-extract", limit_file_size=limit)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    assert "disk full" in (result.stderr + result.stdout).lower()
    with Store(synced_db) as store:
        assert store.integrity_check() == "ok"
        assert store.count_articles() == 2, "what was cached before must survive"


def test_not_a_database_is_refused_and_kept(tmp_path: Path) -> None:
    db = tmp_path / "cache.db"
    db.write_bytes(b"MZ\x90\x00 definitely not sqlite " * 400)
    before = db.read_bytes()
    for args in (["articles"], ["sync"], ["feeds", "list"]):
        assert_one_line_error(run_cli(db, *args), "corrupt")
    assert db.read_bytes() == before


def test_damaged_pages_give_one_line_and_are_kept(synced_db: Path) -> None:
    with Store(synced_db) as store:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(synced_db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    for page in range(1, len(data) // page_size):  # keep the header page, ruin the rest
        start = page * page_size
        data[start : start + page_size] = b"\xff" * page_size
    synced_db.write_bytes(bytes(data))
    Path(f"{synced_db}-wal").unlink(missing_ok=True)
    before = synced_db.read_bytes()
    result = run_cli(synced_db, "articles")
    assert_one_line_error(result, "corrupt")
    assert synced_db.read_bytes() == before


def test_store_writes_wait_for_a_concurrent_writer_instead_of_failing(synced_db: Path) -> None:
    """A sync holding the write lock briefly must never surface "database is locked"."""
    import threading
    import time

    blocker = sqlite3.connect(synced_db, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    released = threading.Event()

    def release() -> None:
        time.sleep(1.0)
        blocker.execute("COMMIT")
        released.set()

    threading.Thread(target=release).start()
    with Store(synced_db) as store:
        ids = [a.id for a in store.page_articles()]
        assert store.count_articles() == 2  # readers are never blocked in WAL mode
        store.set_read(ids)  # waits for the writer, then succeeds
        assert released.is_set()
        assert store.count_unread() == 0
    blocker.close()


def test_hostile_corpus_file_can_be_synced_by_cli(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    url = corpus_copy(tmp_path, "control_sequences.rss").as_uri()
    assert run_cli(db, "feeds", "add", url).returncode == 0
    result = run_cli(db, "sync", "--no-extract")
    assert result.returncode == 0, result.stderr
    listed = run_cli(db, "articles")
    for control in ("\x1b", "\x07", "\x9b"):
        assert control not in listed.stdout
    shown = run_cli(db, "show", "1")
    assert "\x1b" not in shown.stdout
