"""Benchmark: NER throughput (tokens/s on one core) of ``find_entities_batch`` on the seeds.

Run ``python benchmarks/bench_ner.py [de|en] [--repeat N]``. Tokens are counted with the
model's own tokenizer; the figure includes paragraph splitting and the rule post-processing,
but not the one-off model loading (reported separately).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from tuireader.text import ner  # noqa: E402

SEEDS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seeds"


def main() -> None:
    """Print model load time and tokens/s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lang", nargs="?", default="de", choices=ner.LANGS)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    t0 = time.perf_counter()
    ner.find_entities("Start.", args.lang)
    load = time.perf_counter() - t0
    nlp = ner._nlp(args.lang)
    tokens_once = sum(len(nlp.make_doc(t)) for t in texts)
    batch = texts * args.repeat
    ner.find_entities_batch(texts, args.lang)  # warm caches
    t0 = time.perf_counter()
    ner.find_entities_batch(batch, args.lang)
    elapsed = time.perf_counter() - t0
    tokens = tokens_once * args.repeat
    print(f"model load + first call: {load:.2f} s")
    rate = tokens / elapsed
    print(f"{args.lang}: {tokens} tokens in {elapsed:.2f} s = {rate:,.0f} tokens/s (1 core)")


if __name__ == "__main__":
    main()
