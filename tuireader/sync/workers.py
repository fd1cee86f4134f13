"""Where feed bodies are parsed: a thread pool, and a process pool once there is enough work.

Parsing (feedparser, normalisation, HTML to text) is pure Python, so threads share one core
under the GIL. A process pool uses the other cores, at the price of starting the workers (a few
tenths of a second, paid in a background thread while the threads go on parsing) and of
pickling bodies and entries (about 1 % of a parse). :class:`ParsePools` starts it only when
the work ahead is worth it and a core is idle (on a machine whose cores are all busy, the
workers only add their start-up: measured 5-20 % slower there), and falls back to the threads
whenever the processes cannot start or a worker dies.

Workers come from a fork server (never a fork of this process, which has threads: the event
loop, the TUI), preloaded with the parser's modules. They ignore Ctrl-C (the parent decides
what to do with it and shuts them down) and exit by themselves within half a second when the
process that started them is gone, so a killed sync leaves no orphans.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from tuireader.sync.parse import FeedParseError, ParsedFeed, RawItems, drop_seen_items, parse_feed

# How often a worker checks that the process that started it still exists.
PARENT_CHECK_SECONDS = 0.5
# Idle cores besides this process's own that start the process pool in "auto" mode (a little
# under one: background daemons keep an otherwise idle core a few per cent busy).
IDLE_CORES_TO_START = 0.75
# How long starting the process pool may take before the threads carry on alone.
POOL_START_TIMEOUT_SECONDS = 60.0


@dataclass(slots=True)
class ParseJob:
    """Everything one parse needs: picklable, so it can go to a worker process."""

    body: bytes
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    max_items: int = 5_000
    known_hashes: Mapping[str, str] | None = None
    seen_items: RawItems | None = None


def run_parse_job(job: ParseJob) -> ParsedFeed:
    """Parse one body (in a thread or a worker process); raises ``FeedParseError``.

    Items whose raw bytes were in the last stored body (``job.seen_items``) are cut out
    before feedparser reads the body: in a feed where 5 of 50 items are new that is most of
    the parse. Should the shortened body not parse on its own, the whole one is parsed.
    """
    context = f"{job.url}\n{job.headers.get('content-location', '')}"
    body, raw_items, dropped = drop_seen_items(
        job.body, job.seen_items, job.max_items, context
    )
    parsed = None
    if dropped:
        try:
            parsed = _parse_body(job, body)
        except FeedParseError:
            parsed = None
        else:
            parsed.unchanged += dropped
            parsed.total_items += dropped
    if parsed is None:
        parsed = _parse_body(job, job.body)
    parsed.raw_items = raw_items
    return parsed


def _parse_body(job: ParseJob, body: bytes) -> ParsedFeed:
    return parse_feed(
        body,
        url=job.url,
        content_type=job.headers.get("content-type"),
        content_location=job.headers.get("content-location"),
        max_items=job.max_items,
        known_hashes=job.known_hashes,
    )


def _worker_started(parent_pid: int, preload: list[str]) -> None:
    """Initializer of each worker process: ignore Ctrl-C, watch the parent, import the parser."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(
        target=_exit_with_parent, args=(parent_pid, os.getppid()), daemon=True,
        name="tuireader-parent-watch",
    ).start()
    for name in preload:
        if name != "__main__":
            __import__(name)


def _exit_with_parent(parent_pid: int, first_ppid: int) -> None:
    """End this worker once the sync's process is gone (even after a SIGKILL).

    A worker's parent is the fork server, which exits when the sync's process closes its end
    of the server's pipe; so a changed parent pid, or the sync's pid no longer existing,
    means nobody will ever send work or collect results.
    """
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != first_ppid or not _alive(parent_pid):
            os._exit(0)


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs. A killed process stays a zombie until its parent reaps it
    (a parent reading the sync's output may wait for every copy of the pipes to close
    first, and the workers hold copies), so a zombie counts as gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            state = stat.read().rsplit(b")", 1)[-1].split()[:1]
        return state not in ([b"Z"], [b"X"])
    except FileNotFoundError:
        return False
    except OSError:  # no /proc (not Linux): ask the kernel, zombies included
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else (pid reused): treat as gone
        return False
    return True


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def idle_cpus() -> float:
    """Cores this process may use minus the 1-minute load average (what others keep busy).

    The load average lags by about a minute: :class:`IdleCores` measures the recent past and
    falls back to this where ``/proc/stat`` is missing.
    """
    usable = usable_cores()
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - no load average (Windows)
        return float(usable)
    return usable - load


def _busy_seconds() -> tuple[float, float] | None:
    """(wall-clock seconds, busy CPU seconds of the whole machine) from ``/proc/stat``."""
    try:
        with open("/proc/stat", "rb") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    if len(fields) < 5 or fields[0] != b"cpu":
        return None
    ticks = [int(x) for x in fields[1:9]]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    return time.monotonic(), (sum(ticks) - idle) / _CLOCK_TICKS


try:
    _CLOCK_TICKS = float(os.sysconf("SC_CLK_TCK"))
except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
    _CLOCK_TICKS = 100.0


#: What :class:`IdleCores` answers before it could measure anything: no core counts as idle.
NOT_MEASURED_YET = -1.0


class IdleCores:
    """Idle cores besides this process, measured since the previous call (or creation).

    What the machine's other processes kept busy comes from ``/proc/stat`` minus this
    process's own CPU time, so the answer has :func:`idle_cpus`' meaning (usable cores, less
    the others' load, less one for this process) without the load average's minute-long lag:
    a sync that starts right after another program stopped still sees the free core. An
    interval shorter than ``min_interval`` (too few clock ticks to tell) repeats the previous
    answer, or is :data:`NOT_MEASURED_YET` (no core counts as idle) when there is none yet;
    without ``/proc/stat`` it is :func:`idle_cpus`.
    """

    def __init__(
        self,
        min_interval: float = 0.05,
        *,
        read_busy: Callable[[], tuple[float, float] | None] | None = None,
        read_own: Callable[[], float] | None = None,
        cores: int | None = None,
    ) -> None:
        self.min_interval = min_interval
        self._read_busy = read_busy or _busy_seconds
        self._read_own = read_own or _own_cpu_seconds
        self._cores = cores or usable_cores()
        self._last = self._read_busy()
        self._own = self._read_own()
        self._answer: float | None = None

    def __call__(self) -> float:
        now = self._read_busy()
        if now is None or self._last is None:
            return idle_cpus()
        wall = now[0] - self._last[0]
        if wall < self.min_interval:
            return self._answer if self._answer is not None else NOT_MEASURED_YET
        own = self._read_own()
        others = max(0.0, (now[1] - self._last[1]) - (own - self._own)) / wall
        self._last, self._own = now, own
        self._answer = self._cores - others - 1.0
        return self._answer


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _warm_up() -> int:
    return os.getpid()


def start_process_pool(workers: int, preload: list[str]) -> concurrent.futures.ProcessPoolExecutor:
    """A running pool of ``workers`` fork-server (or spawned) processes; raises on failure.

    Blocks until the workers answer, so call it off the event loop.
    """
    import multiprocessing
    from multiprocessing.context import BaseContext

    context: BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload(preload)
        context = forkserver
    else:  # pragma: no cover - Windows, macOS without forkserver
        context = multiprocessing.get_context("spawn")
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_worker_started,
        initargs=(os.getpid(), preload),
    )
    try:
        warm = [pool.submit(_warm_up) for _ in range(workers)]
        for future in warm:
            future.result(timeout=POOL_START_TIMEOUT_SECONDS)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return pool


class ParsePools:
    """A thread pool that always works and a process pool that joins in when it pays.

    Use from one event loop: :meth:`parse` runs a job wherever is best right now.
    ``mode`` is "auto", "thread" or "process" (see ``tuireader.sync.engine``).
    """

    def __init__(
        self,
        *,
        mode: str = "auto",
        workers: int = 2,
        min_bytes: int = 4_000_000,
        preload: list[str] | None = None,
        idle: Callable[[], float] | None = None,
    ) -> None:
        self.mode = mode
        self.idle = idle if idle is not None else IdleCores()
        self.workers = max(1, workers)
        self.min_bytes = min_bytes
        self.preload = list(preload or [])
        self.threads = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.workers, thread_name_prefix="tuireader-parse"
        )
        self.processes: concurrent.futures.ProcessPoolExecutor | None = None
        self.failure: str | None = None  # why the processes are not used, if they failed
        self.bodies = 0
        self.body_bytes = 0
        self._starter: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._thread_slots: asyncio.Semaphore | None = None  # made in the event loop

    # -- starting the processes ----------------------------------------------------------------
    def note_body(self, size: int, feeds_left: int) -> None:
        """Count one body about to be parsed; start the processes when the rest warrants it.

        ``feeds_left`` is how many feeds have not been downloaded yet: with the mean body size
        so far it estimates the parsing still to come. In "auto" mode the processes start
        when that is at least ``min_bytes`` and about one core (:data:`IDLE_CORES_TO_START`)
        is idle besides the one this process keeps busy, as measured since the pools were
        made (:class:`IdleCores`).
        """
        self.bodies += 1
        self.body_bytes += size
        if self._starter is not None or self.mode == "thread":
            return
        ahead = self.body_bytes / self.bodies * feeds_left
        worth_it = ahead >= self.min_bytes and self.idle() >= IDLE_CORES_TO_START
        if self.mode == "process" or worth_it:
            self._starter = threading.Thread(
                target=self._start, name="tuireader-parse-start", daemon=True
            )
            self._starter.start()

    def _start(self) -> None:
        try:
            pool = start_process_pool(self.workers, self.preload)
        except Exception as exc:  # no semaphores, no fork server, a worker failed to import
            self.failure = f"{type(exc).__name__}: {exc}"
            return
        with self._lock:
            if self._closed:
                pool.shutdown(wait=False, cancel_futures=True)
                return
            self.processes = pool

    # -- parsing ---------------------------------------------------------------------------------
    async def parse(self, job: ParseJob, prepare: Callable[[ParseJob], None]) -> ParsedFeed:
        """Parse ``job`` after ``prepare(job)`` (run in a thread: it may read the store)."""
        loop = asyncio.get_running_loop()
        if self._thread_slots is None:
            self._thread_slots = asyncio.Semaphore(self.workers)
        processes = self.processes
        if processes is None or self.failure is not None:
            # Hand the threads one job per thread, not every body downloaded so far: jobs
            # still waiting when the processes come up go to them instead.
            async with self._thread_slots:
                processes = self.processes
                if processes is None or self.failure is not None:
                    return await loop.run_in_executor(self.threads, _parse_here, job, prepare)
        await loop.run_in_executor(self.threads, prepare, job)
        try:
            return await loop.run_in_executor(processes, run_parse_job, job)
        except BrokenProcessPool as exc:  # a worker died (killed, out of memory): go on here
            self.failure = f"worker process died: {exc}"
            return await loop.run_in_executor(self.threads, run_parse_job, job)

    # -- shutting down ---------------------------------------------------------------------------
    def close(self) -> None:
        """Stop both pools; queued jobs are cancelled, running ones finish."""
        with self._lock:
            self._closed = True
            processes, self.processes = self.processes, None
        self.threads.shutdown(wait=True, cancel_futures=True)
        if processes is not None:
            processes.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ParsePools:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _parse_here(job: ParseJob, prepare: Callable[[ParseJob], None]) -> ParsedFeed:
    prepare(job)
    return run_parse_job(job)
