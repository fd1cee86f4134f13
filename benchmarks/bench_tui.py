"""TUI benchmark: the reader on a cache of 100,000 articles, driven in-process with Pilot.

Generates the articles into a temporary cache (``Store.write_entries`` in batches of 1,000,
100 feeds, a named actor in every 50th article), then measures in a headless Textual app at
120x40:

- time to first screen (app start until the list is drawn with the newest article),
- cursor down 1,000 rows (time per keypress: median and p95; a key bound to nothing is timed
  too, as the cost of Pilot's own press-and-wait round trip),
- opening an article (enter: read, mark read, wrap and highlight),
- full-text search (from enter in the ``/`` prompt until the list shows the results),
- filter by actor (opening the ``a`` picker; from enter on a name until the list shows
  the results),

and peak RSS of the process (``resource.getrusage``). Prints a table, writes JSON to
``benchmarks/results/tui-<time>.json`` and ``tui-latest.json``.

    .venv/bin/python benchmarks/bench_tui.py                 # 100,000 articles
    .venv/bin/python benchmarks/bench_tui.py --articles 5000 # quick check
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tuireader.store import EntryData, Store  # noqa: E402
from tuireader.ui.app import ReaderApp  # noqa: E402
from tuireader.ui.components.main_screen import MainScreen  # noqa: E402

RESULTS_DIR = REPO / "benchmarks" / "results"
FEEDS = 100
BATCH = 1_000
ACTOR_EVERY = 50
WORDS = ("Regierung", "Haushalt", "Wahl", "Klima", "Energie", "Bahn", "Schule", "Nato", "Ukraine")


def build_cache(path: Path, articles: int) -> dict[str, float]:
    """Write ``articles`` generated articles (and some extraction results) into ``path``."""
    started = time.perf_counter()
    store = Store(path)
    feed_ids = [
        store.add_feed(f"https://feeds.example/{n}.xml", title=f"Feed {n:03d}").id
        for n in range(FEEDS)
    ]
    base = datetime(2024, 1, 1, tzinfo=UTC)
    per_feed = articles // FEEDS
    written = 0
    for feed_number, feed_id in enumerate(feed_ids):
        count = per_feed + (1 if feed_number < articles % FEEDS else 0)
        for start in range(0, count, BATCH):
            batch = []
            for n in range(start, min(count, start + BATCH)):
                index = written + n - start
                word = WORDS[index % len(WORDS)]
                moment = base + timedelta(minutes=7 * index)
                batch.append(EntryData(
                    entry_id=f"{feed_id}-{n}", title=f"{word}: Meldung {index:06d} aus Feed "
                    f"{feed_number}", url=f"https://news.example/{feed_id}/{n}",
                    published=moment.isoformat(),
                    text=f"{word} Meldung {index}. Mark Rutte sprach. " + "Ein Satz. " * 30,
                    content_hash=str(index),
                ))
            store.write_entries(feed_id, batch)
            written += len(batch)
    write_seconds = time.perf_counter() - started
    ids = store.article_ids()
    started = time.perf_counter()
    for article_id in ids[::ACTOR_EVERY]:
        article = store.get_article(article_id)
        assert article is not None
        start = article.text.index("Mark Rutte")
        store.save_extraction(article_id, {
            "entities": [{"start": start, "end": start + 10, "text": "Mark Rutte",
                          "label": "PER"}],
            "figures": [],
            "actors": [{"name": "Mark Rutte", "label": "PER", "role": "NATO-Generalsekretär",
                        "mentions": [[start, start + 10]], "quotes": []}],
        }, 1)
    store.close()
    return {"write_seconds": write_seconds, "extraction_seconds": time.perf_counter() - started}


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


async def wait_until(pilot: Any, condition: Any, timeout: float = 60.0) -> None:
    """Pause the pilot until ``condition()`` holds."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not reach the expected state")
        await pilot.pause(0.001)


async def measure(path: Path, rows: int) -> dict[str, Any]:
    """Drive the app and time each step."""
    store = Store(path)
    store.set_state("ui.filter", None)  # a reused cache starts on all articles, at the top
    store.set_state("ui.cursor", None)
    newest = store.summaries(store.article_ids()[:1])[0].title
    results: dict[str, Any] = {}
    started = time.perf_counter()
    app = ReaderApp(store, timezone=UTC, theme="textual-dark")
    async with app.run_test(size=(120, 40)) as pilot:

        def drawn() -> bool:
            screen = app.screen
            return isinstance(screen, MainScreen) and bool(screen.articles.ids) and any(
                newest in "".join(s.text for s in strip)
                for strip in screen._compositor.render_strips()
            )

        await wait_until(pilot, drawn)
        results["first_screen_s"] = time.perf_counter() - started
        screen = app.screen
        assert isinstance(screen, MainScreen)

        baseline = []
        for _ in range(min(rows, 200)):  # a key bound to nothing: Pilot's own cost per press
            before = time.perf_counter()
            await pilot.press("f12")
            baseline.append(time.perf_counter() - before)
        results["unbound_key_median_ms"] = statistics.median(baseline) * 1000

        timings = []
        for _ in range(rows):
            before = time.perf_counter()
            await pilot.press("j")
            timings.append(time.perf_counter() - before)
        assert screen.articles.cursor == rows
        assert len(screen.articles.ids) == store.count_articles()
        results["cursor_down_rows"] = rows
        results["key_median_ms"] = statistics.median(timings) * 1000
        results["key_p95_ms"] = percentile(timings, 0.95) * 1000
        results["key_max_ms"] = max(timings) * 1000

        before = time.perf_counter()
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.open_id == screen.articles.current_id)
        results["open_article_ms"] = (time.perf_counter() - before) * 1000

        await pilot.press("slash")
        await pilot.press(*"Klima Meldung")
        before = time.perf_counter()
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.filter.search == "Klima Meldung")
        results["search_ms"] = (time.perf_counter() - before) * 1000
        results["search_hits"] = len(screen.articles.ids)

        await pilot.press("escape")
        before = time.perf_counter()
        await pilot.press("a")
        await wait_until(pilot, lambda: app.screen is not screen)
        results["actor_picker_ms"] = (time.perf_counter() - before) * 1000
        await pilot.press(*"Rutte")
        before = time.perf_counter()
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.filter.actor_id is not None)
        results["actor_filter_ms"] = (time.perf_counter() - before) * 1000
        results["actor_hits"] = len(screen.articles.ids)
        await pilot.press("q")
    store.close()
    return results


def main() -> None:
    """Build the cache, run the measurements, print and save them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=1_000, help="cursor-down presses")
    parser.add_argument("--db", type=Path, help="reuse (or create) this cache file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tuireader-bench-tui-") as scratch:
        path = args.db or Path(scratch) / "cache.db"
        build: dict[str, float] = {}
        if not path.exists():
            build = build_cache(path, args.articles)
        results = asyncio.run(measure(path, min(args.rows, args.articles - 1)))
        with Store(path) as store:
            articles = store.count_articles()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results["peak_rss_mib"] = peak_kib / 1024
    data = {
        "benchmark": "tui", "articles": articles, "terminal": "120x40", "build": build,
        "results": results, "python": platform.python_version(),
        "machine": platform.machine(), "time": datetime.now(UTC).isoformat(),
    }
    table = Table(title=f"tuireader TUI, {articles:,} articles, 120x40 (headless Pilot)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("first screen", f"{results['first_screen_s'] * 1000:.0f} ms")
    table.add_row(f"cursor down x{results['cursor_down_rows']}: median per key",
                  f"{results['key_median_ms']:.2f} ms")
    table.add_row("cursor down: p95 per key", f"{results['key_p95_ms']:.2f} ms")
    table.add_row("cursor down: max per key", f"{results['key_max_ms']:.2f} ms")
    table.add_row("unbound key (Pilot overhead): median",
                  f"{results['unbound_key_median_ms']:.2f} ms")
    table.add_row("open article", f"{results['open_article_ms']:.0f} ms")
    table.add_row(f"search ({results['search_hits']:,} hits)", f"{results['search_ms']:.0f} ms")
    table.add_row("open actor picker", f"{results['actor_picker_ms']:.0f} ms")
    table.add_row(f"filter by actor ({results['actor_hits']:,} hits)",
                  f"{results['actor_filter_ms']:.0f} ms")
    table.add_row("peak RSS", f"{results['peak_rss_mib']:.0f} MiB")
    Console().print(table)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(data, indent=2)
    (RESULTS_DIR / f"tui-{stamp}.json").write_text(text)
    (RESULTS_DIR / "tui-latest.json").write_text(text)
    print(f"results: {RESULTS_DIR / f'tui-{stamp}.json'}")


if __name__ == "__main__":
    main()
