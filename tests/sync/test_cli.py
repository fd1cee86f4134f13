"""``tuireader sync`` through the real entry point (``tuireader.cli.main``)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.plugins.server import FeedServer, rss_feed, rss_item
from tuireader.cli import main
from tuireader.store import Store
from tuireader.sync import fetch as fetch_module
from tuireader.sync.engine import sync_lock


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch_module, "RETRY_DELAY_SECONDS", 0.05)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``tuireader ARGS``; returns (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def add_feeds(db_path: Path, urls: list[str]) -> list[int]:
    with Store(db_path) as store:
        return [store.add_feed(url).id for url in urls]


def test_json_summary_matches_the_database(
    db_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = add_feeds(db_path, [
        feed_server.route("/a.xml", rss_feed(3, feed="a")),
        feed_server.route("/b.xml", rss_feed(2, feed="b")),
        feed_server.url("/gone.xml"),
    ])
    code, out, err = run_cli(capsys, "--db", str(db_path), "sync", "--json", "--no-extract")
    assert code == 1  # one feed failed
    document = json.loads(out)
    assert err == ""
    assert set(document) == {"feeds", "new", "updated", "errors"}
    assert (document["new"], document["updated"], document["errors"]) == (5, 0, 1)
    with sqlite3.connect(db_path) as conn:
        counts = dict(conn.execute("SELECT feed_id, count(*) FROM articles GROUP BY feed_id"))
        errors = dict(conn.execute("SELECT id, last_error FROM feeds"))
        urls = dict(conn.execute("SELECT id, url FROM feeds"))
    assert sorted(f["id"] for f in document["feeds"]) == sorted(ids)
    for feed in document["feeds"]:
        assert set(feed) == {"id", "url", "status", "new", "updated", "error"}
        assert feed["new"] == counts.get(feed["id"], 0)
        assert feed["error"] == errors[feed["id"]]
        assert feed["url"] == urls[feed["id"]]
    assert sum(counts.values()) == document["new"]
    code, out, _ = run_cli(capsys, "--db", str(db_path), "sync", "--json", "--no-extract",
                           str(ids[0]), str(ids[1]))
    assert code == 0
    assert [f["status"] for f in json.loads(out)["feeds"]] == ["not_modified", "not_modified"]


def test_plain_lines_quiet_and_exit_codes(
    db_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    add_feeds(db_path, [feed_server.route("/ok.xml", rss_feed(2, title="Good feed"))])
    code, out, err = run_cli(capsys, "--db", str(db_path), "sync", "--no-extract")
    assert code == 0 and err == ""
    assert "new          Good feed: 2 new" in out
    assert out.strip().endswith("1 feeds: 2 new, 0 updated, 0 failed")

    code, out, err = run_cli(capsys, "--db", str(db_path), "sync", "--quiet", "--no-extract")
    assert (code, out, err) == (0, "", "")

    add_feeds(db_path, [feed_server.url("/broken.xml")])
    code, out, err = run_cli(capsys, "--db", str(db_path), "sync", "-q", "--no-extract")
    assert code == 1 and out == ""
    assert err.strip() == f"error  {feed_server.url('/broken.xml')}: HTTP 404 Not Found"


def test_unknown_feed_is_a_usage_error(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_feeds(db_path, ["https://example.invalid/feed"])
    code, out, err = run_cli(capsys, "--db", str(db_path), "sync", "https://nope.example/x")
    assert code == 2 and out == ""
    assert err == "error: no such feed: https://nope.example/x\n"


def test_no_feeds_at_all(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--db", str(db_path), "sync")
    assert code == 0 and out == ""
    assert "No feeds to sync yet" in err and len(err.strip().splitlines()) == 1
    code, out, _ = run_cli(capsys, "--db", str(db_path), "sync", "--json")
    assert code == 0 and json.loads(out) == {"feeds": [], "new": 0, "updated": 0, "errors": 0}


def test_feed_text_is_never_markup_and_has_no_controls(
    db_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    title = "[bold red]Fake[/bold red] \x1b]0;owned\x07 [link=file:///etc]x[/link]"
    body = rss_feed([rss_item(1)], title="placeholder").replace(
        b"<title>placeholder</title>", f"<title><![CDATA[{title}]]></title>".encode()
    )
    add_feeds(db_path, [feed_server.route("/evil.xml", body)])
    code, out, _ = run_cli(capsys, "--db", str(db_path), "sync", "--no-extract")
    assert code == 0
    assert "[bold red]Fake[/bold red]" in out and "[link=file:///etc]x[/link]" in out
    assert "\x1b" not in out and "\x07" not in out and "owned" not in out
    # An error message carrying server text is shown the same way.
    add_feeds(db_path, [feed_server.route("/err.xml", b"", status=418)])
    code, _, err = run_cli(capsys, "--db", str(db_path), "sync", "--no-extract", "-q")
    assert code == 1 and "HTTP 418" in err


def test_a_running_sync_makes_the_cli_refuse(
    db_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    add_feeds(db_path, [feed_server.route("/l.xml", rss_feed(1))])
    with sync_lock(db_path):
        code, out, err = run_cli(capsys, "--db", str(db_path), "sync", "--no-extract")
    assert code == 1 and out == ""
    assert err.startswith("error: another sync is running") and err.count("\n") == 1
    assert not feed_server.requests_for("/l.xml")


def test_jobs_option_is_validated(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "--db", str(db_path), "sync", "--jobs", "0")
    assert code == 2 and "--jobs" in err


def test_progress_bar_on_a_terminal(db_path: Path, feed_server: FeedServer) -> None:
    """With stderr on a terminal the rich progress bar runs; stdout still gets the totals."""
    import os
    import pty
    import subprocess
    import sys

    add_feeds(db_path, [feed_server.route(f"/t{i}.xml", rss_feed(2, feed=f"t{i}"))
                        for i in range(3)] + [feed_server.url("/missing.xml")])
    controller, terminal = pty.openpty()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "tuireader", "--db", str(db_path), "sync", "--no-extract"],
            stdout=subprocess.PIPE, stderr=terminal, timeout=60, check=False,
            env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "80"},
        )
        os.set_blocking(controller, False)
        shown = b""
        try:
            while chunk := os.read(controller, 65536):
                shown += chunk
        except (BlockingIOError, OSError):
            pass
    finally:
        os.close(terminal)
        os.close(controller)
    assert process.returncode == 1
    assert process.stdout.decode().strip() == "4 feeds: 6 new, 0 updated, 1 failed"
    screen = shown.decode("utf-8", "replace")
    assert "HTTP 404 Not Found" in screen
    assert "\x1b[" in screen  # drawn with terminal control sequences: the live bar


def test_json_mode_reports_a_failed_extraction_on_stderr(
    db_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tuireader.text import extract as extract_module

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("model exploded")

    monkeypatch.setattr(extract_module, "extract_and_store", broken)
    add_feeds(db_path, [feed_server.route("/a.xml", rss_feed(2, feed="a"))])
    code, out, err = run_cli(capsys, "--db", str(db_path), "sync", "--json")
    assert code == 0
    assert set(json.loads(out)) == {"feeds", "new", "updated", "errors"}
    assert "extraction failed" in err and "model exploded" in err and "reindex" in err
    assert err.count("\n") == 1
