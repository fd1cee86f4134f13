"""Rebuild the shipped NER models end to end: ``python -m tuireader.text.train de`` (or ``en``).

Steps: convert every source of the language (:mod:`tuireader.text.nerdata`), carve
deterministic train/dev/test splits per source, write spaCy ``DocBin`` files under
``work-ner/<lang>/``, train the pipeline of ``ner_configs/ner.cfg`` (the pruned Brown-cluster
table is built at initialisation and saved inside the model), copy the best model to
``assets/models/<lang>`` and print strict-span P/R/F1 per label and source for the model alone
and with the rule post-processing, on dev (and with ``--test``, once, on the held-out test).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import shutil  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Iterable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

from tuireader.paths import models_dir  # noqa: E402

from . import ner  # noqa: E402
from .nerdata import SOURCES, Sentence, load_source, split_of  # noqa: E402

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.lookups import Lookups
    from spacy.tokens import Doc

CONFIG = Path(__file__).resolve().parent / "ner_configs" / "ner.cfg"
WORK = Path(__file__).resolve().parents[2] / "work-ner"

#: Sources trained on per language (Europeana's OCR text and re3d are left out by default).
TRAIN_SOURCES = {
    "de": ("germeval2014", "smartdata", "mobie"),
    "en": ("wikigold", "gum", "crossner"),
}


def pruned_cluster_lookups(lang: str, top_n: int) -> Lookups:
    """The Brown-cluster and word-probability tables of spacy-lookups-data, pruned to the
    ``top_n`` most probable words. Only frequency decides (not the training vocabulary), so
    that a rare word looks the same to the model in training and at run time."""
    from spacy.lookups import Lookups, load_lookups  # noqa: PLC0415

    full = load_lookups(lang, ["lexeme_cluster", "lexeme_prob"])
    clusters = full.get_table("lexeme_cluster")
    probs = full.get_table("lexeme_prob")
    keep = sorted(probs.items(), key=lambda kv: kv[1], reverse=True)[:top_n]
    lookups = Lookups()
    cluster_table = lookups.add_table(ner.CLUSTER_TABLE)
    prob_table = lookups.add_table(ner.PROB_TABLE)
    for key, prob in keep:
        value = clusters.get(key, 0)
        if value:
            cluster_table[key] = value
        prob_table[key] = min(40, int(-prob))
    return lookups


def _register_training_functions() -> None:
    from spacy.util import registry  # noqa: PLC0415

    ner.register()
    if "tuireader.PrunedClusterLookups.v1" not in registry.misc:
        registry.misc.register("tuireader.PrunedClusterLookups.v1", func=pruned_cluster_lookups)


def to_doc(nlp: Language, sentence: Sentence) -> Doc:
    """A spaCy ``Doc`` with the sentence's words, spaces and gold entities."""
    from spacy.tokens import Doc  # noqa: PLC0415

    return Doc(nlp.vocab, words=sentence.words, spaces=sentence.spaces, ents=sentence.tags)


def load_splits(lang: str, sources: Sequence[str]) -> dict[str, dict[str, list[Sentence]]]:
    """``{source: {"train"|"dev"|"test": sentences}}``."""
    out: dict[str, dict[str, list[Sentence]]] = {}
    for source in sources:
        parts: dict[str, list[Sentence]] = {"train": [], "dev": [], "test": []}
        for sentence in load_source(source):
            parts[split_of(sentence)].append(sentence)
        out[source] = parts
    return out


def write_corpora(lang: str, splits: dict[str, dict[str, list[Sentence]]], work: Path) -> None:
    """``train.spacy`` and ``dev.spacy`` (all sources pooled) under ``work``."""
    import spacy  # noqa: PLC0415
    from spacy.tokens import DocBin  # noqa: PLC0415

    nlp = spacy.blank(lang)
    work.mkdir(parents=True, exist_ok=True)
    for part in ("train", "dev"):
        docs = DocBin(store_user_data=False)
        for parts in splits.values():
            for sentence in parts[part]:
                docs.add(to_doc(nlp, sentence))
        docs.to_disk(work / f"{part}.spacy")
        print(f"{part}: {len(docs)} sentences", flush=True)


def train(lang: str, work: Path, max_steps: int | None = None) -> Path:
    """Run ``spacy train`` on the corpora in ``work``; returns the best model's directory."""
    from spacy.cli.train import train as spacy_train  # noqa: PLC0415

    _register_training_functions()
    overrides: dict[str, object] = {
        "nlp.lang": lang,
        "paths.train": str(work / "train.spacy"),
        "paths.dev": str(work / "dev.spacy"),
    }
    if max_steps:
        overrides["training.max_steps"] = max_steps
    spacy_train(CONFIG, work / "output", overrides=overrides, use_gpu=-1)
    return work / "output" / "model-best"


# ---------------------------------------------------------------------------------------------
# evaluation


def _spans(doc: Doc) -> set[tuple[int, int, str]]:
    return {(e.start, e.end, e.label_) for e in doc.ents}


def score(
    pairs: Iterable[tuple[set[tuple[int, int, str]], set[tuple[int, int, str]]]],
) -> dict[str, tuple[float, float, float, int]]:
    """Strict-span P/R/F1 and gold count per label and ``ALL`` (micro) from (gold, pred)."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for gold, pred in pairs:
        for span in pred & gold:
            tp[span[2]] += 1
            tp["ALL"] += 1
        for span in pred - gold:
            fp[span[2]] += 1
            fp["ALL"] += 1
        for span in gold - pred:
            fn[span[2]] += 1
            fn["ALL"] += 1
    out = {}
    for label in (*ner.LABELS, "ALL"):
        p = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        r = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[label] = (p, r, f, tp[label] + fn[label])
    return out


def _known_labels(sentence: Sentence) -> set[str]:
    """Labels a source annotates at all (SmartData/MobIE/Europeana have no MISC)."""
    return {"PER", "ORG", "LOC"} if sentence.source in ("smartdata", "mobie", "europeana") else set(ner.LABELS)


def evaluate(
    nlp: Language, lang: str, sentences: list[Sentence], rules: bool
) -> dict[str, tuple[float, float, float, int]]:
    """Score the model (optionally with :func:`ner.postprocess`) on gold-tokenised sentences.
    Labels a source does not annotate are left out of both sides."""
    pairs = []
    from spacy.tokens import Doc  # noqa: PLC0415

    docs = (Doc(nlp.vocab, words=s.words, spaces=s.spaces) for s in sentences)
    gold_docs = [to_doc(nlp, s) for s in sentences]
    for sentence, gold, doc in zip(sentences, gold_docs, nlp.pipe(docs, batch_size=256), strict=True):
        known = _known_labels(sentence)
        pred = (
            {(e.start, e.end, e.label_) for e in ner.postprocess(doc, lang)}
            if rules
            else _spans(doc)
        )
        gold_spans = _spans(gold)
        pairs.append(
            (
                {s for s in gold_spans if s[2] in known},
                {s for s in pred if s[2] in known},
            )
        )
    return score(pairs)


def report(title: str, scores: dict[str, tuple[float, float, float, int]]) -> str:
    """One table of P/R/F1 per label."""
    lines = [f"{title}", f"  {'label':5} {'P':>6} {'R':>6} {'F1':>6} {'n':>6}"]
    for label, (p, r, f, n) in scores.items():
        if n or label == "ALL":
            lines.append(f"  {label:5} {p:6.3f} {r:6.3f} {f:6.3f} {n:6d}")
    return "\n".join(lines)


def evaluate_all(
    lang: str, model: Path, splits: dict[str, dict[str, list[Sentence]]], parts: Sequence[str]
) -> str:
    """Reports per source and split, model alone and with rules."""
    import spacy  # noqa: PLC0415

    ner.register()
    nlp = spacy.load(model)
    out = []
    for part in parts:
        for source, data in splits.items():
            for rules in (False, True):
                t0 = time.perf_counter()
                scores = evaluate(nlp, lang, data[part], rules)
                name = f"{lang} {source} {part} {'model+rules' if rules else 'model'}"
                out.append(report(f"{name} ({time.perf_counter() - t0:.0f}s)", scores))
                print(out[-1], flush=True)
    return "\n".join(out)


def ship(model: Path, lang: str) -> Path:
    """Copy the trained model into ``assets/models/<lang>``."""
    target = models_dir() / lang
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(model, target)
    return target


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: convert, train, ship and evaluate one language."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lang", choices=ner.LANGS)
    parser.add_argument("--sources", nargs="*", help="sources to train on (default: all main)")
    parser.add_argument("--max-steps", type=int, default=None)
    parser.add_argument("--work", type=Path, default=None, help="work dir (default work-ner/LANG)")
    parser.add_argument("--no-train", action="store_true", help="evaluate the shipped model")
    parser.add_argument("--no-ship", action="store_true", help="do not copy into assets/")
    parser.add_argument("--test", action="store_true", help="also score the held-out test split")
    args = parser.parse_args(argv)

    sources = tuple(args.sources or TRAIN_SOURCES[args.lang])
    work = args.work or WORK / args.lang
    splits = load_splits(args.lang, SOURCES[args.lang])
    for source, parts in splits.items():
        sizes = {k: len(v) for k, v in parts.items()}
        print(f"{source}: {sizes}", flush=True)
    if args.no_train:
        model = ner.model_path(args.lang)
    else:
        write_corpora(args.lang, {s: splits[s] for s in sources}, work)
        model = train(args.lang, work, args.max_steps)
        if not args.no_ship:
            model = ship(model, args.lang)
    parts = ("dev", "test") if args.test else ("dev",)
    text = evaluate_all(args.lang, model, {s: splits[s] for s in sources}, parts)
    work.mkdir(parents=True, exist_ok=True)
    (work / "scores.txt").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
