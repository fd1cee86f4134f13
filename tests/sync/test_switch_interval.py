"""A sync shortens the GIL switch interval while it runs, and always puts it back."""

from __future__ import annotations

import sys
import threading

import pytest

from tests.plugins.server import FeedServer, rss_feed
from tuireader.store import Store
from tuireader.sync import FeedResult, sync_feeds
from tuireader.sync.engine import SYNC_SWITCH_INTERVAL, short_gil_switches


@pytest.fixture(autouse=True)
def _restore_interval() -> object:
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


def test_sync_runs_with_short_switches_and_restores_them(
    store: Store, feed_server: FeedServer
) -> None:
    sys.setswitchinterval(0.004)
    store.add_feed(feed_server.route("/s.xml", rss_feed(3)))
    during: list[float] = []

    def progress(result: FeedResult) -> None:
        during.append(sys.getswitchinterval())

    assert sync_feeds(store, extract=False, progress=progress).new == 3
    assert during == [pytest.approx(SYNC_SWITCH_INTERVAL, abs=1e-5)]
    assert sys.getswitchinterval() == pytest.approx(0.004, abs=1e-5)


def test_overlapping_syncs_restore_the_interval_once_the_last_ends() -> None:
    sys.setswitchinterval(0.005)
    first_in, release = threading.Event(), threading.Event()

    def first() -> None:
        with short_gil_switches(0.002):
            first_in.set()
            release.wait(10)

    thread = threading.Thread(target=first)
    thread.start()
    assert first_in.wait(10)
    with short_gil_switches(0.002):
        assert sys.getswitchinterval() == pytest.approx(0.002, abs=1e-5)
    assert sys.getswitchinterval() == pytest.approx(0.002, abs=1e-5)  # the first is still running
    release.set()
    thread.join(10)
    assert sys.getswitchinterval() == pytest.approx(0.005, abs=1e-5)


def test_interval_is_restored_after_an_error() -> None:
    sys.setswitchinterval(0.005)
    with pytest.raises(RuntimeError), short_gil_switches():
        raise RuntimeError("boom")
    assert sys.getswitchinterval() == pytest.approx(0.005, abs=1e-5)


def test_a_shorter_interval_set_by_the_program_is_kept() -> None:
    sys.setswitchinterval(0.0002)
    with short_gil_switches(0.001):
        assert sys.getswitchinterval() == pytest.approx(0.0002, abs=1e-5)
    assert sys.getswitchinterval() == pytest.approx(0.0002, abs=1e-5)
