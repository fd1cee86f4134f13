"""Objects built once per model vocabulary (and rebuilt if its lookups tables are replaced),
shared by the threads that tag with the same model."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

Built = TypeVar("Built")


class PerVocab(Generic[Built]):
    """``get(vocab, *args)`` returns ``build(vocab, *args)``, built on first use and again only
    when ``vocab.lookups`` is replaced."""

    def __init__(self, build: Callable[..., Built]) -> None:
        self._build = build
        self._cache: dict[tuple[int, tuple[Hashable, ...]], tuple[Any, Built]] = {}
        self._lock = threading.Lock()

    def get(self, vocab: Any, *args: Hashable) -> Built:
        """The object for ``vocab`` (the same one while its lookups stay the same)."""
        key = (id(vocab), args)
        lookups = vocab.lookups
        cached = self._cache.get(key)
        if cached is not None and cached[0] is lookups:
            return cached[1]
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] is lookups:  # another thread built it meanwhile
                return cached[1]
            built = self._build(vocab, *args)
            self._cache[key] = (lookups, built)
        return built
