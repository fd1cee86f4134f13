"""Shared parts of the benchmark scripts: measured child processes, the feed server, newsboat
profiles, machine facts, tables and JSON results."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
TUIREADER = Path(sys.executable).parent / "tuireader"
NEWSBOAT = shutil.which("newsboat") or "newsboat"
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None

console = Console(width=None if sys.stdout.isatty() else 180)

# Opener that never uses a proxy: every benchmark request goes to 127.0.0.1 only.
_LOCAL_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                    "ALL_PROXY", "no_proxy", "NO_PROXY")


# ---------------------------------------------------------------------------------------------
# Measured child processes
# ---------------------------------------------------------------------------------------------
@dataclass(slots=True)
class RunResult:
    """One measured run of a child process."""

    command: list[str]
    wall_seconds: float
    peak_rss_mb: float
    returncode: int
    timed_out: bool
    user_seconds: float
    system_seconds: float
    stdout_tail: str = ""
    stderr_tail: str = ""

    @property
    def ok(self) -> bool:
        """Exited 0 within its time limit."""
        return self.returncode == 0 and not self.timed_out


def isolated_env(home: Path) -> dict[str, str]:
    """The environment for a measured client: no proxies, XDG and HOME inside ``home``."""
    env = {k: v for k, v in os.environ.items() if k not in _PROXY_VARIABLES}
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        path = home / name.lower()
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    env["HOME"] = str(home)
    env["TUIREADER_CONFIG"] = str(home / "tuireader-config.toml")
    env.pop("TUIREADER_DB", None)
    env["NO_COLOR"] = "1"
    return env


def _tail(path: Path, limit: int = 2000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-limit:].decode("utf-8", "replace")


def run_measured(
    command: Sequence[str | Path],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 600.0,
) -> RunResult:
    """Run ``command`` to completion, measuring wall time and the child's peak RSS.

    The peak RSS comes from GNU time (``/usr/bin/time -f %M``): a child forked straight from
    Python would report Python's own resident pages as its high-water mark, because Linux keeps
    the pre-exec figure. CPU times come from ``os.wait4``. A child still running after
    ``timeout`` seconds is killed with its process group.
    """
    argv = [str(part) for part in command]
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        out_path, err_path = Path(tmp) / "stdout", Path(tmp) / "stderr"
        rss_path = Path(tmp) / "maxrss"
        wrapped = [GNU_TIME, "-f", "%M", "-o", str(rss_path), *argv] if GNU_TIME else argv
        with out_path.open("wb") as out, err_path.open("wb") as err:
            started = time.perf_counter()
            proc = subprocess.Popen(
                wrapped, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=cwd,
                start_new_session=True,
            )
            timed_out = threading.Event()

            def kill() -> None:
                timed_out.set()
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)

            timer = threading.Timer(timeout, kill)
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                timer.cancel()
            wall = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
        peak_kb = float(usage.ru_maxrss)
        with contextlib.suppress(OSError, ValueError, IndexError):
            # GNU time forked the client from its own small process; its figure is the
            # client's alone (wait4's would include this Python process's pages).
            peak_kb = float(rss_path.read_text().split()[-1])
        return RunResult(
            command=argv,
            wall_seconds=wall,
            peak_rss_mb=peak_kb / 1024,
            returncode=proc.returncode,
            timed_out=timed_out.is_set(),
            user_seconds=usage.ru_utime,
            system_seconds=usage.ru_stime,
            stdout_tail=_tail(out_path),
            stderr_tail=_tail(err_path),
        )


def run_checked(command: Sequence[str | Path], *, env: dict[str, str] | None = None,
                timeout: float = 600.0) -> subprocess.CompletedProcess[str]:
    """Run an unmeasured set-up step; raise with its stderr when it fails."""
    argv = [str(part) for part in command]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])}... failed ({proc.returncode}): "
                           f"{proc.stderr.strip()[-800:] or proc.stdout.strip()[-800:]}")
    return proc


# ---------------------------------------------------------------------------------------------
# The feed server (a separate process, so it never competes for the measuring process's GIL)
# ---------------------------------------------------------------------------------------------
class FeedServer:
    """A running ``feedserver.py`` child and its control endpoints."""

    def __init__(self, *, feeds: int, items: int, new_per_generation: int, seed: int = 1,
                 latency_ms: float = 0.0, hosts: int = 1, max_lifetime: float = 3 * 3600,
                 languages: str = "de,en") -> None:
        self.feeds = feeds
        self.items = items
        command = [
            sys.executable, str(BENCH_DIR / "feedserver.py"), "--feeds", str(feeds),
            "--items", str(items), "--new-per-generation", str(new_per_generation),
            "--seed", str(seed), "--latency-ms", str(latency_ms),
            "--max-lifetime", str(max_lifetime), "--hosts", str(hosts),
            "--languages", languages,
        ]
        env = {k: v for k, v in os.environ.items() if k not in _PROXY_VARIABLES}
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     env=env, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=10)
            raise RuntimeError(f"feed server failed to start (exit {self.proc.returncode})")
        info = json.loads(line)
        self.url: str = info["url"]
        self.port: int = info["port"]
        self.hosts: list[str] = info["hosts"]
        self.render_seconds: float = info["render_seconds"]

    def feed_urls(self) -> list[str]:
        """Every feed's URL, in index order, spread round-robin over the server's hosts."""
        return [f"http://{self.hosts[i % len(self.hosts)]}:{self.port}/feed/{i}.xml"
                for i in range(self.feeds)]

    def _call(self, method: str, path: str) -> dict[str, Any]:
        request = urllib.request.Request(self.url + path, method=method,
                                         data=b"" if method == "POST" else None)
        with _LOCAL_OPENER.open(request, timeout=600) as response:
            return json.loads(response.read())

    def stats(self) -> dict[str, Any]:
        """Settings and counters."""
        return self._call("GET", "/control/stats")

    def bump(self) -> dict[str, Any]:
        """Next generation: every feed gets new items."""
        return self._call("POST", "/control/bump")

    def configure(self, *, latency_ms: float | None = None, conditional: bool | None = None
                  ) -> dict[str, Any]:
        """Change latency or whether conditional requests may get a 304."""
        params = []
        if latency_ms is not None:
            params.append(f"latency_ms={latency_ms}")
        if conditional is not None:
            params.append(f"conditional={int(conditional)}")
        return self._call("POST", "/control/set?" + "&".join(params))

    def reset(self) -> dict[str, Any]:
        """Zero the counters."""
        return self._call("POST", "/control/reset")

    def close(self) -> None:
        """Stop the server (politely, then by force)."""
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self._call("POST", "/control/quit")
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def __enter__(self) -> FeedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# newsboat and tuireader profiles
# ---------------------------------------------------------------------------------------------
def newsboat_version() -> str | None:
    """``newsboat --version``'s number, or None when newsboat is missing."""
    if not shutil.which("newsboat"):
        return None
    proc = subprocess.run(["newsboat", "--version"], capture_output=True, text=True,
                          check=False, stdin=subprocess.DEVNULL)
    first = (proc.stdout or proc.stderr).splitlines()[:1]
    return first[0].split()[1] if first and len(first[0].split()) > 1 else "unknown"


def ensure_tools(*tools: str) -> None:
    """Run ``setup.sh`` when newsboat or tmux is missing, then check again."""
    missing = [tool for tool in tools if not shutil.which(tool)]
    if missing:
        console.print(f"[yellow]missing {', '.join(missing)}: running benchmarks/setup.sh")
        subprocess.run(["bash", str(BENCH_DIR / "setup.sh")], check=True)
        still = [tool for tool in tools if not shutil.which(tool)]
        if still:
            raise SystemExit(f"error: {', '.join(still)} still missing after setup.sh")
    if not TUIREADER.exists():
        raise SystemExit(f"error: {TUIREADER} not found; run `make install` first")


@dataclass(slots=True)
class NewsboatProfile:
    """A private newsboat set-up: urls, config and cache in one directory."""

    root: Path
    reload_threads: int = 8

    def write(self, urls: Sequence[str]) -> None:
        """Write the urls and config files (loopback URLs only)."""
        for url in urls:
            if not url.startswith(("http://127.", "http://localhost:")):
                raise ValueError(f"refusing a non-loopback URL for newsboat: {url}")
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "urls").write_text("".join(f"{url}\n" for url in urls))
        (self.root / "config").write_text(
            f"reload-threads {self.reload_threads}\n"
            "use-proxy no\n"
            "download-timeout 60\n"
            "show-read-feeds yes\n"
            "confirm-exit no\n"
            "cleanup-on-quit no\n"
            "notify-always no\n"
        )

    @property
    def cache(self) -> Path:
        """The SQLite cache file."""
        return self.root / "cache.db"

    def command(self, *extra: str) -> list[str]:
        """newsboat with this profile's files, plus ``extra`` arguments."""
        return [NEWSBOAT, "-u", str(self.root / "urls"), "-c", str(self.cache),
                "-C", str(self.root / "config"), *extra]


def tuireader_command(db: Path, *args: str) -> list[str]:
    """``tuireader --db DB ARGS``."""
    return [str(TUIREADER), "--db", str(db), *args]


def tuireader_commands() -> set[str]:
    """The subcommands this tuireader build has (the other engineers' work lands over time)."""
    proc = subprocess.run([str(TUIREADER), "--help"], capture_output=True, text=True,
                          check=False, stdin=subprocess.DEVNULL)
    commands: set[str] = set()
    in_commands = False
    for line in proc.stdout.splitlines():
        if line.strip().lower().startswith("commands"):
            in_commands = True
            continue
        if in_commands and line.startswith("  ") and line.strip():
            commands.add(line.split()[0])
    return commands


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------
def git_commit() -> str:
    """The repo's HEAD commit (short), or ``unknown``."""
    proc = subprocess.run(["git", "-C", str(REPO_DIR), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=False)
    return proc.stdout.strip() or "unknown"


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine_info() -> dict[str, Any]:
    """Facts about the machine and its load, recorded with every result."""
    return {
        "time_utc": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "git_commit": git_commit(),
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "newsboat": newsboat_version(),
        "platform": platform.platform(),
    }


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    return statistics.median(values) if values else None


def ratio(ours: float | None, theirs: float | None) -> float | None:
    """``ours / theirs`` or None."""
    if ours is None or theirs is None or theirs <= 0:
        return None
    return ours / theirs


def fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    """A number for a table cell ("–" for missing)."""
    return "–" if value is None else f"{value:.{digits}f}{suffix}"


def verdict(passed: bool | None) -> str:
    """A pass/fail cell with colour."""
    if passed is None:
        return "[dim]n/a[/]"
    return "[green]PASS[/]" if passed else "[red]FAIL[/]"


def make_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]],
               caption: str | None = None) -> Table:
    """A rich table."""
    table = Table(title=title, caption=caption, show_lines=False)
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index < 3 else "right")
    for row in rows:
        table.add_row(*row)
    return table


def write_results(name: str, data: dict[str, Any]) -> Path:
    """Write ``data`` to results/<name>-<time>.json and results/<name>-latest.json."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    text = json.dumps(data, indent=2, default=_json_default, ensure_ascii=False)
    path.write_text(text)
    (RESULTS_DIR / f"{name}-latest.json").write_text(text)
    return path


def _json_default(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)  # type: ignore[arg-type]
    raise TypeError(f"not JSON serialisable: {type(value)}")


@dataclass(slots=True)
class Deadline:
    """A wall-clock budget for a whole benchmark, so a full run stays bounded."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    def left(self) -> float:
        """Seconds left."""
        return self.seconds - (time.monotonic() - self.started)

    def expired(self) -> bool:
        """Whether the budget is spent."""
        return self.left() <= 0


@contextlib.contextmanager
def scratch_dir(prefix: str, keep: bool = False) -> Iterator[Path]:
    """A temporary directory (kept for inspection when ``keep``)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)
