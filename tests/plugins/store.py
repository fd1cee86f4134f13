"""Fixtures for a fresh, real SQLite cache per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tuireader.store import Store

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the user's real database, config or XDG dirs."""
    monkeypatch.setenv("TUIREADER_DB", str(tmp_path / "default.db"))
    monkeypatch.setenv("TUIREADER_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Path of a fresh cache file for this test."""
    return tmp_path / "cache.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A fresh, migrated cache."""
    with Store(db_path) as opened:
        yield opened
