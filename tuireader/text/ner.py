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

import os
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuireader.paths import models_dir
from tuireader.text.vocabcache import PerVocab

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

__all__ = ["Entity", "find_entities", "find_entities_batch", "model_path", "register"]

LANGS = ("de", "en")
LABELS = ("PER", "ORG", "LOC", "MISC")

#: The lookups table holding the packed, pruned Brown clusters and word probabilities.
LEXICON_TABLE = "tuireader_lexicon"


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
# matrix products

#: OpenBLAS reads these once, when numpy loads it.
_BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS",)


def _import_numpy_single_threaded() -> None:
    """Import numpy (if nobody has yet) with its OpenBLAS limited to one thread.

    The models' matrix products run on numpy's OpenBLAS (:func:`_matmul_with_numpy`); like the
    single-threaded BLIS they replace, they use one core: extraction runs beside the reader's
    UI and sync, and OpenBLAS's idle threads spin. The environment is restored afterwards
    (OpenBLAS has read it by then), so child processes see the user's settings.
    """
    if "numpy" in sys.modules:
        return
    saved = {name: os.environ.get(name) for name in _BLAS_THREAD_VARIABLES}
    for name in _BLAS_THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    try:
        import numpy  # noqa: F401
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _matmul_with_numpy(nlp: Language) -> None:
    """Run the pipeline's matrix products with numpy (OpenBLAS) instead of thinc's BLIS.

    thinc's bundled BLIS (0.7) picks its kernels by CPU model and falls back to the slow
    generic reference code on CPUs it does not know (AMD Zen 5, for one): the products then
    take half of the extraction time. OpenBLAS detects the instruction set instead and is two
    to three times faster on the tok2vec's matrices. The results differ only in float
    rounding (as they already do between BLIS kernels of different CPUs); the entities found
    were the same on the NER training and dev corpora (35,000 texts, 95,000 entities).
    Only the CPU ops are swapped (a GPU pipeline keeps its own).
    """
    from thinc.api import NumpyOps

    matmul_ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is None or type(model.ops) is not NumpyOps:
            continue
        for node in model.walk():
            if type(node.ops) is NumpyOps:
                node.ops = matmul_ops


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
        _import_numpy_single_threaded()
        _register_architectures()
        _registered = True


class Lexicon:
    """The pruned Brown-cluster and word-probability tables a model carries, packed as sorted
    numpy arrays in one lookups table (:data:`LEXICON_TABLE`): loads in milliseconds and
    looks up whole documents at once."""

    def __init__(self, keys: Any, clusters: Any, probs: Any) -> None:
        import numpy

        self.np = numpy
        self.keys = keys
        self.clusters = clusters
        self.probs = probs

    @classmethod
    def pack(cls, entries: dict[int, tuple[int, int]]) -> dict[str, bytes]:
        """``{orth id: (cluster, prob bucket)}`` → the table's content (prob 255 = unknown)."""
        import numpy

        keys = numpy.array(sorted(entries), dtype="uint64")
        clusters = numpy.array([entries[int(k)][0] for k in keys], dtype="uint32")
        probs = numpy.array([entries[int(k)][1] for k in keys], dtype="uint8")
        return {"keys": keys.tobytes(), "clusters": clusters.tobytes(), "probs": probs.tobytes()}

    @classmethod
    def of(cls, vocab: Any) -> Lexicon:
        """The lexicon of a model's vocabulary (empty if it has none)."""
        return _lexicons.get(vocab)

    @classmethod
    def from_lookups(cls, lookups: Any) -> Lexicon:
        """The lexicon stored in ``lookups`` (empty if there is none)."""
        import numpy

        if not lookups.has_table(LEXICON_TABLE):
            empty = numpy.zeros(0, dtype="uint64")
            return cls(empty, numpy.zeros(0, dtype="uint32"), numpy.zeros(0, dtype="uint8"))
        table = lookups.get_table(LEXICON_TABLE)
        return cls(
            numpy.frombuffer(table["keys"], dtype="uint64"),
            numpy.frombuffer(table["clusters"], dtype="uint32"),
            numpy.frombuffer(table["probs"], dtype="uint8"),
        )

    def _find(self, ids: Any) -> tuple[Any, Any]:
        np = self.np
        if not len(self.keys):
            return np.zeros(len(ids), dtype="uint64"), np.full(len(ids), 255, dtype="uint8")
        pos = np.searchsorted(self.keys, ids)
        pos = np.minimum(pos, len(self.keys) - 1)
        hit = self.keys[pos] == ids
        clusters = np.where(hit, self.clusters[pos], 0).astype("uint64")
        probs = np.where(hit, self.probs[pos], 255).astype("uint8")
        return clusters, probs

    def features(self, orth: Any, lower: Any, depths: Sequence[int]) -> Any:
        """Feature columns per token: the Brown-cluster path (of the word, else of its lower
        case form) cut at each depth (0 = full path), then the log-probability bucket.
        Unknown words get 0 everywhere: a "rare word" signal."""
        np = self.np
        orth = np.asarray(orth, dtype="uint64")
        lower = np.asarray(lower, dtype="uint64")
        # each distinct id once, in sorted order (the binary searches then share cache lines)
        distinct, where = np.unique(np.concatenate([orth, lower]), return_inverse=True)
        found_clusters, found_probs = self._find(distinct)
        c_orth, c_lower = np.split(found_clusters[where], [len(orth)])
        p_orth, p_lower = np.split(found_probs[where], [len(orth)])
        values = np.where(c_orth > 0, c_orth, c_lower)
        probs = np.where(p_orth != 255, p_orth, p_lower).astype("uint64")
        probs[probs == 255] = 0
        # the ids keep a leading 1 bit above the path: path length = bit length - 1
        length = np.zeros(len(values), dtype="int64")
        nonzero = values > 0
        length[nonzero] = np.floor(np.log2(values[nonzero].astype("float64"))).astype("int64")
        columns = []
        for depth in depths:
            shift = np.maximum(length - depth, 0) if depth else np.zeros_like(length)
            columns.append(values >> shift.astype("uint64"))
        columns.append(probs)
        return np.stack(columns, axis=1).astype("uint64")

    def cluster(self, key: int) -> int:
        """The cluster id of one orth id (0 if unknown)."""
        return int(self._find(self.np.array([key], dtype="uint64"))[0][0])

    def known(self, key: int) -> bool:
        """Whether the orth id is among the kept (frequent) words."""
        return int(self._find(self.np.array([key], dtype="uint64"))[1][0]) != 255


_lexicons: PerVocab[Lexicon] = PerVocab(lambda vocab: Lexicon.from_lookups(vocab.lookups))


def _register_architectures() -> None:
    from spacy.attrs import LOWER, ORTH, intify_attr
    from spacy.util import registry
    from thinc.api import (
        HashEmbed,
        Maxout,
        Model,
        chain,
        concatenate,
        list2ragged,
        ragged2list,
        with_array,
    )

    def cluster_hash_embed(
        width: int,
        attrs: list[str],
        rows: list[int],
        cluster_depths: list[int],
        cluster_rows: list[int],
        prob_rows: int,
        maxout_pieces: int = 3,
        vector_dims: int = 0,
    ) -> Model:
        """``spacy.MultiHashEmbed.v2`` plus one hashed column per Brown-cluster depth and one
        for the word's probability bucket; with ``vector_dims``, also the model's static word
        vectors (:mod:`tuireader.text.wordvectors`) next to the hashed embeddings."""
        if len(rows) != len(attrs) or len(cluster_rows) != len(cluster_depths):
            raise ValueError("rows must match attrs and cluster_rows must match cluster_depths")
        columns = [intify_attr(a) for a in attrs]
        all_rows = [*rows, *cluster_rows, prob_rows]
        embeddings: list[Model] = [
            HashEmbed(width, n_rows, column=i, seed=8 + i, dropout=0.0)
            for i, n_rows in enumerate(all_rows)
        ]
        # One to_array per doc for the hashed attributes and the ids the clusters are looked
        # up by; the cluster lookup then runs once over the whole batch (it is per token).
        lookup_columns = [*columns, ORTH, LOWER]
        n_attrs = len(columns)

        def join_forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[list, Any]:
            """Per doc: the attrs' ids, then the cluster prefixes and probability bucket."""
            if not docs:
                return [], (lambda d: [])
            numpy = model.ops.xp
            vocab = docs[0].vocab
            if any(doc.vocab is not vocab for doc in docs):
                per_doc = [join_forward(model, [doc], is_train)[0][0] for doc in docs]
                return per_doc, (lambda d: [])
            ids = numpy.concatenate(
                [
                    doc.to_array(lookup_columns).reshape((len(doc), len(lookup_columns)))
                    for doc in docs
                ]
            ).astype("uint64", copy=False)
            lexicon = Lexicon.of(vocab)
            clusters = lexicon.features(ids[:, n_attrs], ids[:, n_attrs + 1], cluster_depths)
            features = numpy.hstack([ids[:, :n_attrs], clusters])
            splits = numpy.cumsum([len(doc) for doc in docs[:-1]])
            return numpy.split(features, splits), (lambda d: [])

        features: Model = Model("lexical_and_cluster_features", join_forward)
        if not vector_dims:
            return chain(
                features,
                list2ragged(),
                with_array(concatenate(*embeddings)),
                with_array(
                    Maxout(
                        width,
                        width * len(embeddings),
                        nP=maxout_pieces,
                        dropout=0.0,
                        normalize=True,
                    )
                ),
                ragged2list(),
            )

        def vectors_forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[list, Any]:
            """Per doc: the static vector of every token (constant input, no gradient)."""
            from .wordvectors import WordVectors

            if not docs:
                return [], (lambda d: [])
            numpy = model.ops.xp
            ids = numpy.concatenate(
                [doc.to_array([ORTH, LOWER]).reshape((len(doc), 2)) for doc in docs]
            ).astype("uint64", copy=False)
            table = WordVectors.of(docs[0].vocab, vector_dims)
            rows = table.features(ids[:, 0], ids[:, 1])
            splits = numpy.cumsum([len(doc) for doc in docs[:-1]])
            return numpy.split(rows, splits), (lambda d: [])

        hashed: Model = chain(
            features, list2ragged(), with_array(concatenate(*embeddings)), ragged2list()
        )
        vectors: Model = Model("static_word_vectors", vectors_forward)
        return chain(
            concatenate(hashed, vectors),
            list2ragged(),
            with_array(
                Maxout(
                    width,
                    width * len(embeddings) + vector_dims + 1,
                    nP=maxout_pieces,
                    dropout=0.0,
                    normalize=True,
                )
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
            import spacy

            nlp = spacy.load(model_path(lang))
            nlp.max_length = 10**8
            _matmul_with_numpy(nlp)
            _models[lang] = nlp
    return nlp


# ---------------------------------------------------------------------------------------------
# public API

_SURROGATES = re.compile("[\ud800-\udfff]")
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
        # lone surrogates cannot be encoded: replace them one for one, offsets stay valid
        for offset, para in paragraphs(_SURROGATES.sub("\ufffd", text)):
            for sub_offset, chunk in _chunks(para):
                pieces.append((n, offset + sub_offset, chunk))
    results: list[list[Entity]] = [[] for _ in texts]
    for batch in _model_batches(pieces):
        docs = nlp.pipe([chunk for _, _, chunk in batch], batch_size=len(batch))
        for (n, offset, _), doc in zip(batch, docs, strict=True):
            for span in postprocess(doc, lang):
                start = offset + span.start_char
                end = offset + span.end_char
                results[n].append(Entity(start, end, texts[n][start:end], span.label_))
    for ents in results:
        ents.sort(key=lambda e: e.start)
    return results


_MAX_CHUNK = 20_000

#: Characters of text per model batch (≈ 2,500 tokens, ≈ 64 news paragraphs). The batch's
#: matrices then stay in the CPU caches: on one core batches of 512 seed paragraphs ran 30%
#: slower, seven 20,000-character chunks in one batch 2.3 times slower, and the GermEval
#: sentences 13% slower in batches of 64 sentences. Every paragraph is its own doc, so the
#: batching does not change the result.
_BATCH_CHARS = 16_000


def _model_batches(
    pieces: list[tuple[int, int, str]], budget: int = _BATCH_CHARS
) -> Iterator[list[tuple[int, int, str]]]:
    """``pieces`` (text index, offset, paragraph) cut into runs of at most ``budget``
    characters of paragraph text (a longer paragraph is a batch of its own)."""
    batch: list[tuple[int, int, str]] = []
    size = 0
    for piece in pieces:
        if batch and size + len(piece[2]) > budget:
            yield batch
            batch, size = [], 0
        batch.append(piece)
        size += len(piece[2])
    if batch:
        yield batch


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

#: Tables that :mod:`tuireader.text.train` adds to the model's lookups: first names seen in
#: the training data, and Brown-cluster prefixes (depth 12) whose words are mostly persons.
FIRST_NAMES_TABLE = "tuireader_first_names"
NAME_CLUSTERS_TABLE = "tuireader_name_clusters"
NAME_CLUSTER_DEPTH = 12
#: Full Brown clusters whose words are (almost) never names in the training data.
COMMON_CLUSTERS_TABLE = "tuireader_common_clusters"

#: The post-processing steps in order (see :func:`postprocess`).
RULE_STEPS = (
    "common",
    "lowercase",
    "places",
    "orgs",
    "misc",
    "titles",
    "continue",
    "demonyms",
    "trim",
)

class _Rules:
    """Gazetteer matchers and word lists for one model vocabulary and language."""

    def __init__(self, vocab: Any, lang: str) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        from . import gazetteer

        self.lang = lang
        tokenizer: Any = spacy.blank(lang, vocab=vocab).tokenizer
        places = set(gazetteer.country_names(lang)) | set(gazetteer.capital_names(lang))
        if lang == "de":  # genitive: "Russlands", "Südkoreas"
            places |= {p + "s" for p in places if not p.endswith(("s", "z", "x", "ß"))}
        self.place_names = frozenset(places)
        self.places = PhraseMatcher(vocab)
        self.places.add("LOC", list(tokenizer.pipe(sorted(places))))
        self.misc_names = gazetteer.misc_names(lang)
        self.misc = PhraseMatcher(vocab)
        self.misc.add("MISC", list(tokenizer.pipe(sorted(gazetteer.misc_names(lang)))))
        self.orgs = PhraseMatcher(vocab)
        self.orgs.add("ORG", list(tokenizer.pipe(sorted(set(gazetteer.ORGANISATIONS)))))
        self.titles = frozenset(gazetteer.TITLES[lang])
        self.title_suffixes = tuple(gazetteer.TITLE_SUFFIXES[lang])
        lookups = vocab.lookups
        self.strings = vocab.strings
        self.lexicon = Lexicon.of(vocab)
        self.first_names = (
            lookups.get_table(FIRST_NAMES_TABLE) if lookups.has_table(FIRST_NAMES_TABLE) else {}
        )
        self.name_clusters = (
            lookups.get_table(NAME_CLUSTERS_TABLE) if lookups.has_table(NAME_CLUSTERS_TABLE) else {}
        )
        self.common_clusters = (
            lookups.get_table(COMMON_CLUSTERS_TABLE)
            if lookups.has_table(COMMON_CLUSTERS_TABLE)
            else {}
        )
        self.demonym = gazetteer.demonym_pattern(lang)
        self._title_cache: dict[str, bool] = {}
        self._demonym_cache: dict[str, bool] = {}
        self._lexicon_cache: dict[str, tuple[int, bool]] = {}

    def is_title(self, word: str) -> bool:
        """Whether the word introduces a person's name ("Außenminister", "President")."""
        cached = self._title_cache.get(word)
        if cached is None:
            low = word.lower()
            last = low.rsplit("-", 1)[-1]
            cached = low in self.titles or (
                last.endswith(self.title_suffixes) and word[:1].isupper()
            )
            if len(self._title_cache) < 200_000:
                self._title_cache[word] = cached
        return cached

    def name_cluster(self, word: str) -> bool:
        """Whether the word's Brown cluster is mostly person names (or the word is so rare
        that it has no cluster at all)."""
        value = self.cluster(word)
        if not value:
            return not self.known(word)
        length = value.bit_length() - 1
        prefix = value >> max(0, length - NAME_CLUSTER_DEPTH)
        return bool(self.name_clusters.get(prefix, 0))

    def is_common_noun(self, word: str) -> bool:
        """Whether the word (or the last part of a hyphen compound) sits in a Brown cluster
        that is almost never a name in the training data ("Geheimdienst", "Ukraine-Krise")."""
        last = word.rsplit("-", 1)[-1]
        for form in {word, last}:
            value = self.cluster(form)
            if value and self.common_clusters.get(value, 0):
                return True
        return False

    def is_demonym(self, word: str) -> bool:
        """Whether the word is a demonym adjective ("russischen", "Russian")."""
        cached = self._demonym_cache.get(word)
        if cached is None:
            if self.lang == "de":  # the German pattern only matches -isch adjectives
                cached = bool(self.demonym.fullmatch(word)) and word not in self.misc_names
            else:
                cached = bool(self.demonym.fullmatch(word)) and self.known(word)
            if len(self._demonym_cache) < 200_000:
                self._demonym_cache[word] = cached
        return cached

    def cluster(self, word: str) -> int:
        """The word's Brown cluster id (0 if unknown)."""
        return self._lookup(word)[0]

    def known(self, word: str) -> bool:
        """Whether the word is among the frequent words the model's lexicon keeps."""
        return self._lookup(word)[1]

    def _lookup(self, word: str) -> tuple[int, bool]:
        """(cluster id, known) of the word, cached: a lexicon lookup of one id costs numpy
        calls, and the same words come back in every article."""
        cached = self._lexicon_cache.get(word)
        if cached is None:
            key = self.strings[word]
            cached = (self.lexicon.cluster(key), self.lexicon.known(key))
            if len(self._lexicon_cache) < 200_000:
                self._lexicon_cache[word] = cached
        return cached


#: The rules of each model vocabulary and language: ``_rules.get(vocab, lang)``.
_rules: PerVocab[_Rules] = PerVocab(_Rules)


def _name_like(token: Any) -> bool:
    text = token.text
    return (
        text[:1].isupper()
        and not token.is_punct
        and any(c.isalpha() for c in text)
        and not (len(text) > 1 and text.isupper() and "." not in text and len(text) > 4)
    )


def postprocess(doc: Doc, lang: str, steps: Sequence[str] = RULE_STEPS) -> list[Span]:
    """The model's entities in ``doc`` corrected by the gazetteers and rules.

    In order: country/capital gazetteer (LOC, also splitting run-together header names),
    news agencies and acronym organisations (ORG), a title before a name makes it a person
    ("Außenminister Kim Hong Kyun"), person names continue over name-like tokens ("Kim Jong
    Un"), demonym adjectives are MISC in English and no entity in German, and edge
    punctuation is trimmed. The result is sorted and non-overlapping. ``steps`` selects the
    rules (for measuring each one).
    """
    from spacy.tokens import Span
    from spacy.util import filter_spans

    rules = _rules.get(doc.vocab, lang)
    ents: list[Span] = list(doc.ents)
    n = len(doc)

    def covering(start: int, end: int) -> list[int]:
        return [k for k, e in enumerate(ents) if e.start < end and start < e.end]

    def apply_gazetteer(matches: list[tuple[int, int]], label: str) -> None:
        matched: set[int] = set()
        for start, end in matches:
            matched.update(range(start, end))
        for start, end in matches:
            hits = covering(start, end)
            if not hits:
                ents.append(Span(doc, start, end, label=label))
                continue
            if all(start <= ents[k].start and ents[k].end <= end for k in hits):
                # the model cut the name into pieces ("Volksrepublik" + "China"): join them
                for k in sorted(hits, reverse=True):
                    ents.pop(k)
                ents.append(Span(doc, start, end, label=label))
                continue
            if len(hits) != 1:
                continue
            ent = ents[hits[0]]
            if (ent.start, ent.end) == (start, end):
                ents[hits[0]] = Span(doc, start, end, label=label)
            elif (
                ent.start <= start
                and end <= ent.end
                and all(k in matched for k in range(ent.start, ent.end))
            ):  # several gazetteer names run together ("Ukraine Südkorea"): split them
                ents.pop(hits[0])
                for s2, e2 in matches:
                    if ent.start <= s2 and e2 <= ent.end:
                        ents.append(Span(doc, s2, e2, label=label))

    places = [(s, e) for _, s, e in rules.places(doc)]
    orgs = [(s, e) for _, s, e in rules.orgs(doc)]
    # Single words the model took for a name that the clusters say are common nouns.
    if "common" in steps:
        gazetted = {s for s, e in places + orgs if e == s + 1}
        ents = [
            e
            for e in ents
            if e.end - e.start != 1 or e.start in gazetted or not rules.is_common_noun(e.text)
        ]
        if lang == "de":  # rare abstract compounds the clusters do not know: "Militärkooperation"
            ents = [
                e
                for e in ents
                if e.end - e.start != 1
                or e.start in gazetted
                or rules.known(e.text)
                or not _ABSTRACT_DE.search(e.text)
            ]
    if "lowercase" in steps:  # "nordkoreanischer": lower-case single words are rarely names
        gazetted = {s for s, e in places + orgs if e == s + 1}
        ents = [
            e
            for e in ents
            if e.end - e.start != 1
            or e.start in gazetted
            or not (e.text[:1].islower() and e.text.isalpha())
        ]
    if "places" in steps:
        apply_gazetteer(_longest(places), "LOC")
        for k, ent in enumerate(ents):  # "Pjöngjang-Moskau": places joined by hyphens
            parts = ent.text.split("-")
            if len(parts) > 1 and all(p in rules.place_names for p in parts):
                ents[k] = Span(doc, ent.start, ent.end, label="LOC")
    if "orgs" in steps:
        apply_gazetteer(_longest(orgs), "ORG")
    if "misc" in steps and lang == "de":  # currencies and languages (GermEval: OTH)
        apply_gazetteer(_longest([(s, e) for _, s, e in rules.misc(doc)]), "MISC")

    # Title before a name: "Außenminister Kim Hong Kyun", "Botschafter Georgy Sinowjew".
    place_starts = {s for s, _ in places} | {s for s, _ in orgs}
    words = [token.text for token in doc] if "titles" in steps else []
    for i in range(n - 1 if "titles" in steps else 0):
        if not rules.is_title(words[i]) or i + 1 in place_starts:
            continue
        j = i + 1
        end = j
        while end < n and end - j < 4 and _name_like(doc[end]) and not rules.is_title(words[end]):
            end += 1
        if end == j:
            continue
        hits = covering(j, end)
        if hits:
            ent = ents[hits[0]]
            if ent.start != j or ent.label_ == "PER":
                continue
            if (
                ent.label_ in ("LOC", "ORG")
                and ent.end - ent.start == 1
                and not rules.name_cluster(ent.text)
            ):
                continue
            ents[hits[0]] = Span(doc, ent.start, ent.end, label="PER")
        elif doc[j].text in rules.first_names or rules.name_cluster(doc[j].text):
            stop = j + 1
            while stop < end and rules.name_cluster(doc[stop].text):
                stop += 1
            ents.append(Span(doc, j, stop, label="PER"))

    # Person names continue over name-like tokens: "Kim Jong" + "Un", "Yoon Suk" + "Yeol".
    gazetted_starts = {s for s, _ in places} | {s for s, _ in orgs}
    for ent in list(ents):
        if ent.label_ != "PER" or "continue" not in steps or ent not in ents:
            continue
        stop = ent.end
        absorbed: list[Span] = []
        while stop < n and stop - ent.start < 5 and doc[stop - 1].whitespace_:
            token = doc[stop]
            if not _name_like(token) or stop in gazetted_starts:
                break
            hits = covering(stop, stop + 1)
            if hits:  # a one-word entity glued to the name ("Yoon Suk" + ORG "Yeol")
                other = ents[hits[0]]
                if (
                    other.end - other.start == 1
                    and other.label_ != "PER"
                    and ent.end - ent.start >= 2
                    and not rules.known(token.text)
                ):
                    absorbed.append(other)
                    stop += 1
                    continue
                break
            multi = ent.end - ent.start >= 2
            short = len(token.text) <= 3 and multi and token.is_title
            rare = multi and token.is_title and not rules.known(token.text)
            first = rules.name_cluster(token.text) and token.text in rules.first_names
            if not (short or rare or first):
                break
            stop += 1
        if stop != ent.end:
            for other in absorbed:
                ents.remove(other)
            ents[ents.index(ent)] = Span(doc, ent.start, stop, label="PER")

    # Demonym adjectives: MISC in English (CoNLL), no entity in German (GermEval -deriv).
    kept: list[Span] = []
    for ent in ents:
        if "demonyms" in steps and ent.end - ent.start == 1 and rules.is_demonym(ent.text):
            if lang == "de":
                continue
            ent = Span(doc, ent.start, ent.end, label="MISC")
        kept.append(ent)
    if lang == "en" and "demonyms" in steps:
        taken = {k for e in kept for k in range(e.start, e.end)}
        for token in doc:
            if token.i not in taken and token.is_title and rules.is_demonym(token.text):
                kept.append(Span(doc, token.i, token.i + 1, label="MISC"))

    # Trim punctuation at the edges.
    out: list[Span] = []
    for ent in kept:
        start, end = ent.start, ent.end
        if "trim" not in steps:
            out.append(ent)
            continue
        while start < end and doc[start].is_punct and doc[start].text not in "(":
            start += 1
        while end > start and doc[end - 1].is_punct and doc[end - 1].text not in ".)":
            end -= 1
        if end > start:
            out.append(Span(doc, start, end, label=ent.label_))
    return sorted(filter_spans(out), key=lambda e: e.start)


_ABSTRACT_DE = re.compile(r"\w{4,}(?:ung|heit|keit|schaft|tion|tät|ismus|nahme|ierung)$")


def _longest(matches: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-overlapping matches, longest first."""
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(matches, key=lambda m: (m[0] - m[1], m[0])):
        if all(end <= s or e <= start for s, e in chosen):
            chosen.append((start, end))
    return sorted(chosen)
