"""Loopback HTTP feed server for the benchmarks: N generated feeds with ETag, Last-Modified,
gzip and an optional per-request latency.

Serves ``/feed/<i>.xml`` for ``i`` in ``0 .. feeds-1`` (RSS 2.0 for even ``i``, Atom for odd)
from :mod:`feedgen`, on 127.0.0.1 only. Every document of the current generation is rendered
and gzipped before the server says it is ready (and before a generation bump returns), so the
clients being measured never wait on the generator.

Control endpoints (JSON answers):

* ``GET /control/stats``: generation, settings and request counters (by status, conditional
  requests, gzip answers, bytes sent);
* ``POST /control/bump``: next generation (every feed gets ``new_per_generation`` new items);
* ``POST /control/set?latency_ms=50&conditional=0``: change the latency, or turn conditional
  answers off (then every request gets a 200 with the unchanged body);
* ``POST /control/reset``: zero the counters;
* ``POST /control/quit``: stop.

With ``--hosts N`` it listens on 127.0.0.1 ... 127.0.0.N (one port): real subscriptions span
many sites, and a client that limits connections per host must not be throttled to one
"site" only because every benchmark feed lives on one address.

It stops by itself after ``--max-lifetime`` seconds or when its parent process goes away, so a
crashed benchmark never leaves it running. Start it with ``python benchmarks/feedserver.py
--feeds 200 --items 50``; it prints one JSON line ``{"port": ..., "url": ...}`` when ready.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from feedgen import content_digest, render_feed

FEED_PATH = re.compile(r"^/feed/(\d+)\.xml$")


@dataclass(frozen=True, slots=True)
class Document:
    """One rendered feed: plain and gzipped bytes with its validators."""

    body: bytes
    gzipped: bytes
    etag: str
    last_modified: str
    newest: float  # POSIX time of the newest item


class FeedStore:
    """The rendered feeds of the current generation, and the server's settings and counters."""

    def __init__(self, args: argparse.Namespace, base_url: str) -> None:
        self.seed: int = args.seed
        self.feeds: int = args.feeds
        self.items: int = args.items
        self.new_per_generation: int = args.new_per_generation
        self.languages: str = args.languages
        self.latency: float = args.latency_ms / 1000
        self.conditional = True
        self.generation: int = args.generation
        self.base_url = base_url
        self.documents: dict[int, Document] = {}
        self.counters: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.render_seconds = 0.0

    def render(self) -> None:
        """Render and gzip every feed of the current generation."""
        started = time.perf_counter()
        documents = {}
        for index in range(self.feeds):
            xml, newest = render_feed(
                self.seed, index, self.generation, self.items, self.new_per_generation,
                self.base_url, self.languages,
            )
            body = xml.encode("utf-8")
            documents[index] = Document(
                body=body,
                gzipped=gzip.compress(body, compresslevel=6, mtime=0),
                etag=content_digest(xml),
                last_modified=format_datetime(newest, usegmt=True),
                newest=newest.timestamp(),
            )
        self.documents = documents
        self.render_seconds = time.perf_counter() - started

    def count(self, *keys: str, amount: int = 1) -> None:
        """Add to counters (thread-safe)."""
        with self.lock:
            for key in keys:
                self.counters[key] += amount

    def stats(self) -> dict[str, object]:
        """Settings and counters as JSON-ready data."""
        with self.lock:
            counters = dict(self.counters)
        return {
            "generation": self.generation,
            "feeds": self.feeds,
            "items": self.items,
            "new_per_generation": self.new_per_generation,
            "latency_ms": round(self.latency * 1000, 3),
            "conditional": self.conditional,
            "render_seconds": round(self.render_seconds, 3),
            "counters": counters,
        }


def not_modified(document: Document, if_none_match: str | None, if_modified_since: str | None
                 ) -> bool:
    """RFC 9110 conditional GET: If-None-Match wins over If-Modified-Since."""
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or document.etag in tags
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError, IndexError):
            return False
        return document.newest <= since
    return False


def make_handler(store: FeedStore) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to ``store``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "tuireader-bench-feedserver/1"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the counters say what happened."""

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body and self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, data: object) -> None:
            self._send(200, json.dumps(data).encode(), {"Content-Type": "application/json"})

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            match = FEED_PATH.match(url.path)
            if match:
                self._feed(int(match.group(1)))
            elif url.path == "/control/stats":
                self._json(store.stats())
            else:
                store.count("status_404")
                self._send(404, b"not found\n", {"Content-Type": "text/plain"})

        do_HEAD = do_GET

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            if url.path == "/control/bump":
                store.generation += 1
                store.render()
                self._json(store.stats())
            elif url.path == "/control/set":
                if "latency_ms" in query:
                    store.latency = float(query["latency_ms"][0]) / 1000
                if "conditional" in query:
                    store.conditional = query["conditional"][0] not in ("0", "false", "no")
                self._json(store.stats())
            elif url.path == "/control/reset":
                with store.lock:
                    store.counters.clear()
                self._json(store.stats())
            elif url.path == "/control/quit":
                self._json({"quitting": True})
                threading.Thread(target=lambda: (time.sleep(0.2), os._exit(0)),
                                 daemon=True).start()
            else:
                self._send(404, b"not found\n", {"Content-Type": "text/plain"})

        def _feed(self, index: int) -> None:
            if store.latency:
                time.sleep(store.latency)
            document = store.documents.get(index)
            if document is None:
                store.count("status_404")
                self._send(404, b"no such feed\n", {"Content-Type": "text/plain"})
                return
            if_none_match = self.headers.get("If-None-Match")
            if_modified_since = self.headers.get("If-Modified-Since")
            conditional_request = bool(if_none_match or if_modified_since)
            validators = {"ETag": document.etag, "Last-Modified": document.last_modified}
            store.count("requests", *(["conditional_requests"] if conditional_request else []))
            if store.conditional and not_modified(document, if_none_match, if_modified_since):
                store.count("status_304")
                self._send(304, b"", validators)
                return
            accept = self.headers.get("Accept-Encoding", "")
            use_gzip = "gzip" in accept.lower()
            body = document.gzipped if use_gzip else document.body
            headers = {
                "Content-Type": "application/rss+xml; charset=utf-8"
                if index % 2 == 0 else "application/atom+xml; charset=utf-8",
                "Vary": "Accept-Encoding",
                **validators,
            }
            if use_gzip:
                headers["Content-Encoding"] = "gzip"
                store.count("gzip_answers")
            store.count("status_200")
            store.count("bytes_sent", amount=len(body))
            self._send(200, body, headers)

    return Handler


def _watchdog(max_lifetime: float, parent: int) -> None:
    """Stop when the lifetime is over or the parent process is gone."""
    deadline = time.monotonic() + max_lifetime
    while time.monotonic() < deadline:
        if os.getppid() != parent:
            break
        time.sleep(0.5)
    os._exit(0)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--new-per-generation", type=int, default=5)
    parser.add_argument("--generation", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--languages", default="de,en", choices=["de,en", "de", "en"],
                        help="feed languages: the 60/40 mix, or all one language")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--hosts", type=int, default=1,
                        help="listen on 127.0.0.1 .. 127.0.0.N (same port), so clients that "
                        "limit connections per host see N hosts, as with real subscriptions")
    parser.add_argument("--max-lifetime", type=float, default=3600.0,
                        help="seconds after which the server exits by itself")
    return parser.parse_args(argv)


def loopback_host(number: int) -> str:
    """The ``number``-th loopback address (0 -> 127.0.0.1), all inside 127.0.0.0/8."""
    return f"127.0.{number // 254}.{number % 254 + 1}"


class QuietServer(ThreadingHTTPServer):
    """A threaded server that counts, rather than prints, clients hanging up mid-connection."""

    request_queue_size = 1024
    daemon_threads = True
    store: FeedStore | None = None

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients closing kept-alive connections are normal; anything else is printed."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            if self.store is not None:
                self.store.count("connection_resets")
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def bind_servers(hosts: int, port: int) -> list[QuietServer]:
    """One server per loopback address, all on one port (retrying when a port is taken)."""
    for _attempt in range(20):
        servers = [QuietServer((loopback_host(0), port), BaseHTTPRequestHandler)]
        chosen = servers[0].server_address[1]
        try:
            for number in range(1, hosts):
                servers.append(QuietServer((loopback_host(number), chosen),
                                           BaseHTTPRequestHandler))
        except OSError:
            for server in servers:
                server.server_close()
            if port:
                raise
            continue
        return servers
    raise OSError("no port free on every loopback address")


def main(argv: list[str] | None = None) -> None:
    """Render the feeds, print the address as JSON, serve until told to stop."""
    args = parse_args(argv)
    servers = bind_servers(max(1, args.hosts), args.port)
    port = servers[0].server_address[1]
    base_url = f"http://127.0.0.1:{port}"
    store = FeedStore(args, base_url)
    store.render()
    handler = make_handler(store)
    for server in servers:
        server.RequestHandlerClass = handler
        server.store = store
    threading.Thread(target=_watchdog, args=(args.max_lifetime, os.getppid()),
                     daemon=True).start()
    threads = [threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                daemon=True) for server in servers[1:]]
    for thread in threads:
        thread.start()
    print(json.dumps({"port": port, "url": base_url, "pid": os.getpid(),
                      "hosts": [loopback_host(n) for n in range(len(servers))],
                      "render_seconds": round(store.render_seconds, 3)}), flush=True)
    try:
        servers[0].serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers[1:]:
            server.shutdown()
        for server in servers:
            server.server_close()


if __name__ == "__main__":
    main()
