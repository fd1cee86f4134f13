"""How long does ``sync_feeds`` take for 50 feeds x 50 items from a loopback server?

Three situations, each on a fresh cache per repetition (medians printed):

- **cold**: empty cache, every feed downloaded, parsed and written (2,500 articles);
- **304**: a second sync; every feed answers 304 Not Modified to the stored ETag;
- **same body**: the server ignores validators and sends the unchanged body again, so the
  stored body hash is what spares the parse;
- **changed**: every feed's next generation at the same URL (10 % new items, the rest
  unchanged): only the new items reach feedparser and the text step
  (``--no-skip-unchanged`` turns both savings off, to measure them).

Parsing runs in the engine's thread pool only, its process pool from the first body, or
"auto" (threads, joined by the process pool once the work ahead pays for its start); see
``tuireader.sync.engine.PARSE_EXECUTOR``. ``--executor`` picks (comma-separated, alternated per
repetition so load changes hit all alike); the load average is printed with the times.
Extraction is off (this measures the sync engine alone). The feeds are the benchmark
generator's realistic German/English news items (RSS and Atom, about 240 KB each, gzip on the
wire). The server (tests/plugins/server.py) runs in a child process so
that it does not compete with the client for the GIL. All feeds live on 127.0.0.1, so the
per-host limit (default 2) would serialise them; ``--per-host`` (default 8, as if the feeds were
spread over several hosts) sets it.

    .venv/bin/python benchmarks/sync_50x50.py [--repeat 3] [--executor thread,auto]
                                              [--per-host 8] [--feeds 50] [--items 50]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "benchmarks")]

from feedgen import content_digest, render_feed  # noqa: E402

from tests.plugins.server import FeedServer, Route  # noqa: E402
from tuireader.config import SyncConfig  # noqa: E402
from tuireader.store import Store  # noqa: E402
from tuireader.sync import engine, sync_feeds  # noqa: E402

FEEDS = 50
ITEMS = 50


def serve_forever(
    port_queue: multiprocessing.Queue, feeds: int, items: int, rounds: int  # type: ignore[type-arg]
) -> None:
    """Child process: serve the feeds (with ETags) until terminated.

    Round *n* uses ``/r{n}/feed/{i}.xml``: generation 0 for its first three requests (cold,
    304, same body), then generation 1 (changed) at the same URL.
    """
    global FEEDS, ITEMS
    FEEDS, ITEMS = feeds, items
    server = FeedServer().start()
    for index in range(FEEDS):
        generations = []
        for generation in (0, 1):
            xml, _ = render_feed(
                1, index, generation, ITEMS, max(1, ITEMS // 10), base_url=server.url("")
            )
            body = xml.encode()
            route = Route(body=body, etag=content_digest(xml), gzip=True,
                          content_type="application/xml; charset=utf-8")
            route.gzipped()  # compress up front, not while being timed
            generations.append(route)
        for round_number in range(1, rounds + 1):
            server.sequence(f"/r{round_number}/feed/{index}.xml", [generations[0]] * 3
                            + [generations[1]])
    port_queue.put(server.port)
    threading.Event().wait()


def one_round(
    base_url: str, workdir: Path, round_number: int, config: SyncConfig
) -> dict[str, float]:
    """Seconds for cold, 304, same-body and changed syncs on a fresh cache."""
    timings: dict[str, float] = {}
    db_path = workdir / f"bench-{round_number}.db"
    with Store(db_path) as store:
        feed_ids = [
            store.add_feed(f"{base_url}/r{round_number}/feed/{i}.xml").id for i in range(FEEDS)
        ]
        started = time.perf_counter()
        cold = sync_feeds(store, config=config, extract=False)
        timings["cold"] = time.perf_counter() - started
        assert cold.new == FEEDS * ITEMS and cold.errors == 0, cold.to_json()
        started = time.perf_counter()
        warm = sync_feeds(store, config=config, extract=False)
        timings["304"] = time.perf_counter() - started
        assert {r.status for r in warm.feeds} == {"not_modified"}
        for feed_id in feed_ids:  # forget the validators: full bodies, same hash
            store.update_feed(feed_id, etag=None, last_modified=None)
        started = time.perf_counter()
        same = sync_feeds(store, config=config, extract=False)
        timings["same body"] = time.perf_counter() - started
        assert {r.status for r in same.feeds} == {"not_modified"}
        assert store.count_articles() == FEEDS * ITEMS
        started = time.perf_counter()
        changed = sync_feeds(store, config=config, extract=False)
        timings["changed"] = time.perf_counter() - started
        assert changed.new == FEEDS * max(1, ITEMS // 10) and changed.errors == 0
    return timings


def main() -> None:
    """Print median seconds per situation and executor."""
    global FEEDS, ITEMS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--executor", default="thread,auto",
                        help="comma-separated: thread, process, auto")
    parser.add_argument("--per-host", type=int, default=8)
    parser.add_argument("--feeds", type=int, default=FEEDS)
    parser.add_argument("--items", type=int, default=ITEMS)
    parser.add_argument("--no-skip-unchanged", action="store_true",
                        help="make the text of unchanged entries again (the old behaviour)")
    args = parser.parse_args()
    FEEDS, ITEMS = args.feeds, args.items
    executors = [name.strip() for name in args.executor.split(",") if name.strip()]
    unknown = set(executors) - {"thread", "process", "auto"}
    if unknown:
        parser.error(f"unknown executor(s): {', '.join(sorted(unknown))}")
    config = SyncConfig(per_host=args.per_host)
    if args.no_skip_unchanged:
        engine._SyncRun._prepare = lambda self, feed, job: None  # type: ignore[method-assign]
    load_before = os.getloadavg()
    spawn = multiprocessing.get_context("spawn")
    port_queue: multiprocessing.Queue = spawn.Queue()  # type: ignore[type-arg]
    child = spawn.Process(
        target=serve_forever, args=(port_queue, FEEDS, ITEMS, args.repeat * len(executors)),
        daemon=True,
    )
    child.start()
    try:
        base_url = f"http://127.0.0.1:{port_queue.get(timeout=60)}"
        with tempfile.TemporaryDirectory() as tmp:
            results: dict[str, dict[str, list[float]]] = {}
            round_number = 0
            for _ in range(args.repeat):
                for executor in executors:  # alternate, so load changes hit both alike
                    engine.PARSE_EXECUTOR = executor
                    round_number += 1
                    timings = one_round(base_url, Path(tmp), round_number, config)
                    for name, seconds in timings.items():
                        results.setdefault(executor, {}).setdefault(name, []).append(seconds)
    finally:
        child.terminate()
        child.join(timeout=10)
    load_after = os.getloadavg()
    print(f"{FEEDS} feeds x {ITEMS} items, loopback, gzip, jobs={config.jobs}, "
          f"per_host={config.per_host}, median of {args.repeat}, {os.cpu_count()} CPUs, "
          f"load {', '.join(f'{x:.2f}' for x in load_before)} -> "
          f"{', '.join(f'{x:.2f}' for x in load_after)}:")
    names = ("cold", "304", "same body", "changed")
    print(f"{'executor':<10}" + "".join(f"{name:>11}" for name in names))
    for executor, timings in results.items():
        cells = [statistics.median(timings[name]) for name in names]
        print(f"{executor:<10}" + "".join(f"{cell:>10.2f}s" for cell in cells))
    per_article = statistics.median(results[executors[0]]["cold"]) / (FEEDS * ITEMS) * 1000
    print(f"cold sync: {per_article:.2f} ms per article ({executors[0]} pool)")


if __name__ == "__main__":
    main()
