"""TUI benchmark: the reader on a cache of 100,000 articles, driven in-process with Pilot.

Generates the articles into a temporary cache (``Store.write_entries`` in batches of 1,000,
100 feeds; five people from a pool of 5,000 in every article, "Mark Rutte" in every 50th),
then measures in a headless Textual app at 120x40:

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
import random
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

from tuireader.store import ArticleFilter, EntryData, Store  # noqa: E402
from tuireader.ui.app import ReaderApp  # noqa: E402
from tuireader.ui.components.main_screen import MainScreen  # noqa: E402

RESULTS_DIR = REPO / "benchmarks" / "results"
FEEDS = 100
BATCH = 1_000
ACTOR_EVERY = 50
ACTOR_POOL = 5_000
OTHER_ACTORS = 5
KEY_TARGET_MS = 50
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
    # Every article names OTHER_ACTORS people drawn from a pool with a Zipf-like spread (a few
    # are in the news every day, most rarely), as extraction would store them; "Mark Rutte"
    # is in every ACTOR_EVERY-th article (the actor filter's 2,000 hits at 100,000).
    rng = random.Random(1)
    pool = [f"Person {k:04d}" for k in range(ACTOR_POOL)]
    weights = [1 / (k + 1) for k in range(ACTOR_POOL)]
    for position, article_id in enumerate(ids):
        article = store.get_article(article_id)
        assert article is not None
        start = article.text.index("Mark Rutte")
        actors = [
            {"name": name, "label": "PER", "role": None, "mentions": [[0, 5]], "quotes": []}
            for name in dict.fromkeys(rng.choices(pool, weights, k=OTHER_ACTORS))
        ]
        entities = []
        if position % ACTOR_EVERY == 0:
            entities.append({"start": start, "end": start + 10, "text": "Mark Rutte",
                             "label": "PER"})
            actors.append({"name": "Mark Rutte", "label": "PER",
                           "role": "NATO-Generalsekretär", "mentions": [[start, start + 10]],
                           "quotes": []})
        store.save_extraction(article_id, {"entities": entities, "figures": [],
                                           "actors": actors}, 1)
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


class FrameClock:
    """Times from a keypress to the first frame the app draws in the state the key asked for.

    Textual calls ``App._display`` with every screen update it has composed (headless too,
    where nothing is written). Wrapping it gives "key to screen" latencies that leave out
    Pilot's own round trip (about 40 ms a key, which it spends waiting for the app to be
    idle, workers and timers included) but include the work done in workers before the
    result is drawn.
    """

    def __init__(self, app: Any) -> None:
        self.started = 0.0
        self.condition: Any = None
        self.latency: float | None = None
        display = app._display

        def timed_display(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if self.condition is not None and renderable is not None and self.condition():
                self.latency = time.perf_counter() - self.started
                self.condition = None

        app._display = timed_display

    async def time_key(self, pilot: Any, key: str, condition: Any) -> float:
        """Press ``key`` and return the seconds until a frame is drawn with ``condition()``."""
        self.latency, self.condition = None, condition
        self.started = time.perf_counter()
        await pilot.press(key)
        await wait_until(pilot, lambda: self.latency is not None)
        assert self.latency is not None
        return self.latency


def summarise(prefix: str, samples: list[float], results: dict[str, Any]) -> None:
    """Median, p95 and max of ``samples`` (seconds) as ``<prefix>_{median,p95,max}_ms``."""
    results[f"{prefix}_samples"] = len(samples)
    results[f"{prefix}_median_ms"] = statistics.median(samples) * 1000
    results[f"{prefix}_p95_ms"] = percentile(samples, 0.95) * 1000
    results[f"{prefix}_max_ms"] = max(samples) * 1000


SEARCHES = ("Klima Meldung", "Energie", "Nato", "Bahn Meldung")


async def measure(path: Path, rows: int, repeats: int) -> dict[str, Any]:
    """Drive the app and time each step."""
    store = Store(path)
    store.set_state("ui.filter", None)  # a reused cache starts on all articles, at the top
    store.set_state("ui.cursor", None)
    newest = store.summaries(store.article_ids()[:1])[0].title
    first_hit = {words: store.article_ids(ArticleFilter(search=words), limit=1)[0]
                 for words in SEARCHES}
    rutte = next(actor for actor in store.top_actors(500) if actor.name == "Mark Rutte")
    actor_first = store.article_ids(ArticleFilter(actor_id=rutte.id), limit=1)
    results: dict[str, Any] = {}
    started = time.perf_counter()
    app = ReaderApp(store, timezone=UTC, theme="textual-dark")
    clock = FrameClock(app)
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

        moves = []
        for row in range(1, rows + 1):
            moves.append(await clock.time_key(
                pilot, "j", lambda row=row: screen.articles.cursor == row))
        assert len(screen.articles.ids) == store.count_articles()
        results["cursor_down_rows"] = rows
        summarise("key", moves, results)

        opens = []
        for _ in range(repeats):
            await pilot.press("j")
            target = screen.articles.current_id
            opens.append(await clock.time_key(
                pilot, "enter", lambda target=target: screen.open_id == target))
        summarise("open_article", opens, results)

        searches = []
        for k in range(repeats):
            words = SEARCHES[k % len(SEARCHES)]
            await pilot.press("slash")
            await pilot.press("ctrl+u", *words)
            searches.append(await clock.time_key(
                pilot, "enter",
                lambda words=words: screen.filter.search == words
                and screen.articles.ids[:1] == [first_hit[words]],
            ))
        results["search_hits"] = len(screen.articles.ids)
        summarise("search", searches, results)
        await pilot.press("escape")

        pickers, filters = [], []
        for _ in range(max(3, repeats // 2)):
            await wait_until(pilot, lambda: screen.filter.actor_id is None)
            pickers.append(await clock.time_key(pilot, "a", lambda: app.screen is not screen))
            await pilot.press(*"Rutte")
            filters.append(await clock.time_key(
                pilot, "enter",
                lambda: app.screen is screen and screen.filter.actor_id is not None
                and bool(screen.articles.ids)
                and screen.articles.ids[:1] == actor_first,
            ))
            results["actor_hits"] = len(screen.articles.ids)
            await pilot.press("escape")
        summarise("actor_picker", pickers, results)
        summarise("actor_filter", filters, results)
        await pilot.press("q")
    store.close()
    return results


def main() -> None:
    """Build the cache, run the measurements, print and save them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=1_000, help="cursor-down presses")
    parser.add_argument("--db", type=Path, help="reuse (or create) this cache file")
    parser.add_argument("--repeats", type=int, default=20,
                        help="samples of opening, searching (half as many: actor picker/filter)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tuireader-bench-tui-") as scratch:
        path = args.db or Path(scratch) / "cache.db"
        build: dict[str, float] = {}
        if not path.exists():
            build = build_cache(path, args.articles)
        results = asyncio.run(measure(path, min(args.rows, args.articles - 1), args.repeats))
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
    table.add_column("median", justify="right")
    table.add_column("p95", justify="right")
    table.add_column("max", justify="right")
    table.add_column("target", justify="right")
    table.add_row("first screen (in process)", f"{results['first_screen_s'] * 1000:.0f} ms")
    rows = [
        ("key", f"cursor down x{results['cursor_down_rows']}"),
        ("open_article", "open an article"),
        ("search", f"search ({results['search_hits']:,} hits)"),
        ("actor_picker", "open the actor picker"),
        ("actor_filter", f"filter by actor ({results['actor_hits']:,} hits)"),
    ]
    for key, label in rows:
        p95 = results[f"{key}_p95_ms"]
        verdict = "pass" if p95 < KEY_TARGET_MS else "FAIL"
        table.add_row(
            f"{label}, key to screen ({results[f'{key}_samples']} samples)", "",
            f"{results[f'{key}_median_ms']:.1f} ms", f"{p95:.1f} ms",
            f"{results[f'{key}_max_ms']:.1f} ms", f"< {KEY_TARGET_MS} ms p95: {verdict}",
        )
    table.add_row("Pilot's own round trip per key (not counted above)",
                  f"{results['unbound_key_median_ms']:.1f} ms")
    table.add_row("peak RSS", f"{results['peak_rss_mib']:.0f} MiB", "", "", "", "≤ 200 MiB")
    Console(width=140).print(table)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(data, indent=2)
    (RESULTS_DIR / f"tui-{stamp}.json").write_text(text)
    (RESULTS_DIR / "tui-latest.json").write_text(text)
    print(f"results: {RESULTS_DIR / f'tui-{stamp}.json'}")


if __name__ == "__main__":
    main()
