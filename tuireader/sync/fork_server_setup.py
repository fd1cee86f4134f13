"""Preloaded by the parse workers' fork server: make Ctrl-C ignored in every worker from birth.

The fork server (``multiprocessing.forkserver``) imports its preload modules, then records
the signal handlers that each forked worker gets back. Setting SIGINT to "ignore" here, in the
fork server only, means a worker never sees the terminal's Ctrl-C, not even in the moment
before its initializer runs (a KeyboardInterrupt there would print a traceback and break the
pool); the sync's own process handles Ctrl-C and shuts the workers down. Imported anywhere
else, this module does nothing.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

_FORK_SERVER_FILE = os.path.join("multiprocessing", "forkserver.py")


def in_fork_server() -> bool:
    """True while ``multiprocessing.forkserver.main`` is importing its preload modules."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "main" and code.co_filename.endswith(_FORK_SERVER_FILE):
            return True
        frame = frame.f_back
    return False


if in_fork_server():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
