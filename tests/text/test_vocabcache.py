"""PerVocab: one object per vocabulary and arguments, rebuilt when the lookups are replaced."""

from __future__ import annotations

import threading
from typing import Any

from spacy.lookups import Lookups
from spacy.vocab import Vocab

from tuireader.text.vocabcache import PerVocab


def test_built_once_per_vocab_and_arguments() -> None:
    calls: list[tuple[Any, int]] = []

    def build(vocab: Vocab, size: int) -> list[int]:
        calls.append((vocab, size))
        return [size]

    cache: PerVocab[list[int]] = PerVocab(build)
    vocab, other = Vocab(), Vocab()
    first = cache.get(vocab, 3)
    assert cache.get(vocab, 3) is first
    assert cache.get(vocab, 4) == [4]
    assert cache.get(other, 3) is not first
    assert len(calls) == 3


def test_rebuilt_when_the_lookups_change() -> None:
    cache: PerVocab[object] = PerVocab(lambda vocab: object())
    vocab = Vocab()
    first = cache.get(vocab)
    vocab.lookups = Lookups()
    assert cache.get(vocab) is not first


def test_threads_share_one_build() -> None:
    calls: list[int] = []
    started = threading.Barrier(4)

    def build(vocab: Vocab) -> int:
        calls.append(1)
        return len(calls)

    cache: PerVocab[int] = PerVocab(build)
    vocab = Vocab()
    results: list[int] = []

    def worker() -> None:
        started.wait()
        results.append(cache.get(vocab))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [1, 1, 1, 1]
    assert calls == [1]
