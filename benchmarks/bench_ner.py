"""Benchmark: NER throughput (tokens/s on one core) of ``find_entities_batch`` on the seeds.

Run ``python benchmarks/bench_ner.py [de|en] [--repeat N] [--baseline]``. Tokens are counted
with the model's own tokenizer; the figure includes paragraph splitting and the rule
post-processing, but not the one-off model loading (reported separately). The best of
``--rounds`` runs is reported. ``--baseline`` also times spaCy's stock ``--optimize efficiency``
NER pipeline (untrained weights, same cost, on the same numpy matrix products as ours)
interleaved with ours, which gives a ratio that stays meaningful on a busy machine.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from tuireader.text import ner  # noqa: E402

SEEDS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seeds"


def _baseline(lang: str) -> Any:
    """spaCy's default efficiency tok2vec + ner pipeline, initialised on one example."""
    import spacy
    from spacy.cli.init_config import init_config
    from spacy.training import Example

    config = init_config(lang=lang, pipeline=["ner"], optimize="efficiency")
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    doc = nlp.make_doc("Angela Merkel war in Berlin.")
    example = Example.from_dict(doc, {"entities": [(0, 13, "PER"), (21, 27, "LOC")]})
    nlp.initialize(lambda: [example])
    ner._matmul_with_numpy(nlp)  # the same matrix-product backend as ours: a fair ratio
    return nlp


def _best_rate(run: Callable[[], object], tokens: int, results: list[float]) -> None:
    t0 = time.perf_counter()
    run()
    results.append(tokens / (time.perf_counter() - t0))


def main() -> None:
    """Print model load time and tokens/s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lang", nargs="?", default="de", choices=ner.LANGS)
    parser.add_argument("--repeat", type=int, default=20, help="copies of the seed texts")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    t0 = time.perf_counter()
    ner.find_entities("Start.", args.lang)
    load = time.perf_counter() - t0
    nlp = ner._nlp(args.lang)
    batch = texts * args.repeat
    tokens = sum(len(nlp.make_doc(t)) for t in batch)
    ner.find_entities_batch(texts, args.lang)  # warm caches
    base = _baseline(args.lang) if args.baseline else None
    ours: list[float] = []
    stock: list[float] = []
    for _ in range(args.rounds):
        _best_rate(lambda: ner.find_entities_batch(batch, args.lang), tokens, ours)
        if base is not None:
            _best_rate(lambda: list(base.pipe(batch)), tokens, stock)
    print(f"model load + first call: {load:.2f} s")
    print(f"{args.lang}: {tokens} tokens, best {max(ours):,.0f} tokens/s (1 core, with rules)")
    if stock:
        ratio = max(ours) / max(stock)
        print(f"stock efficiency pipeline: {max(stock):,.0f} tokens/s; ours/stock = {ratio:.2f}")


if __name__ == "__main__":
    main()
