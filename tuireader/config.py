"""User configuration: a TOML file with sync limits and key bindings.

Example ``config.toml``::

    [sync]
    jobs = 16           # feeds fetched at once (per_host still caps each site)
    per_host = 2        # connections to one host at once
    timeout = 20        # seconds to connect / between bytes
    total_timeout = 60  # seconds for a whole feed download
    max_bytes = 10_000_000
    max_items = 5000

    [keys]
    next_unread = "n"   # binding id = key(s), comma separated
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """The config file cannot be used (one-line message)."""


@dataclass(slots=True)
class SyncConfig:
    """Limits for fetching and parsing feeds."""

    jobs: int = 16
    per_host: int = 2
    timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 10_000_000
    max_items: int = 5_000
    user_agent: str = ""


@dataclass(slots=True)
class Config:
    """Everything read from the config file."""

    sync: SyncConfig = field(default_factory=SyncConfig)
    keys: dict[str, str] = field(default_factory=dict)


def load_config(path: Path) -> Config:
    """Read ``path``; a missing file gives the defaults, a broken one a :class:`ConfigError`."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path} is not valid TOML: {exc}") from exc
    config = Config()
    sync_raw = raw.get("sync", {})
    if not isinstance(sync_raw, dict):
        raise ConfigError(f"config {path}: [sync] must be a table")
    known = {f.name: f for f in fields(SyncConfig)}
    for key, value in sync_raw.items():
        if key not in known:
            raise ConfigError(f"config {path}: unknown setting sync.{key}")
        setattr(config.sync, key, _coerce(path, f"sync.{key}", value, getattr(config.sync, key)))
    keys_raw = raw.get("keys", {})
    if not isinstance(keys_raw, dict) or not all(isinstance(v, str) for v in keys_raw.values()):
        raise ConfigError(f"config {path}: [keys] must map binding ids to key strings")
    config.keys = dict(keys_raw)
    return config


def _coerce(path: Path, name: str, value: Any, default: Any) -> Any:
    number: float
    try:
        if isinstance(default, bool):
            return bool(value)
        if isinstance(default, int):
            number = int(value)
        elif isinstance(default, float):
            number = float(value)
        else:
            return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"config {path}: {name} must be a number") from exc
    if number <= 0:
        raise ConfigError(f"config {path}: {name} must be positive")
    return number
