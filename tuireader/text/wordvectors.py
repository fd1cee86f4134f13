"""Small static word vectors for the NER models, distilled from multilingual-e5-small.

At training time only, ``tools/embed_words.py`` embeds the most frequent word forms of a
language with e5 (``work-ner/e5/<lang>-*.npz``); :func:`build_table` centres those vectors,
projects them on their top principal components, scales every component to unit variance and
stores them as ``int8`` in a lookups table (:data:`VECTORS_TABLE`) inside the model, a few MB.
At run time :class:`WordVectors` looks a whole batch of tokens up at once (the word, else its
lower-case form); words not in the table get zeros plus a 0 in the last, "known" column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tuireader.text.vocabcache import PerVocab

#: The lookups table holding the packed vectors.
VECTORS_TABLE = "tuireader_vectors"

#: int8 steps per unit of a standardised component (values are clipped at ±127 / SCALE).
SCALE = 32.0


def load_shards(lang: str, directory: Path) -> tuple[list[str], Any]:
    """The words and float32 vectors of every ``<lang>-*of*.npz`` shard in ``directory``."""
    import numpy as np

    shards = sorted(directory.glob(f"{lang}-*of*.npz"))
    if not shards:
        raise FileNotFoundError(f"no {lang} word-vector shards in {directory}")
    words: list[str] = []
    vectors = []
    for shard in shards:
        with np.load(shard) as data:
            words.extend(str(w) for w in data["words"])
            vectors.append(data["vectors"].astype("float32"))
    return words, np.concatenate(vectors)


def compress(vectors: Any, dims: int) -> Any:
    """Centred, PCA-projected, standardised and ``int8``-quantised ``vectors``."""
    import numpy as np

    centred = vectors - vectors.mean(axis=0)
    # principal axes from the covariance (384 x 384), cheaper than an SVD of the data
    values, axes = np.linalg.eigh(np.cov(centred, rowvar=False))
    top = axes[:, np.argsort(values)[::-1][:dims]]
    projected = centred @ top
    projected /= projected.std(axis=0) + 1e-6
    return np.clip(np.rint(projected * SCALE), -127, 127).astype("int8")


def build_table(lang: str, directory: Path, dims: int) -> dict[str, bytes]:
    """The :data:`VECTORS_TABLE` content for ``lang`` from the e5 shards in ``directory``."""
    import numpy as np
    from spacy.strings import StringStore

    words, vectors = load_shards(lang, directory)
    codes = compress(vectors, dims)
    strings = StringStore()
    keys = np.array([strings.add(word) for word in words], dtype="uint64")
    order = np.argsort(keys, kind="stable")
    keys, codes = keys[order], codes[order]
    unique = np.concatenate([[True], keys[1:] != keys[:-1]])
    return {
        "keys": keys[unique].tobytes(),
        "vectors": np.ascontiguousarray(codes[unique]).tobytes(),
        "dims": str(dims).encode(),
    }


class WordVectors:
    """The vector table a model carries; :meth:`features` gives ``dims + 1`` floats a token."""

    def __init__(self, keys: Any, vectors: Any) -> None:
        import numpy

        self.np = numpy
        self.keys = keys
        self.vectors = vectors

    @property
    def width(self) -> int:
        """Floats per token: the components plus the "known" flag."""
        return int(self.vectors.shape[1]) + 1

    @classmethod
    def of(cls, vocab: Any, dims: int) -> WordVectors:
        """The table of a model's vocabulary (an empty one of ``dims`` if it has none)."""
        return _tables.get(vocab, dims)

    @classmethod
    def from_lookups(cls, lookups: Any, dims: int) -> WordVectors:
        """The table stored in ``lookups``; raises ValueError if its size is not ``dims``."""
        import numpy

        if not lookups.has_table(VECTORS_TABLE):
            return cls(numpy.zeros(0, dtype="uint64"), numpy.zeros((0, dims), dtype="int8"))
        table = lookups.get_table(VECTORS_TABLE)
        stored = int(table["dims"].decode())
        if stored != dims:
            raise ValueError(f"model has {stored}-dimensional word vectors, not {dims}")
        keys = numpy.frombuffer(table["keys"], dtype="uint64")
        vectors = numpy.frombuffer(table["vectors"], dtype="int8").reshape(len(keys), dims)
        return cls(keys, vectors)

    def features(self, orth: Any, lower: Any) -> Any:
        """``(n, dims + 1)`` float32: each token's vector (of the word, else of its lower-case
        form) and 1.0 in the last column where the table knows it."""
        np = self.np
        out = np.zeros((len(orth), self.width), dtype="float32")
        if not len(self.keys) or not len(orth):
            return out
        rows = np.full(len(orth), -1, dtype="int64")
        for ids in (lower, orth):  # orth last: it wins where both are known
            ids = np.asarray(ids, dtype="uint64")
            pos = np.minimum(np.searchsorted(self.keys, ids), len(self.keys) - 1)
            hit = self.keys[pos] == ids
            rows[hit] = pos[hit]
        known = rows >= 0
        out[known, :-1] = self.vectors[rows[known]].astype("float32") / SCALE
        out[known, -1] = 1.0
        return out


_tables: PerVocab[WordVectors] = PerVocab(
    lambda vocab, dims: WordVectors.from_lookups(vocab.lookups, dims)
)
