"""Fixtures for the Textual app tests: a small real cache with seed articles and fake extraction.

Everything is deterministic: fixed dates, UTC display, a fixed theme, no cursor blink.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from tuireader.store import EntryData, Store

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
EXTRACTION_VERSION = 1

# (pattern, label, actor name or None, role): what the fake extractor "finds" in the seeds.
FAKE_ENTITIES: tuple[tuple[str, str, str | None, str | None], ...] = (
    (r"(?:Mark )?Rutte", "PER", "Mark Rutte", "NATO-Generalsekretär"),
    (r"Kim Jong Un", "PER", "Kim Jong Un", "Machthaber"),
    (r"Yoon Suk Yeol", "PER", "Yoon Suk Yeol", "Präsident"),
    (r"\bKim Hong Kyun\b", "PER", "Kim Hong Kyun", "Außenminister"),
    (r"\bNATO\b|\bNato\b", "ORG", "NATO", None),
    (r"\bRussland\b", "LOC", "Russland", None),
    (r"\bSeoul\b", "LOC", "Seoul", None),
    (r"\bUN-Charta\b", "MISC", "UN-Charta", None),
)
FAKE_FIGURES: tuple[tuple[str, str, str | None, str | None], ...] = (
    (r"\b1\.500\b", "number", "1500", "Soldaten"),
    (r"\b12\.000\b", "number", "12000", "Mann"),
    (r"\b21\.10\.2024\b", "date", "2024-10-21", None),
)


def seed_text(name: str) -> str:
    """A seed article's text without the metadata at the start of its first line."""
    first, rest = (SEEDS / name).read_text(encoding="utf-8").split("\n", 1)
    # taz puts the lead paragraph on the metadata line, after "Berlin taz | ".
    lead = first.split(" | ", 1)[1].strip() + "\n\n" if " | " in first else ""
    return lead + rest.strip()


def fake_extraction(text: str) -> dict[str, Any]:
    """An extraction result in the shape of ``tuireader extract``'s output, found by regex."""
    entities: list[dict[str, Any]] = []
    actors: dict[str, dict[str, Any]] = {}
    taken: list[tuple[int, int]] = []
    for pattern, label, name, role in FAKE_ENTITIES:
        for match in re.finditer(pattern, text):
            span = (match.start(), match.end())
            if any(s < span[1] and span[0] < e for s, e in taken):
                continue
            taken.append(span)
            entities.append({"start": span[0], "end": span[1], "text": match.group(),
                             "label": label})
            if name:
                actor = actors.setdefault(
                    name, {"name": name, "label": label, "role": role, "mentions": [],
                           "quotes": []},
                )
                actor["mentions"].append(list(span))
    figures = [
        {"start": m.start(), "end": m.end(), "text": m.group(), "kind": kind, "value": value,
         "unit": unit}
        for pattern, kind, value, unit in FAKE_FIGURES
        for m in re.finditer(pattern, text)
    ]
    entities.sort(key=lambda e: e["start"])
    return {"entities": entities, "figures": figures, "actors": list(actors.values())}


def build_ui_store(path: Path, *, generated: int = 12) -> Store:
    """A cache with two seed articles (with fake extraction) and ``generated`` short ones."""
    store = Store(path)
    tagesschau = store.add_feed("https://www.tagesschau.de/feed.xml", title="tagesschau",
                                tags=["news", "de"])
    taz = store.add_feed("https://taz.de/rss.xml", title="taz", tags=["news"])
    hostile = store.add_feed("https://example.org/hostile.xml", title="[red]Hostile[/] feed")
    seeds = [
        (tagesschau.id, "tagesschau-2024-10-21-nordkorea-truppen.txt",
         "Südkorea fordert Rückkehr nordkoreanischer Truppen", "2024-10-21T13:07:00+00:00",
         "https://www.tagesschau.de/ausland/asien/suedkorea-nordkorea-russland-100.html",
         "tagesschau.de"),
        (taz.id, "taz-2024-10-nordkorea-soldaten.txt",
         "Nordkoreas Soldaten für Putin: Südkorea sucht den Schulterschluss",
         "2024-10-21T16:30:00+00:00", "https://taz.de/Nordkorea-Soldaten/!6040000/",
         "Fabian Kretschmer"),
    ]
    seed_ids = []
    for feed_id, name, title, date, url, author in seeds:
        text = seed_text(name)
        result = store.write_entries(feed_id, [EntryData(
            entry_id=url, title=title, url=url, author=author, published=date, text=text,
            language="de", content_hash=name,
        )], now="2024-10-22T00:00:00+00:00")
        seed_ids.append(result.new_ids[0])
        store.save_extraction(result.new_ids[0], fake_extraction(text), EXTRACTION_VERSION)
    odd_titles = [
        "[bold]x[/]", "[@click=app.quit]quit me[/]", "東京の記者会見 🎌 全角テキスト",
        "Emoji 🚀🚀🚀 rocket launch", "Haushalt: 12 Mrd. Euro mehr für Verteidigung",
    ]
    entries = []
    for number in range(generated):
        title = odd_titles[number] if number < len(odd_titles) else f"Meldung Nummer {number}"
        day = 1 + number % 20
        entries.append(EntryData(
            entry_id=f"gen-{number}", title=title, url=f"https://example.org/{number}",
            published=f"2024-10-{day:02d}T{number % 24:02d}:15:00+00:00",
            text=f"Kurzmeldung {number}. " + "Ein Satz mit Inhalt. " * 20,
            content_hash=f"gen-{number}",
        ))
    store.write_entries(hostile.id, entries, now="2024-10-22T00:00:00+00:00")
    store.set_state("demo_offered", True)
    return store


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs do not blink, so screenshots are the same every run."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "cursor_blink", False)


@pytest.fixture
def ui_store(db_path: Path) -> Iterator[Store]:
    """The UI fixture cache (two seed articles with extraction, twelve generated ones)."""
    store = build_ui_store(db_path)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def make_app(ui_store: Store) -> Callable[..., Any]:
    """Build a ``ReaderApp`` on the fixture cache: UTC dates, fixed theme, optional keymap."""
    from tuireader.ui.app import ReaderApp

    def factory(store: Store | None = None, **kwargs: Any) -> ReaderApp:
        kwargs.setdefault("timezone", UTC)
        kwargs.setdefault("theme", "textual-dark")
        return ReaderApp(store or ui_store, **kwargs)

    return factory
