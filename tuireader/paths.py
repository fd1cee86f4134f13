"""Where tuireader keeps its files: database, config and bundled assets.

Nothing is written outside the database and config paths resolved here.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "tuireader"


def default_db_path() -> Path:
    """The cache database: ``$TUIREADER_DB``, else the XDG data dir."""
    env = os.environ.get("TUIREADER_DB")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME)) / "cache.db"


def default_config_path() -> Path:
    """The config file: ``$TUIREADER_CONFIG``, else the XDG config dir."""
    env = os.environ.get("TUIREADER_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def assets_dir() -> Path:
    """The bundled assets: inside the installed wheel, or the source checkout's ``assets/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_assets", here.parent / "assets"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("tuireader's bundled assets are missing; reinstall the package")


def demo_dir() -> Path:
    """The bundled demo feeds built from the seed articles."""
    return assets_dir() / "demo"


def models_dir() -> Path:
    """The bundled NER models."""
    return assets_dir() / "models"
