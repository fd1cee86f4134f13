"""The extraction API, and the whole pipeline on the seed articles once the models exist."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.text.helpers import TAGESSCHAU, TAZ, seed_text
from tuireader.store import Store
from tuireader.store.models import EntryData
from tuireader.text import ner
from tuireader.text.extract import (
    EXTRACTION_VERSION,
    ExtractionError,
    extract_and_store,
    extract_document,
    extract_documents,
)
from tuireader.text.lang import detect_language

needs_model = pytest.mark.skipif(
    not ner.model_path("de").exists(), reason="the German NER model is not in assets/models yet"
)
needs_english_model = pytest.mark.skipif(
    not ner.model_path("en").exists(), reason="the English NER model is not in assets/models yet"
)

FRENCH = "Le 21.10.2024, 1.500 soldats sont arrivés, selon le ministère."


def test_languages_without_a_model_get_figures_only() -> None:
    result = extract_document(FRENCH, doc_id="x")
    assert result["id"] == "x"
    assert result["lang"] == "fr"
    assert result["entities"] == [] and result["actors"] == []
    assert [f["text"] for f in result["figures"]] == ["21.10.2024", "1.500"]


def test_extract_documents_keeps_order_ids_and_per_document_languages() -> None:
    documents: list[str | dict[str, Any]] = [
        {"id": 1, "text": FRENCH, "lang": "fr"},
        "Il y avait 3,5 % de plus le 3.11.2024.",
        {"id": 3, "text": "", "lang": "fr"},
        {"id": 4, "text": "Het waren 1.500 soldaten.", "lang": "nl-NL"},
    ]
    results = list(extract_documents(documents, batch_size=2))
    assert [r["id"] for r in results] == [1, None, 3, 4]
    assert [r["lang"] for r in results] == ["fr", "fr", "fr", "nl"]
    assert results[2]["figures"] == []


def test_reference_date_resolves_relative_dates() -> None:
    result = extract_document("Ils sont arrivés le 3.11.", "auto", reference_date="2024-10-21")
    assert result["figures"][0]["value"] == "2024-11-03"


def test_a_missing_model_is_a_one_line_extraction_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(ner, "model_path", lambda lang: tmp_path / "missing" / lang)
    with pytest.raises(ExtractionError, match="model for 'de' is missing"):
        extract_document("Der Präsident sprach am Montag in Berlin.", "de")


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("", "de-DE", "de"),
        ("whatever", "en_US", "en"),
        ("Die Regierung hat am Montag erklärt, dass sie nicht zurücktreten werde.", None, "de"),
        ("The government said on Monday that it would not resign from office.", None, "en"),
        ("Le gouvernement a dit que les troupes sont arrivées dans la ville.", None, "fr"),
        ("12345 !!!", None, "und"),
        ("Die Regierung hat erklärt, dass sie bleibt.", "", "de"),
        ("Die Regierung hat erklärt, dass sie bleibt.", "not a tag!", "de"),
    ],
)
def test_detect_language(text: str, hint: str | None, expected: str) -> None:
    assert detect_language(text, hint) == expected


def test_extract_and_store_saves_results_and_reports_progress(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed.xml")
    entries = [
        EntryData(entry_id=f"e{n}", title="t", text=FRENCH, language="fr", content_hash=str(n))
        for n in range(3)
    ]
    ids = store.write_entries(feed.id, entries).new_ids
    calls: list[tuple[int, int]] = []
    count = extract_and_store(
        store, [*ids, 999_999], lambda done, total: calls.append((done, total))
    )
    assert count == 3
    assert calls[-1] == (4, 4)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert store.articles_needing_extraction(EXTRACTION_VERSION) == []
    assert [m.text for m in store.mentions(ids[0])] == ["21.10.2024", "1.500"]


def _persons(result: dict[str, Any]) -> dict[str, tuple[str | None, int]]:
    return {
        a["name"]: (a["role"], len(a["mentions"])) for a in result["actors"] if a["label"] == "PER"
    }


def _figures(result: dict[str, Any]) -> list[tuple[str, object, str | None]]:
    return [(f["text"], f["value"], f["unit"]) for f in result["figures"]]


def _check_spans(text: str, result: dict[str, Any]) -> None:
    for entity in result["entities"]:
        assert text[entity["start"] : entity["end"]] == entity["text"]
    for figure in result["figures"]:
        assert text[figure["start"] : figure["end"]] == figure["text"]
    for actor in result["actors"]:
        for quote in actor["quotes"]:
            assert text[quote["start"] : quote["end"]] == quote["text"]


def _no_common_nouns(result: dict[str, Any]) -> None:
    """Every actor is a name: capitalised or an acronym, never a title or an abstract noun."""
    for actor in result["actors"]:
        name = actor["name"]
        assert name[:1].isupper() or actor["label"] in ("ORG", "MISC"), name  # "taz", "nv.ua"
        assert not name.endswith(("ung", "heit", "keit", "tion", "Soldaten", "Truppen")), name
        assert name not in {"Außenministerium", "Geheimdienst", "Botschafter", "Präsident"}, name


@needs_model
def test_seed_tagesschau_end_to_end() -> None:
    text = seed_text(TAGESSCHAU)
    result = extract_document(text, "auto", reference_date="2024-10-21T13:07:00+02:00")
    assert result["lang"] == "de"
    _check_spans(text, result)
    _no_common_nouns(result)
    assert _persons(result) == {
        "Kim Hong Kyun": ("Außenminister", 3),
        "Georgy Sinowjew": ("Botschafter", 1),
        "Mark Rutte": ("NATO-Generalsekretär", 3),
        "Yoon Suk Yeol": ("Präsident", 3),
    }
    figures = _figures(result)
    for expected in [
        ("21.10.2024", "2024-10-21", None),
        ("13:07 Uhr", "13:07", None),
        ("1.500", 1500, "Soldaten"),
        ("am Freitag", "2024-10-18", None),
        ("vier", 4, "Brigaden"),
        ("12.000", 12000, "Soldaten"),
        ("im Juni", "2024-06", None),
    ]:
        assert expected in figures
    assert figures.count(("1.500", 1500, "Soldaten")) == 2
    kim = next(a for a in result["actors"] if a["name"] == "Kim Hong Kyun")
    assert len(kim["quotes"]) == 5
    names = {a["name"]: a for a in result["actors"]}
    assert names["Nordkorea"]["label"] == "LOC"
    assert len(names["Russland"]["mentions"]) >= 10


@needs_model
def test_seed_taz_end_to_end() -> None:
    text = seed_text(TAZ)
    result = extract_document(text, "de", reference_date="2024-10-22")
    _check_spans(text, result)
    _no_common_nouns(result)
    assert _persons(result) == {
        "Yoon Suk Yeol": ("Präsident", 2),
        "Mark Rutte": ("Nato-Chef", 2),
        "Kim Jong Un": ("Machthaber", 1),
        "Putin": (None, 1),
        "Lin Jian": ("Außenamtssprecher", 1),
        "Lloyd Austin": ("US-Verteidigungsminister", 1),
    }
    figures = _figures(result)
    for expected in [
        ("am Montag", "2024-10-21", None),
        ("am Freitag", "2024-10-18", None),
        ("1.500", 1500, "Soldaten"),
        ("12.000", 12000, "Mann"),
        ("Achtzehn", 18, "Soldaten"),
    ]:
        assert expected in figures
    quotes = {a["name"]: [q["text"][:20] for q in a["quotes"]] for a in result["actors"]}
    assert quotes["Yoon Suk Yeol"] == ["Russlands Einmarsch "]
    assert quotes["Lin Jian"] == ["China hat in der Ukr"]


@needs_english_model
def test_english_news_end_to_end() -> None:
    text = (
        'NATO chief Mark Rutte warned North Korea on Monday. "This would be a significant '
        'escalation," Rutte said. Secretary of State Antony Blinken said the United States '
        "had seen evidence that 3,000 North Korean soldiers were in Russia. According to "
        "South Korea's spy agency, Pyongyang plans to send 12,000 troops, worth $3.5bn in aid."
    )
    result = extract_document(text, "auto", reference_date="2024-10-23")
    assert result["lang"] == "en"
    _check_spans(text, result)
    persons = _persons(result)
    assert persons["Mark Rutte"] == ("NATO chief", 2)
    assert persons["Antony Blinken"][0] == "Secretary of State"
    figures = _figures(result)
    assert ("3,000", 3000, "soldiers") in figures
    assert ("12,000", 12000, "troops") in figures
    assert ("$3.5bn", 3_500_000_000, "USD") in figures
    assert ("on Monday", "2024-10-21", None) in figures
    rutte = next(a for a in result["actors"] if a["name"] == "Mark Rutte")
    assert [q["text"] for q in rutte["quotes"]] == ["This would be a significant escalation"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Der Präsident Joe Biden sagte am Montag, 1.500 Soldaten.", "de"),
        ("Südkorea fordert Rückkehr nordkoreanischer Truppen", "de"),
        ("Biden meets Rutte in the White House", "en"),
        ("Biden meets Rutte in Berlin", "und"),  # "in" is German and English: a tie
    ],
)
def test_detect_language_on_short_texts(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_a_currency_the_model_tagged_is_part_of_the_money_figure() -> None:
    from tuireader.text.extract import analyse
    from tuireader.text.ner import Entity

    text = "Pistorius kündigte 1,4 Milliarden Euro an."
    euro = text.index("Euro")
    entities = [Entity(0, 9, "Pistorius", "PER"), Entity(euro, euro + 4, "Euro", "MISC")]
    result = analyse(text, "de", entities)
    assert [e["text"] for e in result["entities"]] == ["Pistorius"]
    assert [a["name"] for a in result["actors"]] == ["Pistorius"]
    assert result["figures"][0]["text"] == "1,4 Milliarden Euro"


_WORDS = [
    "Kim", "Kim Hong Kyun", "Rutte", "Mark Rutte", "Putins", "sagte", "so", "er", "Er", "habe",
    "„", "“", '"', "'", "»", "«", ",", ".", ":", "\n\n", "1.500", "3,5", "Prozent", "am",
    "Montag", "im", "Juni", "vier", "ein", "Soldaten", "Nordkorea", "nordkoreanischen", "Euro",
    "21.10.2024", "13:07", "Uhr", "Präsident", "Außenminister", "NATO-Generalsekretär", "said",
    "$3.5bn", "according", "to", "s", "-", "Mio.", "der", "die", "Yoons", "Yoon Suk Yeol",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    words=st.lists(st.sampled_from(_WORDS), max_size=40),
    labels=st.lists(st.sampled_from(["PER", "ORG", "LOC", "MISC", None]), max_size=40),
    lang=st.sampled_from(["de", "en"]),
)
def test_the_rules_never_fail_and_every_span_slices_the_text(
    words: list[str], labels: list[str | None], lang: str
) -> None:
    from tuireader.text.extract import analyse
    from tuireader.text.ner import Entity

    text = ""
    entities = []
    for word, label in zip(words, labels + [None] * len(words), strict=False):
        if text and not text.endswith("\n"):
            text += " "
        start = len(text)
        text += word
        if label is not None and word.strip():
            entities.append(Entity(start, len(text), word, label))
    result = analyse(text, lang, entities, reference_date="2024-10-21")
    _check_spans(text, result)
    for actor in result["actors"]:
        assert actor["name"] and actor["mentions"]
        for start, end in actor["mentions"]:
            assert 0 <= start < end <= len(text)
    spans = [(f["start"], f["end"]) for f in result["figures"]]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


@needs_model
def test_other_german_news_end_to_end() -> None:
    """Not a seed: the rules are not tuned to the seed articles."""
    path = Path(__file__).resolve().parent / "fixtures" / "de-scholz-pistorius.txt"
    text = path.read_text(encoding="utf-8")
    result = extract_document(text, "auto", reference_date="2024-11-07")
    assert result["lang"] == "de"
    _check_spans(text, result)
    _no_common_nouns(result)
    persons = _persons(result)
    assert persons["Olaf Scholz"] == ("Bundeskanzler", 2)
    assert persons["Boris Pistorius"] == ("Verteidigungsminister", 2)
    assert persons["Dmitri Peskow"] == ("Kremlsprecher", 2)
    assert persons["Emmanuel Macron"][0] == "Präsident"
    assert persons["Wladimir Putin"] == ("Präsident", 2)  # "Putins Sprecher"
    figures = _figures(result)
    for expected in [
        ("am Mittwoch", "2024-11-06", None),
        ("1,4 Milliarden Euro", 1_400_000_000, "EUR"),
        ("20.000", 20000, "Soldatinnen"),
        ("im März", "2024-03", None),
        ("15. März 2024", "2024-03-15", None),
        ("2,4 Prozent", 2.4, "%"),
        ("8.00 Uhr", "08:00", None),
        ("Zwölf", 12, "Bundesländer"),
    ]:
        assert expected in figures
    quotes = {a["name"]: [q["text"] for q in a["quotes"]] for a in result["actors"]}
    assert quotes["Olaf Scholz"] == ["Wir stehen fest an der Seite der Ukraine"]
    assert quotes["Boris Pistorius"] == ["ernst, aber beherrschbar"]  # Laut Pistorius ...
    assert quotes["Dmitri Peskow"] == ["keinerlei Absicht"]  # ..., sagte Peskow


def test_one_failing_article_does_not_cost_the_others_their_extraction(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tuireader.store import EntryData
    from tuireader.text import extract as extract_module

    feed = store.add_feed("https://127.0.0.1/x.xml")
    ids = store.write_entries(feed.id, [
        EntryData(entry_id=str(i), title=f"T{i}", text=f"Text {i} BOOM" if i == 2 else f"Text {i}",
                  content_hash=str(i), language="xx")
        for i in range(5)
    ]).new_ids
    real = extract_module.extract_documents

    def flaky(documents, **kwargs):  # type: ignore[no-untyped-def]
        if any("BOOM" in d["text"] for d in documents):
            raise RuntimeError("extractor bug")
        return real(documents, **kwargs)

    monkeypatch.setattr(extract_module, "extract_documents", flaky)
    assert extract_module.extract_and_store(store, ids) == 4
    assert store.articles_needing_extraction(extract_module.EXTRACTION_VERSION) == [ids[2]]


def _saved(store: Store, ids: list[int]) -> list[Any]:
    return [
        ([(m.start, m.end, m.kind, m.label, m.value) for m in store.mentions(i)],
         [(a.name, a.role, a.mention_count) for a in store.article_actors(i)])
        for i in ids
    ]


def test_extraction_in_worker_processes_saves_what_extraction_here_saves(
    tmp_path: Path,
) -> None:
    """The sync hands large batches to a process pool: same results, same progress."""
    from tuireader.sync.engine import _EXTRACTION_PRELOAD
    from tuireader.sync.workers import start_process_pool

    texts = [seed_text(TAGESSCHAU), seed_text(TAZ), "Kanzler Olaf Scholz sagte in Berlin, "
             "die Regierung plane 3,5 Milliarden Euro ein.", "President Joe Biden said on "
             "Monday that 1,500 troops would go to Poland.", FRENCH]
    stores = []
    for name in ("here", "pool"):
        store = Store(tmp_path / f"{name}.db")
        feed = store.add_feed("https://127.0.0.1/x.xml")
        ids = store.write_entries(feed.id, [
            EntryData(entry_id=str(k), title="t", text=texts[k % len(texts)],
                      content_hash=str(k), published="2024-10-21T12:00:00+00:00")
            for k in range(70)  # three batches of 32
        ]).new_ids
        stores.append((store, ids))
    (here, here_ids), (there, there_ids) = stores
    assert extract_and_store(here, here_ids) == 70
    pool = start_process_pool(2, _EXTRACTION_PRELOAD)
    calls: list[tuple[int, int]] = []
    try:
        count = extract_and_store(
            there, [*there_ids, 999_999], lambda done, total: calls.append((done, total)),
            executor=pool,
        )
    finally:
        pool.shutdown()
    assert count == 70
    assert calls[-1] == (71, 71)
    assert _saved(there, there_ids) == _saved(here, here_ids)
    assert there.articles_needing_extraction(EXTRACTION_VERSION) == []
    for store, _ in stores:
        store.close()
