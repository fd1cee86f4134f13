"""Fixtures for the CLI tests: run ``tuireader.cli.main`` in-process, seed a cache, and a tiny
loopback web server for feed discovery."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from tuireader.cli import main
from tuireader.store import EntryData, Store


@dataclass
class CliResult:
    """What one CLI run printed and its exit status."""

    exit_code: int
    stdout: str
    stderr: str


RunCli = Callable[..., CliResult]


@pytest.fixture
def run(db_path: Path) -> RunCli:
    """``run("feeds", "list", input=None)``: the real entry point with ``--db db_path``."""

    def invoke(*args: str, input: str | bytes | None = None) -> CliResult:
        runner = CliRunner()
        code: int | str | None = 0
        with runner.isolation(input=input) as (stdout, stderr, _output):
            try:
                main(["--db", str(db_path), *args])
            except SystemExit as exc:
                code = exc.code
        exit_code = code if isinstance(code, int) else (0 if code is None else 1)
        return CliResult(
            exit_code,
            stdout.getvalue().decode("utf-8"),
            stderr.getvalue().decode("utf-8"),
        )

    return invoke


def seed_articles(
    db_path: Path, url: str, entries: Sequence[EntryData], *, title: str | None = None,
    tags: Sequence[str] = (),
) -> list[int]:
    """Subscribe to ``url`` and store ``entries`` for it; returns the new article ids."""
    with Store(db_path) as store:
        feed = store.add_feed(url, title=title, tags=tags)
        return store.write_entries(feed.id, entries).new_ids


@dataclass
class Page:
    """How the loopback server answers one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None
    delay: float = 0.0  # seconds before answering (at most 5)


@dataclass
class PageServer:
    """A loopback HTTP server with fixed pages and a log of requested paths."""

    base_url: str
    pages: dict[str, Page] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture
def page_server() -> Iterator[PageServer]:
    """Serve ``page_server.pages`` on 127.0.0.1 (unknown paths answer 404)."""
    server_state: PageServer | None = None

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            assert server_state is not None
            server_state.requested.append(self.path)
            page = server_state.pages.get(self.path, Page(b"not found", 404, "text/plain"))
            if page.delay:
                time.sleep(min(page.delay, 5.0))
            self.send_response(page.status)
            self.send_header("Content-Type", page.content_type)
            if page.location:
                self.send_header("Location", page.location)
            self.send_header("Content-Length", str(len(page.body)))
            self.end_headers()
            self.wfile.write(page.body)

        def log_message(self, format: str, *args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    server_state = PageServer(f"http://127.0.0.1:{httpd.server_address[1]}")
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
