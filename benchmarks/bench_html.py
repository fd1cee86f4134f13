"""How fast is html_to_text? Characters of HTML per second on the seed articles.

Each seed text (tests/fixtures/seeds/*.txt) is split into paragraphs, wrapped in ``<p>`` (with a
link and an emphasis in every paragraph, like real feed content) and converted many times.

Run: ``.venv/bin/python benchmarks/bench_html.py``
"""

from __future__ import annotations

import time
from pathlib import Path

from tuireader.text.html import html_to_text

SEEDS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seeds"


def seed_documents() -> list[str]:
    """The seed articles as feed-like HTML."""
    documents = []
    for path in sorted(SEEDS.glob("*.txt")):
        paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p]
        html = "".join(
            f'<p>{p} <a href="/artikel/{i}">mehr</a> <em>Ende</em></p>'
            for i, p in enumerate(paragraphs)
        )
        documents.append(html)
    return documents


def measure(documents: list[str], seconds: float = 3.0) -> tuple[float, float]:
    """(characters per second, documents per second) over ``seconds`` of repeated runs."""
    chars = runs = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for html in documents:
            html_to_text(html, "https://news.example/")
            chars += len(html)
            runs += 1
    elapsed = time.perf_counter() - started
    return chars / elapsed, runs / elapsed


def main() -> None:
    documents = seed_documents()
    plain = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    cases = (("seed paragraphs as <p> HTML", documents), ("seed texts without markup", plain))
    for name, docs in cases:
        size = sum(map(len, docs)) // len(docs)
        chars_per_second, docs_per_second = measure(docs)
        print(
            f"{name}: {chars_per_second / 1e6:.1f} M chars/s, "
            f"{docs_per_second:,.0f} documents/s (avg {size:,} chars)"
        )


if __name__ == "__main__":
    main()
