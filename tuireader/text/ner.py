"""Named-entity recognition for German and English news text.

The public API is :func:`find_entities`, :func:`find_entities_batch` and :func:`model_path`.
Each call runs the shipped statistical model (``assets/models/<lang>``, a spaCy pipeline
trained by :mod:`tuireader.text.train`) paragraph by paragraph and then applies the
gazetteer and rule post-processing of this module (countries, capitals, demonyms, titles,
news agencies, acronym organisations, name continuation).

The models feed Brown-cluster paths (from ``spacy-lookups-data``, pruned to the most frequent
words and shipped inside the model as ``vocab/lookups.bin``) to the tok2vec through a custom
embedding architecture, ``tuireader.ClusterHashEmbed.v1``. :func:`register` registers it with
spaCy; after that, a plain ``spacy.load(path)`` works. Importing this module is cheap: spaCy is
imported only when a model is first needed (or right away if spaCy is already imported).
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuireader.paths import models_dir

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

__all__ = ["Entity", "find_entities", "find_entities_batch", "model_path", "register"]

LANGS = ("de", "en")
LABELS = ("PER", "ORG", "LOC", "MISC")

#: Names of the pruned tables the models carry in ``nlp.vocab.lookups``.
CLUSTER_TABLE = "lexeme_cluster"
PROB_TABLE = "tuireader_prob"


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity: ``text == input[start:end]``."""

    start: int  # Python str index into the input text
    end: int
    text: str
    label: str  # "PER" | "ORG" | "LOC" | "MISC"


def model_path(lang: str) -> Path:
    """The directory of the shipped spaCy model for ``lang`` ("de" or "en")."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; expected one of {LANGS}")
    return models_dir() / lang


# ---------------------------------------------------------------------------------------------
# spaCy registration: the cluster-feature embedding

_registered = False
_register_lock = threading.Lock()


def register() -> None:
    """Register the custom spaCy architecture the models use (idempotent; imports spaCy)."""
    global _registered
    with _register_lock:
        if _registered:
            return
        _register_architectures()
        _registered = True


def cluster_features(values: int, prob: int | None, depths: Sequence[int]) -> tuple[int, ...]:
    """Feature ids for one word: its Brown-cluster path cut at each depth (0 = full path),
    then its log-probability bucket. Unknown words get 0 everywhere (a "rare word" signal)."""
    feats = []
    length = values.bit_length() - 1  # the ids keep a leading 1 bit above the path
    for depth in depths:
        if values <= 0:
            feats.append(0)
        elif depth == 0 or depth >= length:
            feats.append(values)
        else:
            feats.append(values >> (length - depth))
    feats.append(prob if prob is not None else 0)
    return tuple(feats)


def _register_architectures() -> None:
    import numpy  # noqa: PLC0415
    from spacy.attrs import LOWER, ORTH, intify_attr  # noqa: PLC0415
    from spacy.ml.featureextractor import FeatureExtractor  # noqa: PLC0415
    from spacy.util import registry  # noqa: PLC0415
    from thinc.api import (  # noqa: PLC0415
        HashEmbed,
        Maxout,
        Model,
        chain,
        concatenate,
        list2ragged,
        ragged2list,
        with_array,
    )

    def lexical_cluster_features(depths: Sequence[int]) -> Model:
        """Per-token Brown-cluster prefixes and probability bucket, as uint64 columns."""
        state: dict[str, Any] = {"key": None, "clusters": {}, "probs": {}, "cache": {}}

        def tables(doc: Doc) -> tuple[dict[int, int], dict[int, int], dict[int, tuple]]:
            lookups = doc.vocab.lookups
            key = (id(lookups), len(lookups))
            if state["key"] != key:
                state["key"] = key
                state["clusters"] = (
                    dict(lookups.get_table(CLUSTER_TABLE))
                    if lookups.has_table(CLUSTER_TABLE)
                    else {}
                )
                state["probs"] = (
                    dict(lookups.get_table(PROB_TABLE)) if lookups.has_table(PROB_TABLE) else {}
                )
                state["cache"] = {}
            return state["clusters"], state["probs"], state["cache"]

        width = len(depths) + 1

        def forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[list, Any]:
            out = []
            for doc in docs:
                clusters, probs, cache = tables(doc)
                rows = []
                for orth, lower in doc.to_array([ORTH, LOWER]).tolist():
                    feats = cache.get(orth)
                    if feats is None:
                        value = clusters.get(orth) or clusters.get(lower) or 0
                        prob = probs.get(orth, probs.get(lower))
                        feats = cache[orth] = cluster_features(value, prob, depths)
                    rows.append(feats)
                array = numpy.asarray(rows, dtype="uint64").reshape((len(doc), width))
                out.append(model.ops.asarray(array, dtype="uint64"))
            return out, lambda d_features: []

        return Model("cluster_features", forward)

    def cluster_hash_embed(
        width: int,
        attrs: list[str],
        rows: list[int],
        cluster_depths: list[int],
        cluster_rows: list[int],
        prob_rows: int,
    ) -> Model:
        """``spacy.MultiHashEmbed.v2`` plus one hashed column per Brown-cluster depth and one
        for the word's probability bucket."""
        if len(rows) != len(attrs) or len(cluster_rows) != len(cluster_depths):
            raise ValueError("rows must match attrs and cluster_rows must match cluster_depths")
        columns = [intify_attr(a) for a in attrs]
        all_rows = [*rows, *cluster_rows, prob_rows]
        embeddings = [
            HashEmbed(width, n_rows, column=i, seed=8 + i, dropout=0.0)
            for i, n_rows in enumerate(all_rows)
        ]
        lexical = FeatureExtractor(columns)
        clusters = lexical_cluster_features(cluster_depths)

        def join_forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[list, Any]:
            a, _ = lexical(docs, is_train)
            b, _ = clusters(docs, is_train)
            return [model.ops.xp.hstack([x, y]) for x, y in zip(a, b, strict=True)], (
                lambda d: []
            )

        features: Model = Model("lexical_and_cluster_features", join_forward)
        return chain(
            features,
            list2ragged(),
            with_array(concatenate(*embeddings)),
            with_array(
                Maxout(width, width * len(embeddings), nP=3, dropout=0.0, normalize=True)
            ),
            ragged2list(),
        )

    registry.architectures.register("tuireader.ClusterHashEmbed.v1", func=cluster_hash_embed)


if "spacy" in sys.modules:  # cheap then: make plain spacy.load() work right away
    register()


# ---------------------------------------------------------------------------------------------
# model loading

_models: dict[str, Language] = {}
_load_lock = threading.Lock()


def _nlp(lang: str) -> Language:
    nlp = _models.get(lang)
    if nlp is not None:
        return nlp
    with _load_lock:
        nlp = _models.get(lang)
        if nlp is None:
            register()
            import spacy  # noqa: PLC0415

            nlp = spacy.load(model_path(lang))
            nlp.max_length = 10**8
            _models[lang] = nlp
    return nlp


# ---------------------------------------------------------------------------------------------
# public API

_PARAGRAPH = re.compile(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*\Z)", re.S)


def paragraphs(text: str) -> list[tuple[int, str]]:
    """Split ``text`` at blank lines: (offset, paragraph) pairs, stripped, non-empty."""
    return [(m.start(), m.group()) for m in _PARAGRAPH.finditer(text)]


def find_entities(text: str, lang: str) -> list[Entity]:
    """Named entities in ``text`` (PER/ORG/LOC/MISC), sorted by start, non-overlapping."""
    return find_entities_batch([text], lang)[0]


def find_entities_batch(texts: Sequence[str], lang: str) -> list[list[Entity]]:
    """:func:`find_entities` for many texts at once (runs the model with ``nlp.pipe``)."""
    nlp = _nlp(lang)
    pieces: list[tuple[int, int, str]] = []  # (text index, offset, paragraph)
    for n, text in enumerate(texts):
        for offset, para in paragraphs(text):
            for sub_offset, chunk in _chunks(para):
                pieces.append((n, offset + sub_offset, chunk))
    results: list[list[Entity]] = [[] for _ in texts]
    docs = nlp.pipe((chunk for _, _, chunk in pieces), batch_size=64)
    for (n, offset, _), doc in zip(pieces, docs, strict=True):
        for span in postprocess(doc, lang):
            start = offset + span.start_char
            end = offset + span.end_char
            results[n].append(Entity(start, end, texts[n][start:end], span.label_))
    for ents in results:
        ents.sort(key=lambda e: e.start)
    return results


_MAX_CHUNK = 20_000


def _chunks(paragraph: str) -> list[tuple[int, str]]:
    """Cut very long paragraphs at line breaks or spaces so no doc grows huge."""
    if len(paragraph) <= _MAX_CHUNK:
        return [(0, paragraph)]
    out = []
    start = 0
    while start < len(paragraph):
        end = min(len(paragraph), start + _MAX_CHUNK)
        if end < len(paragraph):
            cut = max(paragraph.rfind("\n", start, end), paragraph.rfind(" ", start, end))
            if cut > start:
                end = cut
        chunk = paragraph[start:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            out.append((start + lead, chunk.strip()))
        start = end
    return out


# ---------------------------------------------------------------------------------------------
# post-processing rules


def postprocess(doc: Doc, lang: str) -> list[Span]:
    """The model's entities in ``doc`` corrected by the gazetteers and rules."""
    return list(doc.ents)
