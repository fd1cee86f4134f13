"""Sync benchmark: ``tuireader sync`` against ``newsboat -x reload`` on the same loopback feeds.

For each feed-set size (feeds x items) and per-request latency, every client runs, per
repetition and in alternating order, the same sequence on a fresh cache:

1. **cold**: empty cache, every feed downloaded;
2. **changed**: the server moves to the next generation, so every feed has new items;
3. **warm**: nothing changed, every conditional request gets a 304 (this is newsboat 2.21's
   third reload, the first on which it sends the ETag/Last-Modified it stored);
4. **same-body**: the server ignores validators and answers 200 with the unchanged body.

Clients: ``newsboat -x reload`` (reload-threads 8), ``tuireader sync --quiet --no-extract``
and ``tuireader sync --quiet`` (with extraction). The table shows medians, ratios against
newsboat and pass/fail against issue 6's targets; JSON with every run goes to
``benchmarks/results/sync-*.json``.

    .venv/bin/python benchmarks/bench_sync.py            # 200x50 and 1000x20, 0 and 50 ms
    .venv/bin/python benchmarks/bench_sync.py --quick    # 20x10, one repetition
    .venv/bin/python benchmarks/bench_sync.py --profile  # plus py-spy of a cold and warm sync
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    RESULTS_DIR,
    TUIREADER,
    Deadline,
    FeedServer,
    NewsboatProfile,
    RunResult,
    console,
    ensure_tools,
    fmt,
    git_commit,
    isolated_env,
    machine_info,
    make_table,
    median,
    ratio,
    run_checked,
    run_measured,
    scratch_dir,
    tuireader_command,
    tuireader_commands,
    verdict,
    write_results,
)

SCENARIOS = ("cold", "changed", "warm", "same-body")
NEWSBOAT, TR_FAST, TR_EXTRACT = "newsboat", "tuireader --no-extract", "tuireader"

# Issue 6's targets: tuireader without extraction over newsboat's wall time, by
# (scenario, latency); None latency means every latency.
TARGETS: dict[tuple[str, float | None], float] = {
    ("warm", None): 0.5,
    ("same-body", None): 0.5,
    ("cold", 50.0): 1.2,
    ("changed", 50.0): 1.0,
    ("cold", 0.0): 2.0,
}


def target_for(scenario: str, latency_ms: float) -> float | None:
    """The ratio tuireader --no-extract must stay under, or None when the issue sets none."""
    return TARGETS.get((scenario, latency_ms), TARGETS.get((scenario, None)))


@dataclass(slots=True)
class Measurement:
    """One timed run of one client in one scenario."""

    client: str
    size: str
    latency_ms: float
    scenario: str
    repetition: int
    wall_seconds: float
    peak_rss_mb: float
    cpu_seconds: float
    ok: bool
    articles_after: int | None
    new_articles: int | None
    extracted_after: int | None = None  # articles with extraction results (tuireader)
    git_commit: str = ""  # the work tree's HEAD when the run started (code may land mid-run)
    server: dict[str, Any] = field(default_factory=dict)
    error: str = ""


class Client:
    """One reader under test: set up a fresh cache, then reload it."""

    name: str

    def __init__(self, root: Path, urls: list[str]) -> None:
        self.root = root
        self.urls = urls
        self.env = isolated_env(root / "home")

    def reload_command(self) -> list[str]:
        """The measured command."""
        raise NotImplementedError

    def article_count(self) -> int | None:
        """Articles in the cache now (to check the run did its work)."""
        raise NotImplementedError

    def extracted_count(self) -> int | None:
        """Articles with extraction results now (None for a reader without extraction)."""
        return None


class NewsboatClient(Client):
    """``newsboat -x reload`` with reload-threads 8."""

    name = NEWSBOAT

    def __init__(self, root: Path, urls: list[str]) -> None:
        super().__init__(root, urls)
        self.profile = NewsboatProfile(root / "newsboat")
        self.profile.write(urls)

    def reload_command(self) -> list[str]:
        return self.profile.command("-x", "reload")

    def article_count(self) -> int | None:
        if not self.profile.cache.exists():
            return None
        with contextlib.closing(sqlite3.connect(self.profile.cache)) as conn:
            return int(conn.execute("SELECT count(*) FROM rss_item").fetchone()[0])


class TuireaderClient(Client):
    """``tuireader --db DB sync --quiet [--no-extract]`` after importing the same URLs."""

    def __init__(self, root: Path, urls: list[str], *, extract: bool) -> None:
        super().__init__(root, urls)
        self.extract = extract
        self.name = TR_EXTRACT if extract else TR_FAST
        self.db = root / "tuireader.db"
        self.subscribe()

    def subscribe(self) -> None:
        """Add the feeds: ``tuireader import`` of a newsboat urls file, else the store API."""
        urls_file = self.root / "urls"
        urls_file.write_text("".join(f"{url}\n" for url in self.urls))
        if "import" in tuireader_commands():
            run_checked(tuireader_command(self.db, "import", str(urls_file)), env=self.env)
        else:
            from tuireader.store import Store

            with Store(self.db) as store:
                for url in self.urls:
                    store.add_feed(url)
        count = self._feed_count()
        if count != len(self.urls):
            raise RuntimeError(f"tuireader subscribed {count} of {len(self.urls)} feeds")

    def _feed_count(self) -> int:
        with contextlib.closing(sqlite3.connect(self.db)) as conn:
            return int(conn.execute("SELECT count(*) FROM feeds").fetchone()[0])

    def reload_command(self) -> list[str]:
        return tuireader_command(self.db, "sync", "--quiet",
                                 *([] if self.extract else ["--no-extract"]))

    def article_count(self) -> int | None:
        with contextlib.closing(sqlite3.connect(self.db)) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def extracted_count(self) -> int | None:
        with contextlib.closing(sqlite3.connect(self.db)) as conn:
            return int(conn.execute(
                "SELECT count(*) FROM articles WHERE extracted_version IS NOT NULL"
            ).fetchone()[0])


def make_client(name: str, root: Path, urls: list[str]) -> Client:
    """A fresh client of the given kind in ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    if name == NEWSBOAT:
        return NewsboatClient(root, urls)
    return TuireaderClient(root, urls, extract=name == TR_EXTRACT)


def run_sequence(
    client_name: str, server: FeedServer, size: str, latency_ms: float, repetition: int,
    scenarios: list[str], timeout: float, keep: bool,
) -> list[Measurement]:
    """One client's cold -> changed -> warm -> same-body sequence on a fresh cache."""
    results: list[Measurement] = []
    with scratch_dir(f"bench-sync-{client_name.split()[0]}-", keep=keep) as root:
        client = make_client(client_name, root, server.feed_urls())
        before = client.article_count() or 0
        for scenario in SCENARIOS:
            if scenario == "changed":
                server.bump()
            if scenario == "same-body":
                server.configure(conditional=False)
            server.reset()
            commit = git_commit()
            run: RunResult = run_measured(client.reload_command(), env=client.env,
                                          timeout=timeout)
            if scenario == "same-body":
                server.configure(conditional=True)
            after = client.article_count()
            counters = server.stats()["counters"]
            error = ""
            if not run.ok:
                error = ("timed out" if run.timed_out else f"exit {run.returncode}") + ": " + (
                    run.stderr_tail.strip().splitlines() or [""])[-1][:300]
            if scenario in scenarios:
                results.append(Measurement(
                    client=client_name, size=size, latency_ms=latency_ms, scenario=scenario,
                    repetition=repetition, wall_seconds=run.wall_seconds,
                    peak_rss_mb=run.peak_rss_mb,
                    cpu_seconds=run.user_seconds + run.system_seconds, ok=run.ok,
                    articles_after=after,
                    new_articles=None if after is None else after - before,
                    extracted_after=client.extracted_count(), git_commit=commit,
                    server=counters, error=error,
                ))
            before = after or 0
            if not run.ok:
                console.print(f"  [red]{client_name} {scenario}: {error}")
                break
            if scenario == "cold" and client.extracted_count() == 0 and client_name == TR_EXTRACT:
                console.print("  [yellow]tuireader sync extracted nothing: is the NER model "
                              "installed? (`tuireader extract` says why)")
            console.print(
                f"  {size} {latency_ms:g}ms rep{repetition} {client_name:24} {scenario:9} "
                f"{run.wall_seconds:7.2f}s rss {run.peak_rss_mb:6.0f}MB "
                f"articles {after} (200:{counters.get('status_200', 0)} "
                f"304:{counters.get('status_304', 0)} "
                f"cond:{counters.get('conditional_requests', 0)})"
            )
    return results


def summarise(measurements: list[Measurement], clients: list[str]) -> list[dict[str, Any]]:
    """Medians per (size, latency, scenario, client), ratios and verdicts."""
    rows: list[dict[str, Any]] = []
    keys = sorted({(m.size, m.latency_ms, m.scenario) for m in measurements},
                  key=lambda k: (int(k[0].split("x")[0]), k[1], SCENARIOS.index(k[2])))
    for size, latency, scenario in keys:
        row: dict[str, Any] = {"size": size, "latency_ms": latency, "scenario": scenario}
        for client in clients:
            runs = [m for m in measurements if (m.size, m.latency_ms, m.scenario, m.client)
                    == (size, latency, scenario, client)]
            good = [m for m in runs if m.ok]
            row[client] = {
                "median_seconds": median([m.wall_seconds for m in good]),
                "median_cpu_seconds": median([m.cpu_seconds for m in good]),
                "runs": len(runs),
                "failed": len(runs) - len(good),
                "peak_rss_mb": max((m.peak_rss_mb for m in good), default=None),
                "new_articles": median([m.new_articles for m in good
                                        if m.new_articles is not None]),
            }
        base = row.get(NEWSBOAT, {}).get("median_seconds")
        fast = row.get(TR_FAST, {}).get("median_seconds")
        slow = row.get(TR_EXTRACT, {}).get("median_seconds")
        row["ratio_no_extract"] = ratio(fast, base)
        row["cpu_ratio_no_extract"] = ratio(row.get(TR_FAST, {}).get("median_cpu_seconds"),
                                            row.get(NEWSBOAT, {}).get("median_cpu_seconds"))
        row["ratio_extract"] = ratio(slow, base)
        row["target"] = target_for(scenario, latency)
        row["pass"] = (None if row["target"] is None or row["ratio_no_extract"] is None
                       else row["ratio_no_extract"] <= row["target"])
        new = row.get(TR_EXTRACT, {}).get("new_articles")
        extracted = [m.extracted_after for m in measurements
                     if (m.size, m.latency_ms, m.scenario, m.client, m.ok)
                     == (size, latency, scenario, TR_EXTRACT, True)
                     and m.extracted_after is not None]
        row["extracted_after"] = median(extracted)
        if TR_EXTRACT in clients and extracted and max(extracted) == 0:
            row["extract_note"] = "extraction did not run (no article has results)"
        elif fast is not None and slow is not None and new:
            row["extract_seconds_per_article"] = (slow - fast) / new
            row["extract_articles_per_second"] = new / slow
        rows.append(row)
    return rows


def print_summary(rows: list[dict[str, Any]], clients: list[str], info: dict[str, Any]) -> None:
    """The result table."""
    table_rows = []
    for row in rows:
        def cell(client: str, key: str, row: dict[str, Any] = row) -> float | None:
            return row.get(client, {}).get(key)

        target = row["target"]
        table_rows.append([
            row["size"], f"{row['latency_ms']:g} ms", row["scenario"],
            fmt(cell(NEWSBOAT, "median_seconds")),
            fmt(cell(TR_FAST, "median_seconds")),
            fmt(row["ratio_no_extract"], 2, "x"),
            "–" if target is None else f"≤ {target:g}x",
            verdict(row["pass"]),
            fmt(cell(TR_EXTRACT, "median_seconds")),
            fmt(row["ratio_extract"], 2, "x"),
            "none ran" if row.get("extract_note") else
            fmt(None if row.get("extract_seconds_per_article") is None
                else row["extract_seconds_per_article"] * 1000, 1),
            f"{fmt(cell(NEWSBOAT, 'median_cpu_seconds'), 1)} / "
            f"{fmt(cell(TR_FAST, 'median_cpu_seconds'), 1)}",
            fmt(row["cpu_ratio_no_extract"], 2, "x"),
            fmt(cell(NEWSBOAT, "peak_rss_mb"), 0),
            fmt(cell(TR_FAST, "peak_rss_mb"), 0),
            fmt(cell(TR_EXTRACT, "peak_rss_mb"), 0),
        ])
    columns = ["feeds", "latency", "scenario", "newsboat s", "tr --no-extract s", "ratio",
               "target", "", "tr extract s", "ratio", "extract ms/article", "CPU s nb / tr",
               "CPU ratio", "nb RSS MB",
               "tr RSS MB", "tr+x RSS MB"]
    caption = (f"medians; newsboat {info['newsboat']}; load before {info['loadavg']}, after "
               f"{info.get('loadavg_after')}; {info['cpus']} CPUs {info['cpu_model']}")
    console.print(make_table("tuireader sync vs newsboat -x reload", columns, table_rows,
                             caption))


def summarise_collapsed(path: Path, top: int = 25) -> str:
    """Top functions of a py-spy ``--format raw`` (collapsed stacks) file, inclusive and self."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [frame.strip() for frame in stack.split(";")]
        for frame in set(frames[1:]):  # frames[0] is the thread
            inclusive[frame] = inclusive.get(frame, 0) + count
        own[frames[-1]] = own.get(frames[-1], 0) + count
    if not total:
        return "no samples"
    lines = [f"{total} samples"]
    for title, table in (("inclusive", inclusive), ("self", own)):
        lines.append(f"-- top {top} by {title} samples --")
        for frame, count in sorted(table.items(), key=lambda kv: -kv[1])[:top]:
            lines.append(f"{100 * count / total:5.1f}%  {frame[:150]}")
    return "\n".join(lines)


def profile_sync(server: FeedServer, out_dir: Path, size: str) -> str:
    """py-spy one cold and one warm (all 304) ``tuireader sync --no-extract``; a summary."""
    py_spy = Path(sys.executable).parent / "py-spy"
    if not py_spy.exists():
        return "py-spy not installed (.venv/bin/pip install py-spy): no profile"
    notes = []
    with scratch_dir("bench-sync-profile-") as root:
        client = TuireaderClient(root, server.feed_urls(), extract=False)
        for scenario in ("cold", "warm"):
            raw = out_dir / f"sync-profile-{size}-{scenario}.txt"
            command = [str(py_spy), "record", "--format", "raw", "--rate", "200", "--threads",
                       "--subprocesses", "-o", str(raw), "--", *client.reload_command()]
            run = run_measured(command, env=client.env, timeout=1800)
            if not run.ok or not raw.exists():
                notes.append(f"{scenario}: profiled run failed: {run.stderr_tail[-300:]}")
                continue
            summary = summarise_collapsed(raw)
            summary_path = out_dir / f"sync-profile-{size}-{scenario}-summary.txt"
            summary_path.write_text(summary + "\n")
            notes.append(f"{scenario} sync under py-spy (CPU samples, all threads): "
                         f"{run.wall_seconds:.2f}s; {summary_path}")
    return "\n".join(notes)


def parse_args() -> argparse.Namespace:
    """Options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20x10 feeds, one repetition")
    parser.add_argument("--sizes", default="200x50,1000x20", help="FEEDSxITEMS,...")
    parser.add_argument("--latencies", default="0,50", help="ms per request, comma-separated")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (median of these)")
    parser.add_argument("--extract-reps", type=int, default=None,
                        help="repetitions for tuireader with extraction (default: --reps)")
    parser.add_argument("--clients", default=f"{NEWSBOAT},{TR_FAST},{TR_EXTRACT}",
                        help="comma-separated subset of the three clients")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--run-timeout", type=float, default=900.0,
                        help="seconds before one client run is killed")
    parser.add_argument("--budget", type=float, default=4 * 3600.0,
                        help="seconds for the whole benchmark; later cases are skipped")
    parser.add_argument("--profile", action="store_true",
                        help="also py-spy a cold and a warm tuireader sync of the first size")
    parser.add_argument("--hosts", type=int, default=50,
                        help="loopback addresses the feeds are spread over (real subscriptions "
                        "span many sites; tuireader limits connections per host)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch caches")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--languages", default="de,en", choices=["de,en", "de", "en"],
                        help="feed languages: the 60/40 German/English mix, or one language")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.reps = "20x10", 1
    return args


def main() -> None:
    """Run the benchmark, print the table, write JSON."""
    args = parse_args()
    ensure_tools("newsboat")
    clients = [c.strip() for c in args.clients.split(",") if c.strip()]
    if any(c != NEWSBOAT for c in clients) and "sync" not in tuireader_commands():
        console.print("[yellow]this tuireader has no `sync` command yet: measuring newsboat only")
        clients = [c for c in clients if c == NEWSBOAT]
    scenarios = [s.strip() for s in args.scenarios.split(",")]
    sizes = [tuple(int(x) for x in size.split("x")) for size in args.sizes.split(",")]
    latencies = [float(x) for x in args.latencies.split(",")]
    extract_reps = args.reps if args.extract_reps is None else args.extract_reps
    deadline = Deadline(args.budget)
    info = machine_info()
    console.print(f"machine: {info}")
    measurements: list[Measurement] = []
    skipped: list[str] = []
    profile_note = ""
    for feeds, items in sizes:
        size = f"{feeds}x{items}"
        new_per_generation = max(1, items // 10)
        hosts = max(1, min(args.hosts, feeds))
        with FeedServer(feeds=feeds, items=items, new_per_generation=new_per_generation,
                        seed=args.seed, hosts=hosts, languages=args.languages) as server:
            console.print(f"[bold]{size}[/]: server on {hosts} loopback hosts, port "
                          f"{server.port}, rendered in "
                          f"{server.render_seconds:.1f}s, {new_per_generation} new items a "
                          "feed per generation")
            for latency in latencies:
                server.configure(latency_ms=latency)
                for rep in range(args.reps):
                    order = clients[rep % len(clients):] + clients[:rep % len(clients)]
                    for client in order:
                        if client == TR_EXTRACT and rep >= extract_reps:
                            continue
                        if deadline.expired():
                            skipped.append(f"{size} {latency:g}ms rep{rep} {client}")
                            continue
                        measurements.extend(run_sequence(
                            client, server, size, latency, rep, scenarios, args.run_timeout,
                            args.keep,
                        ))
            if args.profile and not profile_note and TR_FAST in clients:
                server.configure(latency_ms=0)
                RESULTS_DIR.mkdir(parents=True, exist_ok=True)
                profile_note = profile_sync(server, RESULTS_DIR, size)
                console.print(profile_note)
    info["loadavg_after"] = [round(x, 2) for x in __import__("os").getloadavg()]
    rows = summarise(measurements, clients)
    print_summary(rows, clients, info)
    if skipped:
        console.print(f"[yellow]skipped (budget spent): {len(skipped)} sequences")
    data = {
        "benchmark": "sync",
        "machine": info,
        "options": vars(args),
        "tuireader": str(TUIREADER),
        "tuireader_version": subprocess.run([str(TUIREADER), "--version"], capture_output=True,
                                            text=True, check=False).stdout.strip(),
        "summary": rows,
        "runs": [asdict(m) for m in measurements],
        "skipped": skipped,
        "profile": profile_note,
        "finished": time.time(),
    }
    path = write_results("sync-quick" if args.quick else "sync", data)
    console.print(f"JSON: {path}")


if __name__ == "__main__":
    main()
