"""Run every benchmark with one command and collect a Markdown summary.

    .venv/bin/python benchmarks/run_all.py            # set-up, then every benchmark in full
    .venv/bin/python benchmarks/run_all.py --quick    # smoke test: small sizes, one repetition
    .venv/bin/python benchmarks/run_all.py --report   # only print the Markdown of the latest JSON

Runs ``setup.sh`` (newsboat, tmux, GNU time; idempotent), then ``bench_sync.py`` and
``bench_first_screen.py``, then ``bench_tui.py``, ``bench_extract.py``, ``bench_ner.py`` and
``bench_html.py`` when they exist (other engineers own those). Each script prints its own
table and writes JSON under ``benchmarks/results/``; this one adds ``results/summary.md`` (the
tables that go into benchmarks/README.md) built from the latest JSON of each.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_DIR, RESULTS_DIR, console

OWN = ("bench_sync.py", "bench_first_screen.py")
# Other engineers' scripts, run when present, with their own smoke-test arguments.
OTHERS: dict[str, list[str]] = {
    "bench_tui.py": ["--articles", "5000"],
    "bench_extract.py": ["--repeat", "5"],
    "bench_ner.py": [],
    "bench_html.py": [],
}


def _num(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "–" if value is None else f"{value:.{digits}f}{suffix}"


def _verdict(passed: bool | None) -> str:
    return "–" if passed is None else ("**pass**" if passed else "**FAIL**")


def sync_markdown(data: dict[str, Any]) -> str:
    """The sync table as Markdown."""
    machine = data["machine"]
    options = data["options"]
    measured_extract = "tuireader" in [c.strip() for c in options["clients"].split(",")]
    extract_reps = (f" (with extraction: {options.get('extract_reps') or options['reps']})"
                    if measured_extract else "")
    lines = [
        f"Sync, {machine['time_utc']} (commit {machine['git_commit']}, newsboat "
        f"{machine['newsboat']}, {machine['cpus']} CPUs, load {machine['loadavg']} -> "
        f"{machine.get('loadavg_after')}), medians of {data['options']['reps']}"
        f"{extract_reps}:",
        "",
        "| feeds | latency | scenario | newsboat s | tuireader --no-extract s | ratio | target "
        "| | tuireader (extract) s | ratio | extract ms/article | CPU s nb / tr | CPU ratio "
        "| RSS MB nb / tr / tr+x |",
        "|---|---|---|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|",
    ]
    for row in data["summary"]:
        nb = row.get("newsboat", {})
        fast = row.get("tuireader --no-extract", {})
        slow = row.get("tuireader", {})
        per_article = row.get("extract_seconds_per_article")
        extract_cell = ("none ran" if row.get("extract_note")
                        else _num(None if per_article is None else per_article * 1000, 2))
        target = row.get("target")
        lines.append(
            f"| {row['size']} | {row['latency_ms']:g} ms | {row['scenario']} | "
            f"{_num(nb.get('median_seconds'))} | {_num(fast.get('median_seconds'))} | "
            f"{_num(row.get('ratio_no_extract'), 2, 'x')} | "
            f"{'–' if target is None else f'≤ {target:g}x'} | {_verdict(row.get('pass'))} | "
            f"{_num(slow.get('median_seconds'))} | {_num(row.get('ratio_extract'), 2, 'x')} | "
            f"{extract_cell} | {_num(nb.get('median_cpu_seconds'), 1)} / "
            f"{_num(fast.get('median_cpu_seconds'), 1)} | "
            f"{_num(row.get('cpu_ratio_no_extract'), 2, 'x')} | "
            f"{_num(nb.get('peak_rss_mb'), 0)} / {_num(fast.get('peak_rss_mb'), 0)} / "
            f"{_num(slow.get('peak_rss_mb'), 0)} |"
        )
    return "\n".join(lines)


def first_screen_markdown(data: dict[str, Any]) -> str:
    """The first-screen table as Markdown."""
    machine = data["machine"]
    options = data["options"]
    lines = [
        f"First screen, {machine['time_utc']} (commit {machine['git_commit']}, tmux "
        f"{options['width']}x{options['height']}, medians of {options['reps']} launches, load "
        f"{machine['loadavg']} -> {machine.get('loadavg_after')}):",
        "",
        "| articles | feeds | tuireader s | newsboat s | ratio | tuireader RSS MB | "
        "newsboat RSS MB | targets |",
        "|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    summary = data["summary"]
    for cache in data["caches"]:
        n = cache["articles"]
        tr, nb = summary[f"tuireader@{n}"], summary[f"newsboat@{n}"]
        ratio = (tr["median_seconds"] / nb["median_seconds"]
                 if tr["median_seconds"] and nb["median_seconds"] else None)
        checks = "; ".join(f"{c['target']}: {_verdict(c['pass'])}"
                           for c in summary.get(f"checks@{n}", []))
        lines.append(
            f"| {n:,} | {cache['feeds']} | {_num(tr['median_seconds'], 3)} | "
            f"{_num(nb['median_seconds'], 3)} | {_num(ratio, 2, 'x')} | "
            f"{_num(tr['peak_rss_mb'], 0)} | {_num(nb['peak_rss_mb'], 0)} | {checks or '–'} |"
        )
    return "\n".join(lines)


def report(quick: bool) -> str:
    """Markdown of the latest results that exist."""
    parts = []
    suffix = "-quick" if quick else ""
    for name, render in (("sync", sync_markdown), ("first-screen", first_screen_markdown)):
        path = RESULTS_DIR / f"{name}{suffix}-latest.json"
        if path.exists():
            parts.append(render(json.loads(path.read_text())))
    for name in ("tui", "extract", "ner"):
        matches = sorted(RESULTS_DIR.glob(f"{name}*latest*.json"))
        if matches:
            parts.append(f"{name}: see `{matches[-1].relative_to(BENCH_DIR.parent)}`")
    return "\n\n".join(parts) + "\n"


def main() -> None:
    """Set up, run each benchmark script in turn, write the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repetition")
    parser.add_argument("--report", action="store_true", help="only print the summary")
    parser.add_argument("--skip-setup", action="store_true")
    parser.add_argument("--timeout", type=float, default=4 * 3600,
                        help="seconds per benchmark script")
    args = parser.parse_args()
    if not args.report:
        if not args.skip_setup:
            subprocess.run(["bash", str(BENCH_DIR / "setup.sh")], check=True)
        failures = []
        for script in (*OWN, *OTHERS):
            quick_args = ["--quick"] if script in OWN else OTHERS[script]
            path = BENCH_DIR / script
            if not path.exists():
                console.print(f"[dim]{script}: not present, skipped")
                continue
            console.rule(script)
            started = time.monotonic()
            command = [sys.executable, str(path), *(quick_args if args.quick else [])]
            try:
                proc = subprocess.run(command, check=False, timeout=args.timeout)
                code = proc.returncode
            except subprocess.TimeoutExpired:
                code = "timeout"
            console.print(f"{script}: exit {code} after {time.monotonic() - started:.0f}s")
            if code != 0:
                failures.append(script)
        if failures:
            console.print(f"[red]failed: {', '.join(failures)}")
    markdown = report(args.quick)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "summary.md").write_text(markdown)
    print(markdown)


if __name__ == "__main__":
    main()
