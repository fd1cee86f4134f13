"""How fast is the whole extraction (NER + figures + actors + quotes)? Tokens per second, one core.

Method: the two seed articles (tests/fixtures/seeds/*.txt) are repeated as separate documents
(``--repeat`` times each) and run through ``extract_documents`` in batches of 32, the way
``tuireader reindex`` and ``tuireader extract --jsonl`` run them. The process is pinned to one
CPU core and BLAS/OpenMP are limited to one thread before numpy is imported. The model is loaded
and warmed up on one document before timing (its load time is printed separately). Tokens are
counted like spaCy's tokenizer roughly splits them: words and single punctuation characters
(regex ``\\w+|[^\\w\\s]``). The rule-based part alone (figures, actors and quotes given the
entities) and the NER alone are timed too, so the split of the cost is visible. The three
are timed in turn ``--rounds`` times and the medians reported (wall clock; CPU time of the
process in parentheses, which a busy shared machine disturbs less).
Target: >= 20,000 tokens/s.

Run: ``.venv/bin/python benchmarks/bench_extract.py [--repeat 50] [--rounds 5] [--models DIR]``;
the numbers also go to ``benchmarks/results/extract-latest.json`` (with the machine's load).
(``--models`` measures a candidate model directory holding ``de/`` and ``en/`` instead of the
shipped ``assets/models``).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from common import machine_info, write_results

SEEDS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seeds"
_TOKEN = re.compile(r"\w+|[^\w\s]")


def pin_to_one_core() -> str:
    """Pin this process to one CPU; returns a description."""
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned (no sched_setaffinity here)"


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and process CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="copies of each seed article")
    parser.add_argument("--rounds", type=int, default=5, help="timings of each part (median)")
    parser.add_argument("--models", type=Path, default=None, help="a directory with de/ and en/")
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # before numpy is imported (with the pipeline)
    pinning = pin_to_one_core()

    from tuireader.text import ner
    from tuireader.text.extract import analyse, extract_documents

    if args.models is not None:
        models = args.models.resolve()
        ner.model_path = lambda lang: models / lang  # type: ignore[assignment]
    if not ner.model_path("de").exists():
        sys.exit(f"error: no German model at {ner.model_path('de')}; pass --models DIR")

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    documents = [{"id": n, "text": t, "lang": "de"} for n in range(args.repeat) for t in texts]
    tokens = sum(len(_TOKEN.findall(d["text"])) for d in documents)
    words = sum(len(d["text"].split()) for d in documents)

    started = time.perf_counter()
    list(extract_documents(documents[:1]))
    load_seconds = time.perf_counter() - started

    entities = [ner.find_entities(t, "de") for t in texts]
    results: list[object] = []

    def whole() -> None:
        results[:] = extract_documents(documents)

    def ner_alone() -> None:
        ner.find_entities_batch([d["text"] for d in documents], "de")

    def rules_alone() -> None:
        for _ in range(args.repeat):
            for text, found in zip(texts, entities, strict=True):
                analyse(text, "de", found)

    parts = {"whole": whole, "ner": ner_alone, "rules": rules_alone}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in parts}
    for _ in range(max(1, args.rounds)):
        for name, run in parts.items():
            times[name].append(timed(run))
    wall = {name: statistics.median(t[0] for t in runs) for name, runs in times.items()}
    cpu = {name: statistics.median(t[1] for t in runs) for name, runs in times.items()}
    seconds, ner_seconds, rules_seconds = wall["whole"], wall["ner"], wall["rules"]

    print(f"method: {len(documents)} documents (2 seed articles x {args.repeat}), "
          f"{tokens:,} tokens ({words:,} whitespace words), batches of 32, {pinning}, "
          f"medians of {max(1, args.rounds)} rounds")
    print(f"model load + first document: {load_seconds:.2f} s (not timed below)")
    print(f"whole extraction: {tokens / seconds:,.0f} tokens/s "
          f"({len(results) / seconds:,.1f} documents/s, {seconds:.2f} s; "
          f"CPU time: {tokens / cpu['whole']:,.0f} tokens/s)")
    print(f"NER alone (model + its rules, one find_entities_batch call): "
          f"{tokens / ner_seconds:,.0f} tokens/s (CPU time: {tokens / cpu['ner']:,.0f})")
    print(f"rules only (figures + actors + quotes, entities given): "
          f"{tokens / rules_seconds:,.0f} tokens/s (CPU time: {tokens / cpu['rules']:,.0f})")
    print("target: >= 20,000 tokens/s for the whole extraction")
    path = write_results(
        "extract",
        {
            "machine": machine_info(),
            "method": {
                "documents": len(documents),
                "repeat": args.repeat,
                "tokens": tokens,
                "whitespace_words": words,
                "batch_size": 32,
                "rounds": max(1, args.rounds),
                "pinning": pinning,
                "models": str(ner.model_path("de").parent),
            },
            "model_load_seconds": round(load_seconds, 3),
            "whole_tokens_per_second": round(tokens / seconds),
            "whole_cpu_tokens_per_second": round(tokens / cpu["whole"]),
            "ner_cpu_tokens_per_second": round(tokens / cpu["ner"]),
            "ner_tokens_per_second": round(tokens / ner_seconds),
            "rules_tokens_per_second": round(tokens / rules_seconds),
            "target_tokens_per_second": 20_000,
        },
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
