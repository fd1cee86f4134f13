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
    import numpy
    from spacy.attrs import LOWER, ORTH, intify_attr
    from spacy.ml.featureextractor import FeatureExtractor
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
            return [model.ops.xp.hstack([x, y]) for x, y in zip(a, b, strict=True)], (lambda d: [])

        features: Model = Model("lexical_and_cluster_features", join_forward)
        return chain(
            features,
            list2ragged(),
            with_array(concatenate(*embeddings)),
            with_array(Maxout(width, width * len(embeddings), nP=3, dropout=0.0, normalize=True)),
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

#: Tables that :mod:`tuireader.text.train` adds to the model's lookups: first names seen in
#: the training data, and Brown-cluster prefixes (depth 12) whose words are mostly persons.
FIRST_NAMES_TABLE = "tuireader_first_names"
NAME_CLUSTERS_TABLE = "tuireader_name_clusters"
NAME_CLUSTER_DEPTH = 12
#: Full Brown clusters whose words are (almost) never names in the training data.
COMMON_CLUSTERS_TABLE = "tuireader_common_clusters"

#: The post-processing steps in order (see :func:`postprocess`).
RULE_STEPS = ("common", "places", "orgs", "titles", "continue", "demonyms", "trim")

_rules_cache: dict[tuple[int, str], _Rules] = {}
_rules_lock = threading.Lock()


class _Rules:
    """Gazetteer matchers and word lists for one model vocabulary and language."""

    def __init__(self, vocab: Any, lang: str) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        from . import gazetteer

        self.lang = lang
        tokenizer = spacy.blank(lang, vocab=vocab).tokenizer
        places = set(gazetteer.country_names(lang)) | set(gazetteer.capital_names(lang))
        if lang == "de":  # genitive: "Russlands", "Südkoreas"
            places |= {p + "s" for p in places if not p.endswith(("s", "z", "x", "ß"))}
        self.place_names = frozenset(places)
        self.places = PhraseMatcher(vocab)
        self.places.add("LOC", list(tokenizer.pipe(sorted(places))))
        self.orgs = PhraseMatcher(vocab)
        self.orgs.add("ORG", list(tokenizer.pipe(sorted(set(gazetteer.ORGANISATIONS)))))
        self.titles = frozenset(gazetteer.TITLES[lang])
        self.title_suffixes = tuple(gazetteer.TITLE_SUFFIXES[lang])
        lookups = vocab.lookups
        self.known = lookups.get_table(PROB_TABLE) if lookups.has_table(PROB_TABLE) else {}
        self.clusters = lookups.get_table(CLUSTER_TABLE) if lookups.has_table(CLUSTER_TABLE) else {}
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

    def is_title(self, word: str) -> bool:
        low = word.lower()
        if low in self.titles:
            return True
        last = low.rsplit("-", 1)[-1]
        return last.endswith(self.title_suffixes) and word[:1].isupper()

    def name_cluster(self, word: str) -> bool:
        """Whether the word's Brown cluster is mostly person names (or the word is so rare
        that it has no cluster at all)."""
        value = self.clusters.get(word, 0)
        if not value:
            return word not in self.known
        length = value.bit_length() - 1
        prefix = value >> max(0, length - NAME_CLUSTER_DEPTH)
        return bool(self.name_clusters.get(prefix, 0))

    def is_common_noun(self, word: str) -> bool:
        """Whether the word (or the last part of a hyphen compound) sits in a Brown cluster
        that is almost never a name in the training data ("Geheimdienst", "Ukraine-Krise")."""
        last = word.rsplit("-", 1)[-1]
        for form in {word, last}:
            value = self.clusters.get(form, 0)
            if value and self.common_clusters.get(value, 0):
                return True
        return False

    def is_demonym(self, word: str) -> bool:
        return bool(self.demonym.fullmatch(word)) and word in self.known


def _rules(vocab: Any, lang: str) -> _Rules:
    key = (id(vocab), lang)
    rules = _rules_cache.get(key)
    if rules is None:
        with _rules_lock:
            rules = _rules_cache.get(key)
            if rules is None:
                rules = _rules_cache[key] = _Rules(vocab, lang)
    return rules


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

    rules = _rules(doc.vocab, lang)
    ents: list[Span] = list(doc.ents)
    n = len(doc)

    def covering(start: int, end: int) -> list[int]:
        return [k for k, e in enumerate(ents) if e.start < end and start < e.end]

    def apply_gazetteer(matches: list[tuple[int, int]], label: str) -> None:
        matched = set()
        for start, end in matches:
            matched.update(range(start, end))
        for start, end in matches:
            hits = covering(start, end)
            if not hits:
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
                or e.text in rules.known
                or not _ABSTRACT_DE.search(e.text)
            ]
    if "places" in steps:
        apply_gazetteer(_longest(places), "LOC")
        for k, ent in enumerate(ents):  # "Pjöngjang-Moskau": places joined by hyphens
            parts = ent.text.split("-")
            if len(parts) > 1 and all(p in rules.place_names for p in parts):
                ents[k] = Span(doc, ent.start, ent.end, label="LOC")
    if "orgs" in steps:
        apply_gazetteer(_longest(orgs), "ORG")

    # Title before a name: "Außenminister Kim Hong Kyun", "Botschafter Georgy Sinowjew".
    place_starts = {s for s, _ in places} | {s for s, _ in orgs}
    for i in range(n - 1 if "titles" in steps else 0):
        if not rules.is_title(doc[i].text) or i + 1 in place_starts:
            continue
        j = i + 1
        end = j
        while (
            end < n and end - j < 4 and _name_like(doc[end]) and not rules.is_title(doc[end].text)
        ):
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
                    and token.text not in rules.known
                ):
                    absorbed.append(other)
                    stop += 1
                    continue
                break
            short = len(token.text) <= 3 and ent.end - ent.start >= 2 and token.is_title
            if not (short or (rules.name_cluster(token.text) and token.text in rules.first_names)):
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
