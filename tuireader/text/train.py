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

#: How many times each source's training part is repeated (GermEval style is the target).
TRAIN_WEIGHTS = {"germeval2014": 3}

#: Sources trained on per language (Europeana's OCR text and re3d are left out by default).
TRAIN_SOURCES = {
    "de": ("germeval2014", "smartdata", "mobie"),
    "en": ("wikigold", "gum", "crossner"),
}


def pruned_cluster_lookups(
    lang: str, top_n: int, prob_top_n: int, vectors_dir: str = "", vector_dims: int = 0
) -> Lookups:
    """The Brown-cluster and word-probability tables of spacy-lookups-data, pruned to the
    ``top_n`` (clusters) and ``prob_top_n`` (probabilities) most probable words. Only frequency
    decides (not the training vocabulary), so that a rare word looks the same to the model in
    training and at run time. With ``vector_dims``, also the static word vectors built from
    the e5 shards in ``vectors_dir`` (relative to the project root; see
    ``tools/embed_words.py``)."""
    from spacy.lookups import Lookups, load_lookups

    full = load_lookups(lang, ["lexeme_cluster", "lexeme_prob"])
    clusters = full.get_table("lexeme_cluster")
    probs = full.get_table("lexeme_prob")
    keep = sorted(probs.items(), key=lambda kv: kv[1], reverse=True)[:top_n]
    entries: dict[int, tuple[int, int]] = {}
    for rank, (key, prob) in enumerate(keep):
        value = clusters.get(key, 0)
        bucket = min(40, int(-prob)) if rank < prob_top_n else 255
        if value or bucket != 255:
            entries[key] = (value, bucket)
    lookups = Lookups()
    lookups.add_table(ner.LEXICON_TABLE, ner.Lexicon.pack(entries))
    if vector_dims:
        from .wordvectors import VECTORS_TABLE, build_table

        directory = WORK.parent / vectors_dir
        lookups.add_table(VECTORS_TABLE, build_table(lang, directory, vector_dims))
    return lookups


def pack_legacy_tables(model: Path) -> None:
    """Convert a model trained with the earlier dict tables (``lexeme_cluster`` and
    ``tuireader_prob``) to the packed :data:`ner.LEXICON_TABLE` (same features, fast load)."""
    import spacy

    ner.register()
    nlp = spacy.load(model)
    lookups = nlp.vocab.lookups
    if not lookups.has_table("lexeme_cluster"):
        return
    clusters = lookups.get_table("lexeme_cluster")
    probs = lookups.get_table("tuireader_prob")
    entries = {int(k): (int(v), 255) for k, v in clusters.items()}
    for k, v in probs.items():
        entries[int(k)] = (entries.get(int(k), (0, 255))[0], int(v))
    lookups.remove_table("lexeme_cluster")
    lookups.remove_table("tuireader_prob")
    lookups.add_table(ner.LEXICON_TABLE, ner.Lexicon.pack(entries))
    nlp.to_disk(model)


def _register_training_functions() -> None:
    from spacy.util import registry

    ner.register()
    if "tuireader.PrunedClusterLookups.v1" not in registry.misc:
        registry.misc.register("tuireader.PrunedClusterLookups.v1", func=pruned_cluster_lookups)


def to_doc(nlp: Language, sentence: Sentence) -> Doc:
    """A spaCy ``Doc`` with the sentence's words, spaces and gold entities."""
    from spacy.tokens import Doc

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


def write_corpora(
    lang: str,
    splits: dict[str, dict[str, list[Sentence]]],
    work: Path,
    weights: dict[str, int] | None = None,
) -> None:
    """``train.spacy`` and ``dev.spacy`` (all sources pooled) under ``work``; each source's
    training part is repeated ``weights[source]`` times (default :data:`TRAIN_WEIGHTS`)."""
    weights = TRAIN_WEIGHTS if weights is None else weights
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank(lang)
    work.mkdir(parents=True, exist_ok=True)
    for part in ("train", "dev"):
        docs = DocBin(store_user_data=False)
        for parts in splits.values():
            for sentence in parts[part]:
                doc = to_doc(nlp, sentence)
                for _ in range(weights.get(sentence.source, 1) if part == "train" else 1):
                    docs.add(doc)
        docs.to_disk(work / f"{part}.spacy")
        print(f"{part}: {len(docs)} sentences", flush=True)


def train(
    lang: str,
    work: Path,
    max_steps: int | None = None,
    vector_dims: int | None = None,
    seed: int | None = None,
) -> Path:
    """Run ``spacy train`` on the corpora in ``work``; returns the best model's directory.
    ``seed`` replaces the config's (0) to measure how much a result owes to chance."""
    from spacy.cli.train import train as spacy_train

    _register_training_functions()
    overrides: dict[str, object] = {
        "nlp.lang": lang,
        "paths.train": str(work / "train.spacy"),
        "paths.dev": str(work / "dev.spacy"),
    }
    if max_steps:
        overrides["training.max_steps"] = max_steps
    if vector_dims is not None:
        overrides["paths.vector_dims"] = vector_dims
    if seed is not None:
        overrides["system.seed"] = seed
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
    if sentence.source in ("smartdata", "mobie", "europeana"):
        return {"PER", "ORG", "LOC"}
    return set(ner.LABELS)


def evaluate(
    nlp: Language, lang: str, sentences: list[Sentence], steps: Sequence[str] = ()
) -> dict[str, tuple[float, float, float, int]]:
    """Score the model (with the :func:`ner.postprocess` ``steps``) on gold-tokenised sentences.
    Labels a source does not annotate are left out of both sides."""
    pairs = []
    from spacy.tokens import Doc

    docs = (Doc(nlp.vocab, words=s.words, spaces=s.spaces) for s in sentences)
    gold_docs = [to_doc(nlp, s) for s in sentences]
    predicted = nlp.pipe(docs, batch_size=256)
    for sentence, gold, doc in zip(sentences, gold_docs, predicted, strict=True):
        known = _known_labels(sentence)
        pred = (
            {(e.start, e.end, e.label_) for e in ner.postprocess(doc, lang, steps)}
            if steps
            else _spans(doc)
        )
        gold_spans = _spans(gold)
        # GUM leaves some proper nouns unannotated (tag ""): predictions there are not scored
        # (in SmartData/MobIE "" only means "maybe MISC", and MISC is not scored there)
        unknown = (
            {k for k, tag in enumerate(sentence.tags) if tag == ""}
            if sentence.source == "gum"
            else set()
        )
        pairs.append(
            (
                {s for s in gold_spans if s[2] in known},
                {s for s in pred if s[2] in known and not unknown.intersection(range(s[0], s[1]))},
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
    lang: str,
    model: Path,
    splits: dict[str, dict[str, list[Sentence]]],
    parts: Sequence[str],
    ablation: bool = False,
) -> str:
    """Reports per source and split, model alone and with rules."""
    import spacy

    ner.register()
    nlp = spacy.load(model)
    out = []
    for part in parts:
        for source, data in splits.items():
            scores = evaluate(nlp, lang, data[part])
            out.append(report(f"{lang} {source} {part}: model alone", scores))
            print(out[-1], flush=True)
            if ablation:
                for k in range(1, len(ner.RULE_STEPS) + 1):
                    f1 = evaluate(nlp, lang, data[part], ner.RULE_STEPS[:k])["ALL"][2]
                    line = f"  + {ner.RULE_STEPS[k - 1]:9} micro F1 {f1:.3f}"
                    out.append(line)
                    print(line, flush=True)
            scores = evaluate(nlp, lang, data[part], ner.RULE_STEPS)
            out.append(report(f"{lang} {source} {part}: model + rules", scores))
            print(out[-1], flush=True)
    return "\n".join(out)


def add_name_tables(model: Path, sentences: list[Sentence]) -> None:
    """Store first names and person-heavy cluster prefixes (from the training sentences) in the
    model's lookups, for the rules in :func:`ner.postprocess`."""
    import spacy

    ner.register()
    nlp = spacy.load(model)
    lookups = nlp.vocab.lookups
    lexicon = ner.Lexicon.of(nlp.vocab)
    first: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    per_prefix: Counter[int] = Counter()
    all_prefix: Counter[int] = Counter()
    ent_cluster: Counter[int] = Counter()
    all_cluster: Counter[int] = Counter()
    for sentence in sentences:
        for k, (word, tag) in enumerate(zip(sentence.words, sentence.tags, strict=True)):
            seen[word] += 1
            if tag == "B-PER" and k + 1 < len(sentence.tags) and sentence.tags[k + 1] == "I-PER":
                first[word] += 1
            value = lexicon.cluster(nlp.vocab.strings[word])
            if value and tag != "":
                prefix = value >> max(0, value.bit_length() - 1 - ner.NAME_CLUSTER_DEPTH)
                all_prefix[prefix] += 1
                all_cluster[value] += 1
                if tag.endswith("-PER"):
                    per_prefix[prefix] += 1
                if tag != "O":
                    ent_cluster[value] += 1
    for name in (ner.FIRST_NAMES_TABLE, ner.NAME_CLUSTERS_TABLE, ner.COMMON_CLUSTERS_TABLE):
        if lookups.has_table(name):
            lookups.remove_table(name)
    first_table = lookups.add_table(ner.FIRST_NAMES_TABLE)
    for word, count in first.items():
        if count >= 2 and count / seen[word] >= 0.5 and word.isalpha() and word[:1].isupper():
            first_table[word] = 1
    cluster_table = lookups.add_table(ner.NAME_CLUSTERS_TABLE)
    for prefix, total in all_prefix.items():
        if total >= 10 and per_prefix[prefix] / total >= 0.4:
            cluster_table[prefix] = 1
    common_table = lookups.add_table(ner.COMMON_CLUSTERS_TABLE)
    for value, total in all_cluster.items():
        if total >= 20 and ent_cluster[value] / total <= 0.15:
            common_table[value] = 1
    print(
        f"first names: {len(first_table)}, name clusters: {len(cluster_table)}, "
        f"common-noun clusters: {len(common_table)}",
        flush=True,
    )
    nlp.to_disk(model)


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
    parser.add_argument(
        "--vector-dims", type=int, default=None, help="static e5 word vector size (0 = none)"
    )
    parser.add_argument(
        "--weight",
        action="append",
        default=[],
        metavar="SOURCE=N",
        help="repeat a source's training part N times (default germeval2014=3)",
    )
    parser.add_argument("--seed", type=int, default=None, help="training seed (default 0)")
    parser.add_argument("--work", type=Path, default=None, help="work dir (default work-ner/LANG)")
    parser.add_argument("--no-train", action="store_true", help="evaluate an existing model")
    parser.add_argument("--model", type=Path, default=None, help="model to evaluate (--no-train)")
    parser.add_argument("--names", action="store_true", help="(re)build the name tables")
    parser.add_argument("--ablation", action="store_true", help="score the rules step by step")
    parser.add_argument("--no-ship", action="store_true", help="do not copy into assets/")
    parser.add_argument("--test", action="store_true", help="also score the held-out test split")
    args = parser.parse_args(argv)

    sources = tuple(args.sources or TRAIN_SOURCES[args.lang])
    weights = dict(TRAIN_WEIGHTS)
    for item in args.weight:  # checked before the corpora load, which takes a while
        source, _, times = item.partition("=")
        if source not in sources or not times.isdigit():
            parser.error(f"--weight wants SOURCE=N with a training source, not {item!r}")
        weights[source] = int(times)
    work = args.work or WORK / args.lang
    splits = load_splits(args.lang, SOURCES[args.lang])
    for source, parts in splits.items():
        sizes = {k: len(v) for k, v in parts.items()}
        print(f"{source}: {sizes}", flush=True)
    if args.no_train:
        model = args.model or ner.model_path(args.lang)
        pack_legacy_tables(model)
        if args.names:
            add_name_tables(model, [x for s in sources for x in splits[s]["train"]])
    else:
        write_corpora(args.lang, {s: splits[s] for s in sources}, work, weights)
        model = train(args.lang, work, args.max_steps, args.vector_dims, args.seed)
        pack_legacy_tables(model)
        add_name_tables(model, [x for s in sources for x in splits[s]["train"]])
        if not args.no_ship:
            model = ship(model, args.lang)
    eval_parts = ("dev", "test") if args.test else ("dev",)
    text = evaluate_all(
        args.lang, model, {s: splits[s] for s in sources}, eval_parts, args.ablation
    )
    work.mkdir(parents=True, exist_ok=True)
    (work / "scores.txt").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
