"""First-screen benchmark: time from launch to the list drawn, in a real terminal (tmux).

Builds two caches with the same generated articles (10,000 and 100,000 by default, 100 items a
feed): tuireader's through ``Store.write_entries`` and newsboat's by letting newsboat reload a
one-item version of the same feeds from the loopback server (so newsboat writes its own schema
and feed rows) and then inserting the remaining items in the same form newsboat stores them
(checked against the row newsboat wrote itself). Then, alternating and on a private tmux
server at 80x24, it launches ``tuireader --db DB`` and ``newsboat`` and polls ``capture-pane``
until the list is on screen: tuireader's newest article title in its article list, newsboat's
first feed in its feed list (newsboat's first screen). Peak RSS is the app's VmHWM right after
the screen is drawn and a short settle time.

    .venv/bin/python benchmarks/bench_first_screen.py           # 10,000 and 100,000 articles
    .venv/bin/python benchmarks/bench_first_screen.py --quick   # 2,000 articles, 2 launches

Caches are kept in ``$TMPDIR/tuireader-bench-caches`` (``--rebuild`` to start over).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import html
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    REPO_DIR,
    TUIREADER,
    FeedServer,
    NewsboatProfile,
    console,
    ensure_tools,
    fmt,
    isolated_env,
    machine_info,
    make_table,
    median,
    run_checked,
    tuireader_command,
    verdict,
    write_results,
)
from feedgen import feed_info, item_time, make_item

CACHE_ROOT = Path(tempfile.gettempdir()) / "tuireader-bench-caches"
RSS_TARGET_MB = 200.0
SCALE_TARGET = 1.10  # 100,000 articles within 10 % of 10,000


# ---------------------------------------------------------------------------------------------
# Building the two caches
# ---------------------------------------------------------------------------------------------
@dataclass(slots=True)
class CacheSet:
    """A pair of caches with the same articles, and what the first screen will show."""

    articles: int
    feeds: int
    items: int
    root: Path
    tuireader_db: Path
    newsboat: NewsboatProfile
    newest_title: str
    first_feed_title: str
    build_seconds: dict[str, float]


def _text_and_hash(item_html: str, fallback_text: str, entry: Any) -> tuple[str, str]:
    """Plain text the way sync makes it (when that code is present) and the content hash."""
    try:
        from tuireader.text.html import html_to_text

        text = html_to_text(item_html)
    except ImportError:
        text = fallback_text
    try:
        from tuireader.sync.normalise import content_hash

        entry.text = text
        return text, content_hash(entry)
    except ImportError:
        return text, hashlib.blake2b(item_html.encode(), digest_size=16).hexdigest()


def build_tuireader(db: Path, urls: list[str], seed: int, items: int, base_url: str) -> None:
    """Write every generated article through the store's own API."""
    from tuireader.store import EntryData, Store

    with Store(db) as store:
        for index, url in enumerate(urls):
            info = feed_info(index)
            feed = store.add_feed(url)
            entries = []
            for number in reversed(range(items)):
                item = make_item(seed, index, number, base_url)
                entry = EntryData(
                    entry_id=item.guid, title=item.title, url=item.link, author=item.author,
                    published=item.published.isoformat(), summary_html=html.escape(item.summary),
                    content_html=item.html, language=item.language,
                )
                entry.text, entry.content_hash = _text_and_hash(item.html, item.text, entry)
                entries.append(entry)
            store.write_entries(feed.id, entries, feed_fields={
                "title": info.title, "language": info.language,
                "site_url": f"{base_url}/site/{index}",
            })
        make_item.cache_clear()


def _newsboat_row(item: Any, feed_url: str) -> tuple[Any, ...]:
    return (item.guid, item.title, item.author, item.link, feed_url,
            int(item.published.timestamp()), item.html, 1, 0, 0)


_NEWSBOAT_COLUMNS = "guid, title, author, url, feedurl, pubDate, content, unread, enqueued, deleted"


def build_newsboat(profile: NewsboatProfile, urls: list[str], seed: int, items: int,
                   base_url: str) -> None:
    """Insert items 1.. of every feed next to the item 0 newsboat fetched and stored itself."""
    with contextlib.closing(sqlite3.connect(profile.cache)) as conn:
        own = conn.execute(
            f"SELECT {_NEWSBOAT_COLUMNS} FROM rss_item WHERE feedurl = ?", (urls[0],)
        ).fetchall()
        expected = _newsboat_row(make_item(seed, 0, 0, base_url), urls[0])
        if len(own) != 1 or tuple(own[0]) != expected:
            diff = [name for name, a, b in zip(_NEWSBOAT_COLUMNS.split(", "), own[0], expected,
                                                strict=True) if a != b] if own else "no row"
            raise RuntimeError(f"newsboat stores items differently than assumed: {diff}")
        with conn:
            for index, url in enumerate(urls):
                rows = [_newsboat_row(make_item(seed, index, number, base_url), url)
                        for number in range(1, items)]
                conn.executemany(
                    f"INSERT INTO rss_item ({_NEWSBOAT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    rows,
                )
        conn.execute("ANALYZE")
        make_item.cache_clear()


def build_caches(articles: int, items: int, seed: int, rebuild: bool) -> CacheSet:
    """Both caches for ``articles`` articles (reused from an earlier run when complete)."""
    feeds = max(1, articles // items)
    root = CACHE_ROOT / f"seed{seed}-{feeds}x{items}"
    marker = root / "complete"
    db = root / "tuireader.db"
    profile = NewsboatProfile(root / "newsboat")
    newest = max((item_time(f, items - 1), f) for f in range(feeds))[1]
    timings: dict[str, float] = {}
    if rebuild and root.exists():
        shutil.rmtree(root)
    if not marker.exists():
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        console.print(f"building caches for {feeds} feeds x {items} items in {root} ...")
        with FeedServer(feeds=feeds, items=1, new_per_generation=1, seed=seed) as server:
            urls = server.feed_urls()
            profile.write(urls)
            started = time.perf_counter()
            run_checked(profile.command("-x", "reload"), env=isolated_env(root / "home"),
                        timeout=1800)
            base_url = server.url
        build_newsboat(profile, urls, seed, items, base_url)
        timings["newsboat"] = time.perf_counter() - started
        started = time.perf_counter()
        build_tuireader(db, urls, seed, items, base_url)
        timings["tuireader"] = time.perf_counter() - started
        (root / "base_url").write_text(base_url)
        marker.write_text("ok\n")
        console.print(f"  built in {timings}")
    base_url = (root / "base_url").read_text().strip()
    return CacheSet(
        articles=feeds * items, feeds=feeds, items=items, root=root, tuireader_db=db,
        newsboat=profile,
        newest_title=make_item(seed, newest, items - 1, base_url).title,
        first_feed_title=feed_info(0).title, build_seconds=timings,
    )


# ---------------------------------------------------------------------------------------------
# tmux
# ---------------------------------------------------------------------------------------------
class Tmux:
    """A private tmux server (its own socket) with one 80x24 pane we respawn per launch."""

    def __init__(self, width: int, height: int) -> None:
        self.socket = f"tuireader-bench-{os.getpid()}"
        self.target = "bench:0.0"
        conf = Path(tempfile.mkdtemp(prefix="bench-tmux-")) / "tmux.conf"
        terminal = "tmux-256color" if _has_terminfo("tmux-256color") else "screen-256color"
        conf.write_text(
            f'set -g default-terminal "{terminal}"\n'
            "set -g remain-on-exit on\nset -g status off\nset -sg escape-time 0\n"
            "set -g history-limit 0\n"
        )
        self.run("-f", str(conf), "new-session", "-d", "-s", "bench", "-x", str(width),
                 "-y", str(height), "sleep", "86400")

    def run(self, *args: str) -> str:
        """One tmux command on our socket; its stdout."""
        proc = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, check=False, stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            raise RuntimeError(f"tmux {args[0]} failed: {proc.stderr.strip()}")
        return proc.stdout

    def capture(self) -> str:
        """The visible screen as text."""
        return self.run("capture-pane", "-p", "-t", self.target)

    def launch(self, command: list[str], env: dict[str, str], cwd: Path) -> None:
        """Replace whatever runs in the pane with ``command``."""
        env_args: list[str] = []
        for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                     "XDG_STATE_HOME", "TUIREADER_CONFIG", "LANG", "LC_ALL", "PATH"):
            if name in env:
                env_args += ["-e", f"{name}={env[name]}"]
        self.run("respawn-pane", "-k", "-t", self.target, "-c", str(cwd), *env_args, *command)

    def pane_pid(self) -> int:
        """The pid of the program in the pane."""
        return int(self.run("display-message", "-p", "-t", self.target, "#{pane_pid}").strip())

    def pane_dead(self) -> bool:
        """Whether the program in the pane has exited."""
        return self.run("display-message", "-p", "-t", self.target,
                        "#{pane_dead}").strip() == "1"

    def close(self) -> None:
        """Stop this private tmux server and remove its socket file."""
        with contextlib.suppress(RuntimeError):
            socket_path = self.run("display-message", "-p", "#{socket_path}").strip()
            self.run("kill-server")
            if socket_path:
                Path(socket_path).unlink(missing_ok=True)


def _has_terminfo(name: str) -> bool:
    return subprocess.run(["infocmp", name], capture_output=True, check=False).returncode == 0


def memory_kb(pid: int) -> tuple[int | None, int | None]:
    """VmHWM and VmRSS of ``pid`` in KiB."""
    peak = current = None
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                current = int(line.split()[1])
    return peak, current


@dataclass(slots=True)
class Launch:
    """One timed launch."""

    client: str
    articles: int
    repetition: int
    seconds: float | None
    peak_rss_mb: float | None
    error: str = ""
    screen: str = ""  # what was on screen when the needle was seen (first repetition only)


def time_launch(tmux: Tmux, client: str, command: list[str], needle: str, env: dict[str, str],
                cwd: Path, articles: int, repetition: int, timeout: float, settle: float,
                poll: float) -> Launch:
    """Launch ``command`` in the pane and time until ``needle`` is on screen."""
    started = time.perf_counter()
    tmux.launch(command, env, cwd)
    seconds: float | None = None
    screen = ""
    while time.perf_counter() - started < timeout:
        screen = tmux.capture()
        if needle in screen:
            seconds = time.perf_counter() - started
            break
        if tmux.pane_dead():
            break
        time.sleep(poll)
    peak_mb = None
    error = ""
    if seconds is None:
        error = "exited" if tmux.pane_dead() else f"not drawn within {timeout:g}s"
        error += ": " + " | ".join(line for line in screen.splitlines() if line.strip())[:300]
    else:
        pid = tmux.pane_pid()
        time.sleep(settle)
        peak_kb, _ = memory_kb(pid)
        peak_mb = None if peak_kb is None else peak_kb / 1024
    tmux.run("send-keys", "-t", tmux.target, "q")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not tmux.pane_dead():
        time.sleep(0.05)
    if not tmux.pane_dead():
        tmux.run("send-keys", "-t", tmux.target, "C-c")
        time.sleep(0.5)
    return Launch(client, articles, repetition, seconds, peak_mb, error,
                  screen if repetition == 0 else "")


# ---------------------------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    """Options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 articles, 2 launches")
    parser.add_argument("--articles", default="10000,100000", help="cache sizes, comma-separated")
    parser.add_argument("--items-per-feed", type=int, default=100)
    parser.add_argument("--reps", type=int, default=5, help="timed launches per client and size")
    parser.add_argument("--width", type=int, default=80)
    parser.add_argument("--height", type=int, default=24)
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per launch")
    parser.add_argument("--settle", type=float, default=1.0,
                        help="seconds after drawing before reading the peak RSS")
    parser.add_argument("--poll", type=float, default=0.02, help="capture-pane interval")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the caches")
    parser.add_argument("--build-only", action="store_true",
                        help="only build the caches (e.g. niced, while something else runs)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.quick:
        args.articles, args.reps = "2000", 2
    return args


def main() -> None:
    """Build the caches, time the launches, print the table, write JSON."""
    args = parse_args()
    ensure_tools("newsboat", "tmux")
    info = machine_info()
    console.print(f"machine: {info}")
    sizes = [int(x) for x in args.articles.split(",")]
    caches = [build_caches(n, args.items_per_feed, args.seed, args.rebuild) for n in sizes]
    if args.build_only:
        return
    launches: list[Launch] = []
    tmux = Tmux(args.width, args.height)
    try:
        for cache in caches:
            env = isolated_env(cache.root / "home")
            clients = {
                "tuireader": (tuireader_command(cache.tuireader_db), cache.newest_title[:12]),
                "newsboat": (cache.newsboat.command(), cache.first_feed_title[:16]),
            }
            for client, (command, needle) in clients.items():  # untimed warm-up
                warm = time_launch(tmux, client, command, needle, env, REPO_DIR, cache.articles,
                                   -1, args.timeout, 0.0, args.poll)
                console.print(f"  warm-up {client} {cache.articles}: "
                              f"{fmt(warm.seconds, 2, 's')} {warm.error}")
            for rep in range(args.reps):
                order = list(clients) if rep % 2 == 0 else list(reversed(clients))
                for client in order:
                    command, needle = clients[client]
                    launch = time_launch(tmux, client, command, needle, env, REPO_DIR,
                                         cache.articles, rep, args.timeout, args.settle,
                                         args.poll)
                    launches.append(launch)
                    console.print(f"  {cache.articles:>7} {client:10} rep{rep} "
                                  f"{fmt(launch.seconds, 3, 's')} rss "
                                  f"{fmt(launch.peak_rss_mb, 0, 'MB')} {launch.error}")
    finally:
        tmux.close()
    info["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]

    summary: dict[str, Any] = {}
    for cache in caches:
        for client in ("tuireader", "newsboat"):
            runs = [x for x in launches if x.client == client and x.articles == cache.articles]
            good = [x.seconds for x in runs if x.seconds is not None]
            summary[f"{client}@{cache.articles}"] = {
                "median_seconds": median(good),
                "min_seconds": min(good, default=None),
                "max_seconds": max(good, default=None),
                "failed": len(runs) - len(good),
                "peak_rss_mb": max((x.peak_rss_mb for x in runs if x.peak_rss_mb), default=None),
            }
    rows = []
    small, large = min(sizes), max(sizes)
    small_tr = summary.get(f"tuireader@{caches[0].articles}", {}).get("median_seconds")
    for cache in caches:
        tr = summary[f"tuireader@{cache.articles}"]
        nb = summary[f"newsboat@{cache.articles}"]
        ratio = (tr["median_seconds"] / nb["median_seconds"]
                 if tr["median_seconds"] and nb["median_seconds"] else None)
        scale = (tr["median_seconds"] / small_tr
                 if tr["median_seconds"] and small_tr and cache.articles != caches[0].articles
                 else None)
        checks = []
        if cache.articles == small:
            checks.append(("≤ newsboat", None if ratio is None else ratio <= 1.0))
        if cache.articles == large and large != small:
            checks.append((f"≤ {SCALE_TARGET:g}x of {small:,}",
                           None if scale is None else scale <= SCALE_TARGET))
            checks.append((f"RSS ≤ {RSS_TARGET_MB:g} MB",
                           None if tr["peak_rss_mb"] is None
                           else tr["peak_rss_mb"] <= RSS_TARGET_MB))
        summary[f"checks@{cache.articles}"] = [{"target": t, "pass": p} for t, p in checks]
        rows.append([
            f"{cache.articles:,}", f"{cache.feeds}", "",
            fmt(tr["median_seconds"], 3), fmt(nb["median_seconds"], 3),
            fmt(ratio, 2, "x"), fmt(scale, 2, "x"),
            fmt(tr["peak_rss_mb"], 0), fmt(nb["peak_rss_mb"], 0),
            "; ".join(f"{t} {verdict(p)}" for t, p in checks) or "–",
        ])
    caption = (f"medians of {args.reps} launches at {args.width}x{args.height} in tmux; "
               f"newsboat {info['newsboat']} shows its feed list first; load before "
               f"{info['loadavg']}, after {info['loadavg_after']}")
    console.print(make_table(
        "first screen: launch to list drawn",
        ["articles", "feeds", "", "tuireader s", "newsboat s", "ratio", "vs smallest",
         "tr RSS MB", "nb RSS MB", "targets"], rows, caption))
    path = write_results("first-screen-quick" if args.quick else "first-screen", {
        "benchmark": "first_screen",
        "machine": info,
        "options": vars(args),
        "tuireader": str(TUIREADER),
        "caches": [{**asdict(c), "newsboat": str(c.newsboat.root)} for c in caches],
        "summary": summary,
        "launches": [asdict(x) for x in launches],
    })
    console.print(f"JSON: {path}")


if __name__ == "__main__":
    main()
