"""A real loopback HTTP feed server for the sync tests (fixture ``feed_server``).

Tests register routes with a body, status, headers, compression, validators (ETag /
Last-Modified answered with 304), redirects, Retry-After, delays, slow or endless bodies; the
server keeps a log of every request and the highest number of requests it served at once
(overall and per ``Host``). It listens on 127.0.0.1 on a free port and shuts down cleanly:
sleeping handlers are woken and endless bodies stop when the client goes away.
"""

from __future__ import annotations

import gzip as gzip_module
import html
import json
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# Hard bounds so that no test can hang on the server.
MAX_DELAY_SECONDS = 30.0
MAX_ENDLESS_SECONDS = 60.0
MAX_ENDLESS_BYTES = 500_000_000


@dataclass
class Route:
    """How the server answers one path."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    gzip: bool = False
    etag: str | None = None
    last_modified: str | None = None
    redirect_to: str | None = None
    retry_after: str | None = None
    delay: float = 0.0  # seconds before the status line
    chunk_size: int = 0  # > 0: send the body in chunks of this size...
    chunk_delay: float = 0.0  # ...with this pause between them (a slow body)
    endless: bool = False  # keep sending chunk_size chunks until the client disconnects
    send_length: bool = True
    _gzipped: bytes | None = field(default=None, repr=False)

    def gzipped(self) -> bytes:
        """The body gzip-compressed (computed once)."""
        if self._gzipped is None:
            self._gzipped = gzip_module.compress(self.body, compresslevel=6)
        return self._gzipped


@dataclass
class RequestRecord:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    time: float


class FeedServer:
    """Routes, request log and lifecycle of the loopback server."""

    def __init__(self) -> None:
        self._routes: dict[str, list[Route]] = {}
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self.requests: list[RequestRecord] = []
        self.stopping = threading.Event()
        self.in_flight = 0
        self.max_in_flight = 0
        self.in_flight_by_host: dict[str, int] = {}
        self.max_in_flight_by_host: dict[str, int] = {}
        self.disconnects = 0
        self.server_errors: list[str] = []
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.feed_server = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FeedServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake sleeping handlers and close the socket."""
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    # -- routes ----------------------------------------------------------------------------------
    def url(self, path: str, host: str = "127.0.0.1") -> str:
        """The full URL of ``path`` (``host`` may be ``localhost`` to count as another host)."""
        return f"http://{host}:{self.port}{path}"

    def route(self, path: str, body: bytes | str = b"", **options: object) -> str:
        """Answer ``path`` always the same way; returns its URL."""
        return self.sequence(path, [Route(body=_bytes(body), **options)])  # type: ignore[arg-type]

    def sequence(self, path: str, routes: Sequence[Route]) -> str:
        """Answer ``path`` with ``routes`` in turn; the last one repeats. Returns its URL."""
        with self._lock:
            self._routes[path] = list(routes)
            self._served[path] = 0
        return self.url(path)

    def _next_route(self, path: str) -> Route | None:
        with self._lock:
            routes = self._routes.get(path)
            if not routes:
                return None
            index = min(self._served[path], len(routes) - 1)
            self._served[path] += 1
            return routes[index]

    # -- log -------------------------------------------------------------------------------------
    def requests_for(self, path: str) -> list[RequestRecord]:
        """Every request for ``path`` (query string ignored), in order."""
        with self._lock:
            return [r for r in self.requests if r.path.split("?")[0] == path]

    def _enter(self, record: RequestRecord) -> None:
        host = record.headers.get("host", "").rsplit(":", 1)[0]
        with self._lock:
            self.requests.append(record)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            count = self.in_flight_by_host.get(host, 0) + 1
            self.in_flight_by_host[host] = count
            self.max_in_flight_by_host[host] = max(self.max_in_flight_by_host.get(host, 0), count)

    def _leave(self, record: RequestRecord) -> None:
        host = record.headers.get("host", "").rsplit(":", 1)[0]
        with self._lock:
            self.in_flight -= 1
            self.in_flight_by_host[host] -= 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    # socketserver's default listen backlog of 5 drops simultaneous connects, and a dropped
    # SYN costs the client a one-second retransmit.
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away between requests is normal here (socketserver would print a
        traceback to stderr, where CLI tests read the program's own output); other errors are
        kept in ``FeedServer.server_errors``."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        self.feed_server.server_errors.append(repr(error))
    feed_server: FeedServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def do_GET(self) -> None:
        feeds = self.server.feed_server
        record = RequestRecord(
            "GET", self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic()
        )
        feeds._enter(record)
        try:
            self._answer(feeds, record)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            with feeds._lock:
                feeds.disconnects += 1
            self.close_connection = True
        finally:
            feeds._leave(record)

    def _answer(self, feeds: FeedServer, record: RequestRecord) -> None:
        route = feeds._next_route(self.path.split("?")[0])
        if route is None:
            self._send_simple(404, b"not found")
            return
        if route.delay and feeds.stopping.wait(min(route.delay, MAX_DELAY_SECONDS)):
            return
        if route.redirect_to is not None:
            self.send_response(route.status if route.status != 200 else 301)
            self.send_header("Location", route.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        validators_match = (
            route.etag is not None and record.headers.get("if-none-match") == route.etag
        ) or (
            route.last_modified is not None
            and record.headers.get("if-modified-since") == route.last_modified
        )
        if route.status == 200 and validators_match:
            self.send_response(304)
            if route.etag:
                self.send_header("ETag", route.etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = route.body
        self.send_response(route.status)
        if route.content_type:
            self.send_header("Content-Type", route.content_type)
        if route.etag:
            self.send_header("ETag", route.etag)
        if route.last_modified:
            self.send_header("Last-Modified", route.last_modified)
        if route.retry_after is not None:
            self.send_header("Retry-After", route.retry_after)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.endless:
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            self._send_endless(feeds, route)
            return
        if route.gzip and "gzip" in record.headers.get("accept-encoding", ""):
            body = route.gzipped()
            self.send_header("Content-Encoding", "gzip")
        if route.send_length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if route.chunk_size > 0:
            for start in range(0, len(body), route.chunk_size):
                self.wfile.write(body[start : start + route.chunk_size])
                self.wfile.flush()
                if route.chunk_delay and feeds.stopping.wait(
                    min(route.chunk_delay, MAX_DELAY_SECONDS)
                ):
                    return
        else:
            self.wfile.write(body)

    def _send_endless(self, feeds: FeedServer, route: Route) -> None:
        chunk = (route.body or b"<item><title>x</title></item>\n") * max(
            1, (route.chunk_size or 65_536) // max(1, len(route.body or b"x" * 30))
        )
        deadline = time.monotonic() + MAX_ENDLESS_SECONDS
        sent = 0
        while time.monotonic() < deadline and sent < MAX_ENDLESS_BYTES:
            self.wfile.write(chunk)
            self.wfile.flush()
            sent += len(chunk)
            if route.chunk_delay and feeds.stopping.wait(min(route.chunk_delay, 1.0)):
                return
            if feeds.stopping.is_set():
                return

    def _send_simple(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A started loopback feed server, stopped after the test."""
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()


# -- feed documents ------------------------------------------------------------------------------

BASE_DATE = datetime(2024, 10, 21, 8, 0, tzinfo=UTC)


def http_date(moment: datetime) -> str:
    """An RFC 1123 date for Last-Modified / pubDate."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def rss_item(
    index: int,
    *,
    feed: str = "feed",
    title: str | None = None,
    body: str | None = None,
    link: str | None = None,
    guid: str | None = None,
    date: datetime | None = None,
) -> str:
    """One RSS 2.0 ``<item>`` (texts are XML-escaped here)."""
    title = title if title is not None else f"{feed} story {index}"
    body = body if body is not None else f"<p>Text of {feed} story {index}.</p>"
    link = link if link is not None else f"https://example.org/{feed}/{index}"
    guid = guid if guid is not None else f"{feed}-{index}"
    date = date or BASE_DATE + timedelta(minutes=index)
    return (
        f"<item><title>{html.escape(title)}</title><link>{html.escape(link)}</link>"
        f'<guid isPermaLink="false">{html.escape(guid)}</guid>'
        f"<pubDate>{http_date(date)}</pubDate>"
        f"<description>{html.escape(body)}</description></item>"
    )


def rss_feed(
    items: Sequence[str] | int,
    *,
    title: str = "Loopback feed",
    link: str = "https://example.org/",
    language: str | None = "en",
    feed: str = "feed",
) -> bytes:
    """An RSS 2.0 document; ``items`` is a list of ``rss_item`` strings or a count."""
    if isinstance(items, int):
        items = [rss_item(i, feed=feed) for i in range(items)]
    lang = f"<language>{language}</language>" if language else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{html.escape(title)}</title><link>{html.escape(link)}</link>{lang}"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def json_feed(
    items: Sequence[dict[str, object]], *, version: str = "1.1", **fields: object
) -> bytes:
    """A JSON Feed document."""
    document: dict[str, object] = {
        "version": f"https://jsonfeed.org/version/{version}", "title": "JSON feed"
    }
    document.update(fields)
    document["items"] = list(items)
    return json.dumps(document).encode()
