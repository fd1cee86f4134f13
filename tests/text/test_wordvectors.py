"""The static word-vector table: compression, packing, lookup and the embedding that uses it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tuireader.text import ner
from tuireader.text.wordvectors import (
    SCALE,
    VECTORS_TABLE,
    WordVectors,
    build_table,
    compress,
    load_shards,
)

WORDS = ["Moskau", "moskau", "Rutte", "Nato", "und", "Bundestag"]


@pytest.fixture()
def shards(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(WORDS), 384)).astype("float16")
    np.savez(tmp_path / "de-0of2.npz", words=np.array(WORDS[::2]), vectors=vectors[::2])
    np.savez(tmp_path / "de-1of2.npz", words=np.array(WORDS[1::2]), vectors=vectors[1::2])
    return tmp_path


def test_compress_keeps_the_main_directions_standardised() -> None:
    rng = np.random.default_rng(1)
    signal = rng.normal(size=(2000, 1)) * 10
    vectors = np.hstack([signal, rng.normal(size=(2000, 383)) * 0.1]) + 5
    codes = compress(vectors.astype("float32"), 4)
    assert codes.dtype == np.int8 and codes.shape == (2000, 4)
    first = codes[:, 0].astype("float32") / SCALE
    assert abs(abs(np.corrcoef(first, signal[:, 0])[0, 1]) - 1) < 1e-3
    assert 0.9 < first.std() < 1.1


def test_shards_load_in_order(shards: Path) -> None:
    words, vectors = load_shards("de", shards)
    assert sorted(words) == sorted(WORDS) and vectors.shape == (len(WORDS), 384)
    with pytest.raises(FileNotFoundError):
        load_shards("en", shards)


def test_lookup_prefers_the_word_then_its_lower_case_form(shards: Path) -> None:
    import spacy

    nlp = spacy.blank("de")
    nlp.vocab.lookups.add_table(VECTORS_TABLE, build_table("de", shards, 3))
    table = WordVectors.of(nlp.vocab, 3)
    doc = nlp("Moskau MOSKAU Unbekannt und")
    orth = [t.orth for t in doc]
    lower = [t.lower for t in doc]
    rows = table.features(orth, lower)
    assert rows.shape == (4, 4)
    assert rows[:, -1].tolist() == [1.0, 1.0, 0.0, 1.0]
    own = table.features([nlp.vocab.strings["Moskau"]], [0])[0]
    lowered = table.features([nlp.vocab.strings["moskau"]], [0])[0]
    assert np.array_equal(rows[0], own) and np.array_equal(rows[1], lowered)
    assert not np.array_equal(own, lowered)
    assert not rows[2].any()


def test_a_table_of_other_dimensions_is_refused(shards: Path) -> None:
    import spacy

    nlp = spacy.blank("de")
    nlp.vocab.lookups.add_table(VECTORS_TABLE, build_table("de", shards, 3))
    with pytest.raises(ValueError, match="3-dimensional"):
        WordVectors.of(nlp.vocab, 5)


def test_empty_table_gives_zeros() -> None:
    import spacy

    table = WordVectors.of(spacy.blank("de").vocab, 8)
    assert table.features([1, 2], [3, 4]).tolist() == [[0.0] * 9] * 2


def test_embedding_with_vectors_trains(shards: Path) -> None:
    import spacy
    from spacy.util import registry

    ner.register()
    nlp = spacy.blank("de")
    nlp.vocab.lookups.add_table(VECTORS_TABLE, build_table("de", shards, 3))
    embed = registry.architectures.get("tuireader.ClusterHashEmbed.v1")(
        width=16,
        attrs=["NORM", "SHAPE"],
        rows=[100, 50],
        cluster_depths=[4],
        cluster_rows=[50],
        prob_rows=10,
        vector_dims=3,
    )
    docs = [nlp("Rutte besucht Moskau"), nlp("und")]
    embed.initialize(X=docs)
    output, backprop = embed.begin_update(docs)
    assert [o.shape for o in output] == [(3, 16), (1, 16)]
    assert backprop([np.ones_like(o) for o in output]) == []
    assert embed.get_dim("nO") == 16
