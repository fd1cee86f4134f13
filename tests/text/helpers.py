"""Helpers for the extraction tests: entity lists built by hand and the seed articles."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from tuireader.text.ner import Entity

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
TAGESSCHAU = SEEDS / "tagesschau-2024-10-21-nordkorea-truppen.txt"
TAZ = SEEDS / "taz-2024-10-nordkorea-soldaten.txt"


def seed_text(path: Path) -> str:
    """A seed article as Python reads it."""
    return path.read_text(encoding="utf-8")


def entities_for(text: str, names: Iterable[tuple[str, str]]) -> list[Entity]:
    """Every whole-word occurrence of each (name, label), longest first, non-overlapping —
    the entity list a perfect NER would give for these names."""
    found: list[Entity] = []
    for name, label in names:
        for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
            found.append(Entity(match.start(), match.end(), name, label))
    found.sort(key=lambda e: (e.start, -e.end))
    kept: list[Entity] = []
    for entity in found:
        if not kept or entity.start >= kept[-1].end:
            kept.append(entity)
    return kept


TAGESSCHAU_NAMES = [
    ("Kim Hong Kyun", "PER"), ("Kim", "PER"), ("Georgy Sinowjew", "PER"), ("Mark Rutte", "PER"),
    ("Rutte", "PER"), ("Yoon Suk Yeol", "PER"), ("Yoons", "PER"), ("Yoon", "PER"),
    ("Russland", "LOC"), ("Russlands", "LOC"), ("Ukraine", "LOC"), ("Südkorea", "LOC"),
    ("Südkoreas", "LOC"), ("Nordkorea", "LOC"), ("Seoul", "LOC"), ("Moskaus", "LOC"),
    ("Moskau", "LOC"), ("Pjöngjang", "LOC"), ("Wladiwostok", "LOC"), ("USA", "LOC"),
    ("NATO", "ORG"), ("Kreml", "ORG"), ("Yonhap", "ORG"), ("UN-Sicherheitsrats", "ORG"),
    ("UN-Charta", "MISC"),
]  # fmt: skip
TAZ_NAMES = [
    ("Yoon Suk Yeol", "PER"), ("Yoon", "PER"), ("Mark Rutte", "PER"), ("Rutte", "PER"),
    ("Kim Jong Un", "PER"), ("Putins", "PER"), ("Lin Jian", "PER"), ("Lloyd Austin", "PER"),
    ("Russland", "LOC"), ("Russlands", "LOC"), ("Nordkorea", "LOC"), ("Südkorea", "LOC"),
    ("Südkoreas", "LOC"), ("Ukraine", "LOC"), ("Seoul", "LOC"), ("Pjöngjang", "LOC"),
    ("Moskau", "LOC"), ("Japan", "LOC"), ("China", "LOC"), ("Nato", "ORG"), ("Brjansk", "LOC"),
    ("Kyjiw", "LOC"), ("Ostasien", "LOC"), ("taz", "ORG"), ("Berlin", "LOC"),
]  # fmt: skip
