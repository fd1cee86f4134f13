"""Tests of the shipped NER models and the rule post-processing (tuireader.text.ner)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tuireader.text import ner
from tuireader.text.ner import Entity, find_entities, find_entities_batch, model_path

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
TAGESSCHAU = (SEEDS / "tagesschau-2024-10-21-nordkorea-truppen.txt").read_text(encoding="utf-8")
TAZ = (SEEDS / "taz-2024-10-nordkorea-soldaten.txt").read_text(encoding="utf-8")


def _texts(entities: list[Entity], label: str) -> set[str]:
    return {e.text for e in entities if e.label == label}


@pytest.fixture(scope="module")
def seed_entities() -> list[Entity]:
    return find_entities(TAGESSCHAU, "de") + find_entities(TAZ, "de")


def test_import_is_cheap() -> None:
    code = "import sys, tuireader.text.ner; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_works_when_spacy_was_imported_first() -> None:
    code = (
        "import spacy\n"
        "from tuireader.text import ner\n"
        "print([e.text for e in ner.find_entities('Olaf Scholz reiste nach Paris.', 'de')])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Paris" in out.stdout


@pytest.mark.parametrize("lang", ["de", "en"])
def test_models_are_shipped_and_small(lang: str) -> None:
    path = model_path(lang)
    assert (path / "config.cfg").is_file()
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    assert size < 30 * 1024 * 1024


def test_model_path_rejects_unknown_language() -> None:
    with pytest.raises(ValueError):
        model_path("fr")


def test_seed_persons(seed_entities: list[Entity]) -> None:
    persons = _texts(seed_entities, "PER")
    for name in (
        "Kim Hong Kyun",
        "Georgy Sinowjew",
        "Mark Rutte",
        "Rutte",
        "Kim",
        "Kim Jong Un",
        "Yoon Suk Yeol",
        "Lin Jian",
        "Lloyd Austin",
    ):
        assert name in persons, name
    assert any(p.startswith("Putin") for p in persons)
    assert "Kim Jong" not in persons


def test_seed_places_and_organisations(seed_entities: list[Entity]) -> None:
    places = _texts(seed_entities, "LOC")
    for name in ("Nordkorea", "Südkorea", "Russland", "Ukraine", "Seoul", "Pjöngjang"):
        assert name in places, name
    assert "Yonhap" in _texts(seed_entities, "ORG")
    for ent in seed_entities:
        assert ent.label != "PER" or ent.text not in {"Nordkorea", "Südkorea", "Yonhap"}


def test_no_common_noun_is_a_person(seed_entities: list[Entity]) -> None:
    for ent in seed_entities:
        if ent.label == "PER":
            assert not any(w in ent.text for w in ("Besorgnis", "Truppen", "Soldaten")), ent


def test_offsets_slice_the_input(seed_entities: list[Entity]) -> None:
    for text in (TAGESSCHAU, TAZ):
        ents = find_entities(text, "de")
        assert ents == sorted(ents, key=lambda e: e.start)
        for a, b in itertools.pairwise(ents):
            assert a.end <= b.start
        for ent in ents:
            assert text[ent.start : ent.end] == ent.text
            assert ent.label in ner.LABELS


def test_no_span_across_paragraphs() -> None:
    text = "Die Lage sei ernst, sagte der Sprecher X.\n\nRutte sagte am Montag in Brüssel etwas."
    for ent in find_entities(text, "de"):
        assert "\n" not in ent.text


def test_title_before_name() -> None:
    ents = find_entities("Außenminister Kim Hong Kyun habe Besorgnis ausgedrückt.", "de")
    assert Entity(14, 27, "Kim Hong Kyun", "PER") in ents


def test_countries_and_capitals_are_places() -> None:
    ents = find_entities("Nordkorea und Südkorea verhandeln in Pjöngjang und Seoul.", "de")
    assert _texts(ents, "LOC") >= {"Nordkorea", "Südkorea", "Pjöngjang", "Seoul"}
    ents = find_entities("North Korea sent troops to Russia, officials in Seoul said.", "en")
    assert _texts(ents, "LOC") >= {"North Korea", "Russia", "Seoul"}


def test_english_persons_and_agencies() -> None:
    text = (
        "U.S. Defense Secretary Lloyd Austin met NATO Secretary General Mark Rutte in "
        "Brussels on Monday, Reuters reported."
    )
    ents = find_entities(text, "en")
    assert {"Lloyd Austin", "Mark Rutte"} <= _texts(ents, "PER")
    assert {"NATO", "Reuters"} <= _texts(ents, "ORG")


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\n\n", "\t \u00a0", "🙂🙂🙂", "\u200b\u200d", "a\x00b", "ÄÖÜ ß " * 3, "\ud800x"],
)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_odd_input_does_not_crash(text: str, lang: str) -> None:
    for ent in find_entities(text, lang):
        assert text[ent.start : ent.end] == ent.text


def test_huge_input() -> None:
    text = (TAGESSCHAU.replace("\n\n", " ") + " ") * 30  # one ~200 kB paragraph
    ents = find_entities(text, "de")
    assert len(ents) > 100
    for ent in ents[:: max(1, len(ents) // 50)]:
        assert text[ent.start : ent.end] == ent.text


def test_batch_matches_single() -> None:
    texts = [TAZ, "", "Olaf Scholz reiste nach Paris."]
    assert find_entities_batch(texts, "de") == [find_entities(t, "de") for t in texts]


def test_many_model_batches_match_single_texts() -> None:
    # several model batches (16,000 characters each), one paragraph longer than a batch
    one_paragraph = TAGESSCHAU.replace("\n\n", " ") * 5
    texts = [TAZ, TAGESSCHAU] * 4 + [one_paragraph, TAZ]
    assert sum(map(len, texts)) > 3 * ner._BATCH_CHARS
    assert find_entities_batch(texts, "de") == [find_entities(t, "de") for t in texts]


def _model_nodes(lang: str) -> list[Any]:
    pipes: list[Any] = [pipe for _, pipe in ner._nlp(lang).pipeline]
    return [node for pipe in pipes for node in pipe.model.walk()]


def test_numpy_matrix_products_find_what_blis_finds() -> None:
    from thinc.api import NumpyOps

    texts = [TAGESSCHAU, TAZ]
    with_numpy = find_entities_batch(texts, "de")
    nodes = _model_nodes("de")
    assert {getattr(node.ops, "use_blis", None) for node in nodes} == {False}
    saved = [node.ops for node in nodes]
    blis_ops = NumpyOps(use_blis=True)
    try:
        for node in nodes:
            node.ops = blis_ops
        with_blis = find_entities_batch(texts, "de")
    finally:
        for node, ops in zip(nodes, saved, strict=True):
            node.ops = ops
    assert with_blis == with_numpy
    assert len(with_numpy[0]) > 20


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc")
def test_matrix_products_use_one_thread_and_leave_the_environment_alone() -> None:
    code = (
        "import json, os\n"
        "from tuireader.text import ner\n"
        "ner.find_entities('Olaf Scholz reiste nach Paris.', 'de')\n"
        "import numpy\n"
        "a = numpy.ones((1500, 1500), dtype='float32')\n"
        "a @ a\n"
        "print(json.dumps({'threads': len(os.listdir('/proc/self/task')),\n"
        "                  'env': 'OPENBLAS_NUM_THREADS' in os.environ}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert json.loads(out.stdout) == {"threads": 1, "env": False}
